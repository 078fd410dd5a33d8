/** Privacy signals the learner's browser sends. */
export interface SignalOptions {
  /**
   * Global Privacy Control, always honoured. By default read from `navigator.globalPrivacyControl`;
   * on a server, pass whether the request carried `Sec-GPC: 1`.
   */
  gpc?: boolean;
  /** Honour Do Not Track (`navigator.doNotTrack === '1'`) like GPC. Off by default. */
  dnt?: boolean;
}

/** Whether the browser asks not to be tracked for the purposes GPC refuses. */
export function privacySignal({ gpc, dnt }: SignalOptions = {}): boolean {
  // Without a navigator (Node before 21), neither signal is sent.
  const nav: Partial<{ globalPrivacyControl: boolean; doNotTrack: string | null }> =
    (globalThis as { navigator?: Navigator }).navigator ?? {};
  return !!(gpc ?? nav.globalPrivacyControl) || (!!dnt && nav.doNotTrack == '1');
}
