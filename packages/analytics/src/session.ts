import { randomId } from './random-id.js';

/** A visit: `id`, how many messages it has had (`seq`), its last activity (ms) and its campaign (`c`). */
export interface Session {
  /** 32 hex digits. */
  readonly id: string;
  /** Number of the last message sent in it (the first is 1). */
  readonly seq: number;
  /** Time of the last message, in ms since the epoch. */
  readonly at: number;
  /** The campaign it started with (its first 200 characters), `''` for none. (A short key: it ships in every page's script.) */
  readonly c: string;
}

/** A session ends after this long without a message: 30 minutes. */
export const sessionTimeout = 18e5;

/**
 * The session of the next message at `now`: the same one with `seq + 1`, or a new one (seq 1) when
 * there was none, after 30 minutes idle, or when the page brings a campaign (`campaign`, non-empty)
 * other than the session's (campaigns compared by their first 200 characters, all the cookie keeps).
 *
 * @example nextSession(undefined, Date.now(), '').seq // 1
 */
export function nextSession(session: Session | undefined, now: number, campaign = ''): Session {
  // (Its first 200 characters: the cookie stays small however long a `utm_content`.)
  const c = campaign.slice(0, 200);
  return session && now - session.at < sessionTimeout && (!c || c == session.c)
    ? { ...session, seq: session.seq + 1, at: now }
    : { id: randomId(), seq: 1, at: now, c };
}

/**
 * The session as a cookie value: `id.seq.at.campaign`. The campaign is written as it is: a query
 * string as `campaignOf` makes it (form-encoded: letters, digits, `*-._+%=&` only), safe in a cookie.
 */
export function encodeSession(s: Session): string {
  return [s.id, s.seq, s.at, s.c].join('.');
}

/**
 * A session from its cookie value; `undefined` when absent or malformed (not `id.seq.at[.campaign]`
 * with positive integers), so a fresh one starts. Never throws.
 */
export function decodeSession(value: string | undefined): Session | undefined {
  const [, id, seq, at, campaign = ''] = /^([^.]+)\.([1-9]\d*)\.([1-9]\d*)(?:\.(.*))?$/.exec(value as string) ?? [];
  // (`undefined` is matched as the text `undefined`, which has no dot: no session.) `seq` and `at` are set
  // whenever `id` is: only the campaign is optional.
  return id ? { id, seq: +(seq as string), at: +(at as string), c: campaign } : undefined;
}
