import { isBareAddress } from './address.js';
import { EmailError } from './errors.js';
import { checkOptions, clock, memberIdOption } from './options.js';
import { checkSecret, deriveKey, keyRing, type EmailKeys, type KeyRing } from './keys.js';
import { checkOwnSecrets, principalRings, type PrincipalKeys } from './principals.js';
import { pseudonymOf, pseudonymText } from './pseudonym.js';
import { urlsInText } from './embedded-urls.js';
import { blankImage, rewriteDocument, type PixelVerdict } from './rewrite-html.js';
import { containsAddress, hasUserinfo, httpUrl } from './target-url.js';
import { trackingLink, trackingPathTest, type TrackingLink } from './tracking-link.js';
import {
  maxFieldBytes,
  maxUrlBytes,
  openToken,
  sealToken,
  tokenChars,
  type EmailTokenKind,
  type Principals,
  type TokenClaims,
} from './token.js';

/** A URL found in the HTML, read: the URL a parser reads in it, and the tracking link that is. */
interface ReadUrl {
  /** The URL as written (without text glued to its end). */
  url: string;
  /** The text glued to the end of its token, kept after what replaces it. */
  glued: string;
  /** The URL a parser reads in `url`, if any. */
  given: string | undefined;
  /** The tracking link `given` is, if any. */
  link: TrackingLink | undefined;
}

/** Options of {@link createEmailSigner}. */
export interface EmailSignerOptions {
  /** Secrets by key id. Keep retired kids here only as long as the verifier should accept them. */
  keys: EmailKeys;
  /** The kid that signs; every kid in `keys` (and the verifier's) verifies. */
  activeKid: string;
  /** Where the collector answers, e.g. `https://t.edx.org`: links become `${baseUrl}/e/c/<token>`. */
  baseUrl: string;
  /** The Member these keys belong to; omit for the platform (edX) itself. */
  memberId?: string;
  /**
   * Secret for recipient pseudonyms (at least 32 bytes). Defaults to the active key, so pseudonyms
   * change when you rotate; pass a separate stable secret to keep them comparable across rotations.
   */
  pseudonymKey?: string;
  /** Clock in epoch milliseconds, for `sentAt`. Defaults to `Date.now`. */
  now?: () => number;
  /**
   * Keys of other principals (the platform's, other Members') whose tracked links this signer may
   * unwrap and re-sign to their target (HTML re-used from an email they tracked). Only for a sender
   * that holds those keys anyway: a link whose token verifies under neither `keys` nor these throws
   * `unreadable_token`, since anyone can make up a token under the tracking host.
   */
  trustedKeys?: PrincipalKeys;
}

/** The message a URL is signed for. */
export interface MessageMeta {
  /** Your id of the message (one send to one recipient, or one campaign mailing). 1-255 bytes. */
  messageId: string;
  /**
   * The recipient's email address, bare (`ada@example.org`, not `Ada <ada@example.org>`). It is only
   * ever put in a token as a keyed pseudonym.
   */
  recipient: string;
  /** A campaign name, 1-255 bytes. */
  campaign?: string;
  /**
   * The recipient's consent subject: the `subject` of their consent receipts (a user id or an
   * anonymous id, never an address), so the collector can honour their latest choice. 1-255 bytes.
   */
  subject?: string;
  /** An assertion: must be the signer's `memberId` (catches signing with the wrong Member's signer). */
  member?: string;
  /** When it was sent; defaults to now. The collector uses it to spot prefetches right after send. */
  sentAt?: Date | number;
  /** After this moment (second precision) its links answer 400 and its pixel records nothing. */
  expiresAt?: Date | number;
}

/** Signs open pixels and click redirects for one Member (or the platform). */
export interface EmailSigner {
  /** The Member this signer signs for, or `null` for the platform. */
  readonly memberId: string | null;
  /** The URL of the open pixel for `meta`: `${baseUrl}/e/o/<token>`. */
  pixelUrl(meta: MessageMeta): string;
  /**
   * The click URL that redirects to `url` and only there: `${baseUrl}/e/c/<token>`. Throws
   * `invalid_url` for anything but an absolute http(s) URL (or one with a user name or password:
   * it would be in every token and click log), and `recipient_in_url` when `url`
   * carries the recipient's address (it would end up inside the token). A `url` that is itself a
   * click URL under `baseUrl` is signed for the target it redirects to, never wrapped, when its
   * token verifies under `keys` or `trustedKeys`; one whose token cannot be read or does not verify
   * throws `unreadable_token`.
   */
  clickUrl(url: string, meta: MessageMeta): string;
  /**
   * Rewrites an HTML email for `meta`: every absolute http(s) `<a href>`/`<area href>` (and, under a
   * `<base href>`, every relative one but an anchor) becomes a click URL, one pixel is added; every
   * other byte is kept. Links and pixels already under `baseUrl`'s endpoints are re-signed for
   * `meta` or removed, and so is such a URL of another message anywhere else in the document (any
   * attribute, CSS, text, comments): a click URL re-signed to its target, an open URL replaced by the
   * blank GIF it served; one there whose token cannot be read, or does not verify under `keys` or
   * `trustedKeys`, is left as it is; under a `<base href>`, a relative URL in a URL attribute, a
   * `srcset` or a CSS `url(` or `@import` is read as resolved against it. A `data-optin-notrack` link
   * to the click endpoint becomes its target, unsigned, and so does a click URL inside one (an
   * unsubscribe link's `?next=`). A link or pixel under `baseUrl` whose token cannot be read or
   * verified throws `unreadable_token` (its message gives its line and column).
   * Idempotent: see the README.
   */
  rewriteHtml(html: string, meta: MessageMeta): string;
  /**
   * An HTML email with no tracking in it, for a recipient who refused analytics (or any email sent
   * untracked): HTML rewritten before (for someone else, a template kept after a send) otherwise
   * records their opens and clicks as that person's. Every link to the click endpoint under
   * `baseUrl` becomes the target its token redirects to, every pixel of the collector's is removed,
   * and every such URL anywhere else in the document is replaced as `rewriteHtml` replaces another
   * message's: a click URL by its target, an open URL by the blank GIF it served (a `data:` URL:
   * nothing is fetched). No pixel is added and every other byte is kept: HTML never tracked comes
   * back as it is. Tokens must verify under `keys` or `trustedKeys`: a click token anywhere (a link,
   * a VML button, a form, text, a URL's query) that is well-formed but does not throws
   * `unreadable_token` with its line and column (its target is unknown); one that cannot be read at
   * all (truncated) is left as it is outside tracked links, as `rewriteHtml` leaves it.
   *
   * @example
   * const html = consent.analytics ? signer.rewriteHtml(template, meta) : signer.untrackHtml(template);
   */
  untrackHtml(html: string): string;
  /** The keyed pseudonym of an address, as `verify()` reports it: to join events with your users. */
  pseudonym(recipient: string): string;
}

type MessageClaims = Omit<TokenClaims, 'kind' | 'url'>;

/** Why a URL under the tracking endpoints leads nowhere this signer can sign for. */
interface Refusal {
  why: string;
  hint: string;
  /** Whether its token is well-formed, but verifies under none of the keys this signer holds. */
  unverified: boolean;
}

/** The message HTML is rewritten for: its claims, and its recipient's address (never signed into a link). */
interface Message {
  claims: MessageClaims;
  recipient: string;
}

/** The `html` argument, checked: from JavaScript callers too. */
function htmlArgument(html: unknown): string {
  if (typeof html !== 'string')
    throw new EmailError('invalid_argument', 'html', 'must be a string', 'Pass the message body as HTML text.');
  return html;
}

function fail(path: string, message: string, hint: string): never {
  throw new EmailError('invalid_meta', path, message, hint);
}

/**
 * A recipient's address as given: one bare address. A display name (`Ada <ada@example.org>`) is
 * refused rather than taken apart: the address inside it would not be looked for in URLs as such,
 * and its pseudonym would not be the address's.
 */
function recipientAddress(value: unknown, path: string, code: 'invalid_meta' | 'invalid_argument'): string {
  if (typeof value !== 'string' || value.trim().length === 0)
    throw new EmailError(code, path, 'must be a non-empty email address', "Pass the recipient's address.");
  if (!isBareAddress(value))
    throw new EmailError(
      code,
      path,
      'must be one bare email address (local@domain), without a display name, angle brackets or comment',
      'Pass the address alone: `learner@example.org`, not `A. Learner <learner@example.org>`.',
    );
  return value;
}

function text(value: unknown, path: string, recipient: string | undefined): string {
  if (typeof value !== 'string' || value.length === 0 || Buffer.byteLength(value) > maxFieldBytes)
    fail(path, `must be a string of 1-${maxFieldBytes} bytes`, 'Pass a short id.');
  if (recipient !== undefined && containsAddress(value, recipient))
    fail(path, "contains the recipient's address", 'Use an opaque id: the address must never be in a token.');
  return value;
}

/** A time given as a Date or epoch milliseconds (anything else, from JavaScript callers too, is refused), in seconds. */
function seconds(value: unknown, path: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Number.NaN;
  const s = Math.floor(ms / 1000);
  if (!Number.isFinite(ms) || s < 0 || s > 0xffffffff)
    fail(path, 'must be a valid Date or epoch milliseconds (1970-2106)', 'Pass a Date.');
  return s;
}

/**
 * What a URL found in the HTML is resolved against, to read one written protocol-relative
 * (`//t.edx.org/…`) as a mail client may (over https): a host no collector answers on, so that a
 * path alone (`/e/o/…`) is never read as the collector's.
 */
const noBase = 'https://base.invalid/';

/**
 * A URL found in the HTML, absolute or protocol-relative, as a mail client reads it: read alone
 * first, so that `https:/t.edx.org/…` (one slash) is the URL a browser opens, not a path under the
 * https `noBase`.
 */
const foundUrl = (value: string): string | undefined => httpUrl(value) ?? httpUrl(value, noBase);

function parseBaseUrl(baseUrl: unknown): string {
  const href = typeof baseUrl === 'string' ? httpUrl(baseUrl) : undefined;
  const url = href === undefined ? undefined : new URL(href);
  if (!url || url.search || url.hash || url.username || url.password)
    throw new EmailError(
      'invalid_option',
      'baseUrl',
      'must be an absolute http(s) URL without query, fragment or credentials',
      'Pass the origin (and path prefix, if any) the collector answers on, e.g. `https://t.edx.org`.',
    );
  return url.href.replace(/\/$/, '');
}

/**
 * The keys a signer unwraps tracked links with: its own (`own`), and the `trustedKeys` of other
 * principals. Naming itself there, or a secret of its own, is refused: its keys are `keys`.
 */
function unwrapKeys(trustedKeys: unknown, own: Principals, ownRing: KeyRing, memberId: string | null): Principals {
  if (trustedKeys === undefined) return own;
  if (typeof trustedKeys !== 'object' || trustedKeys === null || Array.isArray(trustedKeys))
    throw new EmailError(
      'invalid_option',
      'trustedKeys',
      'must be an object',
      'Pass `{ platformKeys, members }` of the principals whose tracked links this signer may re-sign, or omit it.',
    );
  const { principals: trusted, placed } = principalRings(trustedKeys, 'trustedKeys.');
  const self =
    memberId === null ? trusted.platform && 'platformKeys' : trusted.members.has(memberId) && `members.${memberId}`;
  if (self)
    throw new EmailError(
      'invalid_option',
      `trustedKeys.${self}`,
      'names the principal this signer signs for',
      'Its own keys are `keys`: list retired kids there.',
    );
  checkOwnSecrets([['keys', ownRing], ...placed]);
  return {
    platform: own.platform ?? trusted.platform,
    members: new Map([...trusted.members, ...own.members]),
  };
}

/**
 * Creates the signer of one Member (or of the platform when `memberId` is omitted). Throws an
 * {@link EmailError} for bad options: a short secret, a malformed kid, an `activeKid` missing from
 * `keys`, a `baseUrl` that is not http(s).
 *
 * @example
 * const signer = createEmailSigner({
 *   memberId: 'HarvardX',
 *   keys: { 'hx-2026': process.env.HX_EMAIL_KEY! },
 *   activeKid: 'hx-2026',
 *   baseUrl: 'https://t.edx.org',
 * });
 * const html = signer.rewriteHtml(template, { messageId: 'm-42', recipient: 'ada@example.org', campaign: 'welcome' });
 */
export function createEmailSigner(options: EmailSignerOptions): EmailSigner {
  checkOptions(options, '`{ keys, activeKid, baseUrl }`');
  const ring = keyRing(options.keys, 'keys');
  const macKey = ring.get(options.activeKid);
  if (!macKey) throw new EmailError('invalid_option', 'activeKid', 'is not one of `keys`', 'Add its secret to `keys`.');
  const memberId = memberIdOption(options.memberId);
  const pseudonymSecret = options.pseudonymKey ?? options.keys[options.activeKid];
  const pseudonymKey = deriveKey(
    checkSecret(pseudonymSecret, options.pseudonymKey === undefined ? 'keys' : 'pseudonymKey'),
    'recipient-pseudonym',
  );
  const base = parseBaseUrl(options.baseUrl);
  const openPrefix = `${base}/e/o/`;
  const clickPrefix = `${base}/e/c/`;
  const endpoint = new URL(`${base}/`);
  const own: Principals =
    memberId === null
      ? { platform: ring, members: new Map() }
      : { platform: undefined, members: new Map([[memberId, ring]]) };
  const unwrapping = unwrapKeys(options.trustedKeys, own, ring, memberId);
  const now = clock(options.now);

  function claimsFor(meta: MessageMeta): MessageClaims {
    const given: unknown = meta; // from JavaScript callers too
    if (typeof given !== 'object' || given === null)
      fail('meta', 'must be an object', 'Pass `{ messageId, recipient }`.');
    recipientAddress(meta.recipient, 'meta.recipient', 'invalid_meta');
    if (meta.member !== undefined && meta.member !== memberId)
      throw new EmailError(
        'member_mismatch',
        'meta.member',
        `this signer signs for ${memberId ?? 'the platform'}`,
        "Sign with that Member's own signer: Members never sign for one another.",
      );
    const sentAt = seconds(meta.sentAt ?? now(), 'meta.sentAt');
    const expiresAt = meta.expiresAt === undefined ? null : seconds(meta.expiresAt, 'meta.expiresAt');
    if (expiresAt !== null && expiresAt <= sentAt)
      fail('meta.expiresAt', 'is not after sentAt', 'Pass a moment in the future.');
    return {
      kid: options.activeKid,
      memberId,
      messageId: text(meta.messageId, 'meta.messageId', meta.recipient),
      recipient: pseudonymOf(meta.recipient, pseudonymKey),
      campaign: meta.campaign === undefined ? null : text(meta.campaign, 'meta.campaign', meta.recipient),
      subject: meta.subject === undefined ? null : text(meta.subject, 'meta.subject', meta.recipient),
      sentAt,
      expiresAt,
    };
  }

  const seal = (claims: MessageClaims, kind: EmailTokenKind, url: string | null): string =>
    `${kind === 'open' ? openPrefix : clickPrefix}${sealToken({ ...claims, kind, url }, macKey)}`;

  /**
   * The URL a link leads to: itself, or for a link to the click endpoint under `baseUrl` (a query or
   * fragment after the token is ignored, as the collector ignores it) the target its token
   * redirects to, unwrapped however often it was wrapped (each target is shorter than the link that
   * carried it). Each token must verify under this signer's keys or its `trustedKeys`: anyone can
   * make up a token under the tracking host, and its target was chosen by no one who signs here.
   * A link there that is no readable click token, or to the open endpoint, leads nowhere this signer
   * could sign for; one that does not verify leads somewhere no key it holds vouches for: both are
   * a `Refusal`.
   */
  function unwrapped(url: string): string | Refusal {
    const copied = "Put the link's real target in its place: it was probably copied from an email tracked before.";
    for (let target = url; ;) {
      const link = trackingLink(target, endpoint);
      if (!link) return target;
      const claims = link.kind === 'click' ? openToken(link.token, unwrapping) : 'malformed';
      if (claims === 'malformed')
        return { why: 'that is not a readable click token (truncated or edited)', hint: copied, unverified: false };
      if (typeof claims === 'string')
        return {
          why: 'whose token this signer cannot verify: made up, edited, or signed with keys it does not hold',
          hint: `${copied} If it is a genuine link of the platform or a Member whose keys this sender holds, name them in \`trustedKeys\`.`,
          unverified: true,
        };
      const next = claims.url === null ? undefined : httpUrl(claims.url);
      if (next === undefined)
        return { why: 'that is not a click token (an open token has no target)', hint: copied, unverified: false };
      target = next;
    }
  }

  /**
   * A refusal of `unwrapped`, thrown: `unreadable_token` at `path`, with `where` (the link's line
   * and column) if given.
   */
  function refuse({ why, hint }: Refusal, path: string, where?: string): never {
    const at = where === undefined ? '' : ` at ${where}`;
    throw new EmailError(
      'unreadable_token',
      path,
      `has a link${at} to the tracking endpoints under ${base} ${why}`,
      hint,
    );
  }

  /** The target `url` leads to (see `unwrapped`); a refusal is thrown (see `refuse`). */
  function untracked(url: string, path: string, where?: string): string {
    const target = unwrapped(url);
    return typeof target === 'string' ? target : refuse(target, path, where);
  }

  /**
   * `value` as a URL under this signer's tracking endpoints, if it is one: absolute, or
   * protocol-relative (`//t.edx.org/e/o/…`, which a mail client may well load over https).
   */
  function ownEndpoint(value: string): string | undefined {
    const url = foundUrl(value);
    return url !== undefined && trackingLink(url, endpoint) ? url : undefined;
  }

  /**
   * Whether `value` (an absolute or protocol-relative URL) may be under the tracking endpoints: its
   * host, read alone (up to the first `/`, `\\`, `?` or `#` after the slashes a URL parser skips
   * there: `//`, or one, `https:/t.edx.org/…`), is the tracking host, and its path may be the
   * endpoints' (`mayBeTrackingPath`, a test of `trackingPathTest`). No host (a run of slashes) is
   * none. Told from the start of `value`, so that the many URLs found inside one another in a long
   * run are not each parsed whole.
   */
  function onEndpoint(value: string, mayBeTrackingPath: (path: string) => boolean): boolean {
    const authority = /^[^\\/]*[\\/]{1,10}([^\\/?#]*)/.exec(value);
    if (!authority?.[1]) return false;
    const host = httpUrl(`https://${authority[1]}/`);
    if (host !== undefined && new URL(host).hostname.replace(/\.$/, '') !== endpoint.hostname.replace(/\.$/, ''))
      return false;
    return mayBeTrackingPath(value.slice(authority[0].length));
  }

  /** Whether `token` verifies under a key this signer holds (its own, or one it unwraps). */
  const verifies = (token: string): boolean => typeof openToken(token, unwrapping) === 'object';

  /** `value` read (see `ReadUrl`), `glued` after it. */
  function readUrl(value: string, glued = ''): ReadUrl {
    const given = foundUrl(value);
    return { url: value, glued, given, link: given === undefined ? undefined : trackingLink(given, endpoint) };
  }

  /**
   * `value` (a URL on the tracking host), read without the text glued to the end of its token
   * (`…/e/c/<token>--`, Markdown's `_<url>_`, `<token>-see-you-soon`, `<token>Thanks`, of any
   * length): cut where the token its path holds as written ends, told by the token itself (see
   * `tokenChars`), when that verifies; a query or fragment after the glued text goes with the URL, as
   * it goes after a token read whole. Any other `value` (its token verifying whole, or not at all)
   * as it is.
   */
  function unglued(value: string): ReadUrl {
    const whole = readUrl(value);
    const token = whole.link?.token;
    const pathEnd = value.search(/[?#]|$/);
    if (!token || !value.slice(0, pathEnd).endsWith(token)) return whole;
    const chars = tokenChars(token);
    if (chars === undefined || chars >= token.length || !verifies(token.slice(0, chars))) return whole;
    const cut = pathEnd - token.length + chars;
    return readUrl(value.slice(0, cut), value.slice(cut, pathEnd));
  }

  const trackable = (target: string, recipient: string): boolean =>
    Buffer.byteLength(target) <= maxUrlBytes && !hasUserinfo(target) && !containsAddress(target, recipient);

  function signClick(url: string, claims: MessageClaims, recipient: string): string {
    const given = httpUrl(url);
    if (given === undefined)
      throw new EmailError(
        'invalid_url',
        'url',
        'must be an absolute http(s) URL',
        'Only http and https links can be tracked.',
      );
    const target = untracked(given, 'url');
    if (Buffer.byteLength(target) > maxUrlBytes)
      throw new EmailError('invalid_url', 'url', `is longer than ${maxUrlBytes} bytes`, 'Shorten the link.');
    if (hasUserinfo(target))
      throw new EmailError(
        'invalid_url',
        'url',
        'carries a user name or password',
        'Leave it untracked (`data-optin-notrack`): a password in a link would be in every token and click log.',
      );
    if (containsAddress(target, recipient))
      throw new EmailError(
        'recipient_in_url',
        'url',
        "carries the recipient's address",
        'Put an opaque id in the link instead, or leave it untracked (`data-optin-notrack`).',
      );
    return seal(claims, 'click', target);
  }

  /** The claims of a `kind` token of this signer's own (its keys, its Member), if it is one. */
  function ownClaims(link: TrackingLink | undefined, kind: EmailTokenKind): TokenClaims | undefined {
    const claims = link?.kind === kind ? openToken(link.token, own) : undefined;
    return typeof claims === 'object' && claims.kind === kind ? claims : undefined;
  }

  const sameMessage = (a: MessageClaims, b: MessageClaims): boolean =>
    a.memberId === b.memberId &&
    a.messageId === b.messageId &&
    Buffer.compare(a.recipient, b.recipient) === 0 &&
    a.campaign === b.campaign &&
    a.subject === b.subject &&
    a.expiresAt === b.expiresAt;

  /**
   * `html` rewritten for `message` (see `rewriteHtml`), or, for none, with every tracking URL taken
   * out and no pixel (see `untrackHtml`).
   */
  function rewrite(html: string, message: Message | undefined): string {
    const claims = message?.claims;
    /** `target` signed for the message, if it may be: never without one (HTML sent untracked). */
    const signedFor = (target: string): string | undefined =>
      message && trackable(target, message.recipient) ? seal(message.claims, 'click', target) : undefined;
    /** Whether `signed` (a token of this signer's own) is of the very message HTML is rewritten for. */
    const ofThisMessage = (signed: MessageClaims | undefined): boolean =>
      signed !== undefined && claims !== undefined && sameMessage(signed, claims);
    const decided = new Map<string, string | null | undefined>();
    const mayBeTrackingPath = trackingPathTest(endpoint);
    /**
     * The new URL for another message's tracking URL `value` found in the HTML outside link
     * targets and pixels; `null` for a tracking URL left as it is: this message's own, or one whose
     * token cannot be read, or (in `rewriteHtml`) verified: it may be a URL read wrongly, the end of
     * a sentence glued to it, and the bytes are kept rather than guessed at; `undefined` for no
     * tracking URL. In `untrackHtml`, a well-formed click token that does not verify throws
     * `unreadable_token` (see `decide`). Not `tracked` (in a `data-optin-notrack` link), a click URL
     * becomes its target, never signed for the message.
     */
    const embedded = (value: string, open: string, where: string, tracked: boolean): string | null | undefined => {
      // A URL to another host or path is no tracking URL: told from its start (see `onEndpoint`).
      if (!onEndpoint(value, mayBeTrackingPath)) return undefined;
      // The same URL, written again and again (a background on every cell), is looked at once.
      const key = `${open}\n${tracked}\n${value}`;
      if (decided.has(key)) return decided.get(key);
      const read = unglued(value);
      const next = decide(read, open, where, tracked);
      // The text glued to its end, if any, is kept after what replaces it.
      const result = typeof next === 'string' ? next + read.glued : next;
      decided.set(key, result);
      return result;
    };
    /** What `embedded` decides for a URL on the tracking host, read (see `unglued`). */
    const decide = (
      { given, link }: ReadUrl,
      open: string,
      where: string,
      tracked: boolean,
    ): string | null | undefined => {
      let next: string | null | undefined;
      if (given === undefined || !link) next = undefined;
      else if (ofThisMessage(ownClaims(link, link.kind)) && link.canonical) next = null;
      else if (link.kind === 'open') next = open;
      else {
        const target = unwrapped(given);
        // A token that cannot be read is left: it may be a URL read wrongly (the end of a sentence
        // glued to it). One well-formed that no key here verifies is thrown about in HTML sent
        // untracked (as in a link): its target is unknown, and kept it would record this
        // recipient's click as the one it was signed for.
        if (typeof target !== 'string')
          next = message === undefined && target.unverified ? refuse(target, 'html', where) : null;
        else {
          const clean = cleaned(target, where, tracked);
          next = (tracked ? signedFor(clean) : undefined) ?? clean;
        }
      }
      return next;
    };
    /**
     * A link's target with the tracking URLs of other messages inside it replaced (a share link's
     * `?url=<Alice's click URL>`), so that the target signed for this recipient holds none; not
     * `tracked` (a `data-optin-notrack` link's), each click URL by its target.
     */
    const cleanedTargets = new Map<string, string>();
    const cleaned = (target: string, where: string, tracked = true): string => {
      if (target.length > maxUrlBytes) return target; // never signed: left as it is
      // The same target, linked again and again, is looked at once (`where` only names a place).
      const key = `${tracked}\n${target}`;
      const known = cleanedTargets.get(key);
      if (known !== undefined) return known;
      const result = cleanedOnce(target, where, tracked);
      cleanedTargets.set(key, result);
      return result;
    };
    const cleanedOnce = (target: string, where: string, tracked: boolean): string => {
      let out = '';
      let at = 0;
      // The Proofpoint v3 wrappers a URL was replaced in: their lists are written again.
      const rewrapped = new Set<object>();
      for (const url of urlsInText(target)) {
        if (url.start < at || (url.listOf && !rewrapped.has(url.listOf))) continue;
        const next = url.listOf ? '' : embedded(url.url, blankImage, where, tracked);
        if (next === undefined || next === null) continue;
        if (url.wrapper) rewrapped.add(url.wrapper);
        out += target.slice(at, url.start) + url.write(next);
        at = url.end;
      }
      if (at === 0) return target;
      out += target.slice(at);
      return httpUrl(out) ?? out;
    };
    return rewriteDocument(html, {
      pixelUrl: claims && seal(claims, 'open', null),
      href(value, documentBase, where) {
        const given = httpUrl(value, documentBase) ?? ownEndpoint(value);
        if (given === undefined) return undefined;
        const link = trackingLink(given, endpoint);
        // Written otherwise (`/e/%63/…`), the collector does not serve it: it is signed again.
        if (ofThisMessage(ownClaims(link, 'click')) && link?.canonical) return undefined;
        const target = cleaned(untracked(given, 'html', where), where);
        // A tracked link whose target cannot be signed for this recipient (or HTML sent untracked)
        // becomes that plain target; any other link is left to be read as any attribute is, the
        // tracking URLs inside it replaced where they are.
        return signedFor(target) ?? (link ? target : undefined);
      },
      notrack(value, documentBase, where) {
        const given = httpUrl(value, documentBase) ?? ownEndpoint(value);
        if (given === undefined || !trackingLink(given, endpoint)) return undefined;
        // Unwrapped to its target, never signed again (the sender's opt-out); one whose token cannot
        // be read is the sender's to keep, as in `embedded`.
        const target = unwrapped(given);
        if (typeof target === 'string') return cleaned(target, where, false);
        return message === undefined && target.unverified ? refuse(target, 'html', where) : undefined;
      },
      pixel(value, documentBase): PixelVerdict {
        const src = ownEndpoint(value) ?? (documentBase === undefined ? undefined : httpUrl(value, documentBase));
        const link = src === undefined ? undefined : trackingLink(src, endpoint);
        if (link?.kind !== 'open') return 'other';
        return ofThisMessage(ownClaims(link, 'open')) && link.canonical ? 'this' : 'stale';
      },
      embedded,
    });
  }

  return {
    memberId,
    pixelUrl: (meta) => seal(claimsFor(meta), 'open', null),
    clickUrl: (url, meta) => signClick(url, claimsFor(meta), meta.recipient),
    pseudonym: (recipient) =>
      pseudonymText(pseudonymOf(recipientAddress(recipient, 'recipient', 'invalid_argument'), pseudonymKey)),
    rewriteHtml: (html, meta) => rewrite(htmlArgument(html), { claims: claimsFor(meta), recipient: meta.recipient }),
    untrackHtml: (html) => rewrite(htmlArgument(html), undefined),
  };
}
