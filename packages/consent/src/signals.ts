/** Privacy signals the learner's browser sends: read from the navigator, or passed on from a request. */
export interface SignalOptions {
  /**
   * Global Privacy Control, always honoured: read from `navigator.globalPrivacyControl`. On a server,
   * pass whether the request carried `Sec-GPC: 1`. It only ever adds the signal: `false` (a request
   * without the header, a page a CDN cached) never switches off the GPC the browser sends.
   */
  gpc?: boolean;
  /**
   * Honour Do Not Track like GPC; off by default. `true` honours the browser's
   * (`navigator.doNotTrack === '1'`). A server has no navigator: there, pass the request's `DNT`
   * header value instead (`honourDnt && request.headers.get('dnt')`), honoured when `'1'`. Like
   * `gpc`, a value passed on only ever adds the signal to the one the browser sends.
   */
  dnt?: boolean | string | null | undefined;
}

/**
 * Which signal asks not to be tracked for the purposes GPC refuses: `'gpc'` whenever Global Privacy
 * Control is in force (sent by the browser, or `gpc: true` passed on from a request's `Sec-GPC`),
 * `'dnt'` where Do Not Track alone does (the browser's, honoured with `dnt: true`, or `dnt: '1'`
 * passed on from a request's `DNT`), else `false`.
 */
export type PrivacySignal = false | 'gpc' | 'dnt';

/** The privacy signal in force (see {@link PrivacySignal}). */
export function privacySignal({ gpc, dnt }: SignalOptions = {}): PrivacySignal {
  // Without a navigator (Node before 21), neither signal is sent by a browser. What the page passes
  // on (a request's headers) adds a signal, never takes the browser's away.
  const nav: Partial<{ globalPrivacyControl: boolean; doNotTrack: string | null }> =
    (globalThis as { navigator?: Navigator }).navigator ?? {};
  // `dnt` other than false or undefined honours the browser's DNT: `true`, and what a server passes
  // on (`honourDnt && headers.get('dnt')`: null or '' for a request without the header, a cached page).
  return gpc || nav.globalPrivacyControl
    ? 'gpc'
    : [dnt, dnt !== false && dnt !== undefined && nav.doNotTrack].includes('1') && 'dnt';
}
