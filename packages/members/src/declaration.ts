import type { CookieStorage, Party, Tracker } from '@optin/trackers';
import type { OptinConfig } from './config.js';
import { declareConsentCookie, type DeclaredSiteCookie } from './consent-cookie.js';
import { declareEmail, type DeclaredEmail } from './declared-email.js';
import { MembersError } from './errors.js';

/**
 * One cookie as learners see it listed, or another item a tracker stores (a localStorage key, say):
 * tracker declarations list those with their cookies, so the lists call them cookies and stored data.
 */
export interface DeclaredCookie {
  /** Exact name, or a pattern such as `_ga_*` for a family. */
  readonly name: string;
  /** How long it lives: `session`, `90d`, `2y`… */
  readonly lifetime: string;
  /** The purpose it serves. */
  readonly purpose: string;
  /** Set by the site (`first`) or by the vendor (`third`). */
  readonly party: Party;
  /** Where it is kept: `cookie`, or a key of `localStorage` or `sessionStorage` (as its tracker declares it; `cookie` by default). */
  readonly storage: CookieStorage;
}

/** One tracker as learners see it listed. */
export interface DeclaredTracker {
  /** Tracker id (`HarvardX/ga4` for a Member's). */
  readonly id: string;
  /** `platform` or the Member id. */
  readonly owner: string;
  /** Name of the owner learners read (`edX` or the Member's name). */
  readonly ownerName: string;
  /** Purposes it serves; it runs only when all are allowed. */
  readonly purposes: readonly string[];
  /** Whether the tracker is the site's own or a third party's. */
  readonly party: Party;
  /** The vendor, with privacy and opt-out links. */
  readonly vendor: { readonly name: string; readonly privacyUrl: string; readonly optOutUrl: string | null };
  /** Every cookie it may set, and every other item it may store (localStorage keys…). */
  readonly cookies: readonly DeclaredCookie[];
  /** Every host it contacts. */
  readonly hosts: readonly string[];
}

/**
 * The declaration: "a list of third parties … with links to opt-out processes", and the tracking of
 * the emails edX and Members send, from the config that runs. As JSON (`declarationToJson`) its keys
 * keep their names and meaning; new ones may be added.
 */
export interface Declaration {
  /**
   * The policy the trackers are held to; its `lang` when it gives one (the language its purposes' labels
   * and descriptions are written in: the HTML marks them with it).
   */
  readonly policy: { readonly id: string; readonly version: string; readonly lang?: string };
  /** The Member it was made for, or `null` for the whole platform. */
  readonly member: string | null;
  /** The policy's purposes, in order, each with the ids of the trackers that serve it. */
  readonly purposes: readonly {
    id: string;
    label: string;
    description: string;
    required: boolean;
    trackers: readonly string[];
  }[];
  /** Every tracker. */
  readonly trackers: readonly DeclaredTracker[];
  /**
   * Every sender whose emails are tracked (open pixel, click links): the platform's when the
   * collector's `email` names a key, then each Member's with `email` (`[]` when none).
   */
  readonly email: readonly DeclaredEmail[];
  /**
   * The cookies the site sets for itself, outside any tracker: the consent cookie, which every
   * choice sets (a refusal of everything included), under the policy's required purpose.
   */
  readonly siteCookies: readonly DeclaredSiteCookie[];
}

/** At most this many names are listed for one declared pattern; a pattern of more is shown as it is. */
const maxNames = 16;

/**
 * The names a cookie name pattern stands for, as people read them: a literal prefix or name with
 * `*` where the pattern allows anything (`.*`, `.+`, `\d+`, `\w+`, or after an open end), each
 * alternative of a group (`(a|b)`, nested too) a name of its own, an optional part (`(_.*)?`) a
 * name with it and one without. `null` for a pattern that is not
 * of that form (character classes, other quantifiers, lookarounds, the `i` flag), or of more than
 * {@link maxNames} names.
 */
function expandPattern(name: RegExp): string[] | null {
  const src = name.source;
  if (name.flags.includes('i') || !src.startsWith('^')) return null;
  let i = 1;
  let exact = false;
  // The names of an alternation, up to its closing `)` (depth > 0) or the end of the pattern.
  const alternation = (depth: number): string[] | null => {
    const done: string[] = [];
    let current = [''];
    while (i < src.length) {
      const c = src[i] ?? '';
      let atom: string[] | null;
      if (c === '|') {
        // Outside a group it splits the whole pattern (`^_ga|_gid$`: the second half unanchored at its start).
        if (depth === 0) return null;
        done.push(...current);
        current = [''];
        i++;
        continue;
      }
      if (c === ')') {
        if (depth === 0) return null;
        i++;
        return [...done, ...current];
      }
      if (c === '$' && depth === 0 && i === src.length - 1) {
        exact = true;
        i++;
        break;
      }
      if (c === '(') {
        if (src.startsWith('(?:', i)) i += 3;
        else if (src[i + 1] === '?') return null;
        else i++;
        atom = alternation(depth + 1);
      } else if (c === '\\') {
        const e = src[i + 1] ?? '';
        if ((e === 'd' || e === 'w') && /[+*]/.test(src[i + 2] ?? '')) [atom, i] = [['*'], i + 3];
        else if (/^[^A-Za-z0-9*]$/.test(e)) [atom, i] = [[e], i + 2];
        else return null;
      } else if (c === '.' && /[+*]/.test(src[i + 1] ?? '')) [atom, i] = [['*'], i + 2];
      else if (/[.[\]{}?*+^$]/.test(c)) return null;
      else [atom, i] = [[c], i + 1];
      if (!atom) return null;
      // An optional part (`(_.*)?`, `s?`): names with it and without.
      if (src[i] === '?') [atom, i] = [[...atom, ''], i + 1];
      if (/[?*+{]/.test(src[i] ?? '')) return null;
      const parts = atom;
      current = current.flatMap((before) => parts.map((part) => before + part));
      if (done.length + current.length > maxNames) return null;
    }
    return depth === 0 ? [...done, ...current] : null;
  };
  const names = alternation(0)?.map((n) => (exact ? n : `${n}*`).replace(/\*+/g, '*'));
  return names && names.every((n) => n !== '' && n !== '*') ? names : null;
}

/**
 * The names learners read for a declared cookie name: the name itself, or the names a pattern stands
 * for (`/^_hj(DonePolls|MinimizedPolls)$/` → `_hjDonePolls`, `_hjMinimizedPolls`; `/^_ga_/` →
 * `_ga_*`; `/^_hjSession_\d+$/` → `_hjSession_*`); a pattern of any other form stays a regular
 * expression, `/…/`.
 */
function cookieNames(name: string | RegExp): string[] {
  if (typeof name === 'string') return [name];
  return expandPattern(name) ?? [`/${name.source}/${name.flags}`];
}

/**
 * Shows a cookie name pattern the way people read it, as one name: `/^_ga_/` and `/^_ga_.*$/` →
 * `_ga_*`, `/^_ga$/` → `_ga`, `/^_hjSession_\d+$/` → `_hjSession_*`; anything else (a pattern of
 * several names, such as `/^(_ga|_gid)$/`, included) stays a regular expression, `/…/`. The
 * declaration lists each name of such a pattern on its own.
 */
export function cookiePattern(name: string | RegExp): string {
  const names = cookieNames(name);
  return names.length === 1 && names[0] !== undefined
    ? names[0]
    : `/${(name as RegExp).source}/${(name as RegExp).flags}`;
}

const declare = (t: Tracker, ownerName: string): DeclaredTracker => ({
  id: t.id,
  owner: t.owner,
  ownerName,
  purposes: [...t.purposes],
  party: t.party,
  vendor: { name: t.vendor.name, privacyUrl: t.vendor.privacyUrl, optOutUrl: t.vendor.optOutUrl ?? null },
  cookies: t.cookies.flatMap((c) =>
    cookieNames(c.name).map((name) => ({
      name,
      lifetime: c.lifetime,
      purpose: c.purpose,
      party: c.party,
      storage: c.storage ?? 'cookie',
    })),
  ),
  hosts: [...t.hosts],
});

/**
 * Builds the declaration of a config: every tracker with owner, purposes, party, vendor, cookies,
 * hosts, privacy and opt-out links, every sender whose emails are tracked, and the site's own
 * cookies (the consent cookie, always) — for the whole
 * platform, or (with `member`) what applies on that Member's courses: the platform's and the
 * Member's own (`null` or none: the whole platform, as the JSON writes it). A `member` the config does not
 * have (a misspelt id) is a {@link MembersError} `unknown_member`: its list would silently lack the
 * Member's own third parties.
 */
export function buildDeclaration(config: OptinConfig, member?: string | null): Declaration {
  const members = member == null ? config.members : config.members.filter((m) => m.id === member);
  if (member != null && members.length === 0)
    throw new MembersError(
      'unknown_member',
      [{ path: 'member', code: 'unknown_member', message: `"${member}" is not a Member of the config` }],
      `Use a Member id exactly as the config writes it (${config.members.map((m) => m.id).join(', ') || 'no Members'}), or no member for the whole platform.`,
    );
  const trackers = [
    ...config.platform.trackers.map((t) => declare(t, 'edX')),
    ...members.flatMap((m) => m.trackers.map((t) => declare(t, m.name))),
  ];
  return {
    policy: {
      id: config.policy.id,
      version: config.policy.version,
      ...(config.policy.lang !== undefined && { lang: config.policy.lang }),
    },
    member: member ?? null,
    purposes: config.policy.purposes.map((p) => ({
      id: p.id,
      label: p.label,
      description: p.description,
      required: !!p.required,
      trackers: trackers.filter((t) => t.purposes.includes(p.id)).map((t) => t.id),
    })),
    trackers,
    email: declareEmail(config, members),
    siteCookies: [declareConsentCookie(config.policy)],
  };
}
