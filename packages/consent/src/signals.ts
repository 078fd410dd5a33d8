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

/**
 * Which signal asks not to be tracked for the purposes GPC refuses: `'gpc'` whenever Global Privacy
 * Control is in force (sent by the browser, or `gpc: true` passed on from a request's `Sec-GPC`),
 * `'dnt'` where Do Not Track alone does (honoured with `dnt: true`), else `false`.
 */
export type PrivacySignal = false | 'gpc' | 'dnt';

/** The privacy signal in force (see {@link PrivacySignal}). */
export function privacySignal({ gpc, dnt }: SignalOptions = {}): PrivacySignal {
  // Without a navigator (Node before 21), neither signal is sent.
  const nav: Partial<{ globalPrivacyControl: boolean; doNotTrack: string | null }> =
    (globalThis as { navigator?: Navigator }).navigator ?? {};
  return (gpc ?? nav.globalPrivacyControl) ? 'gpc' : !!dnt && nav.doNotTrack == '1' && 'dnt';
}
