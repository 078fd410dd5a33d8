import { ConsentError, definePolicy, unknownFields, type Policy } from '@optin/consent';
import { defineTracker, TrackerError, type Tracker } from '@optin/trackers';
import type { ConfigIssue, ConfigIssueCode } from './errors.js';
import { configFields, emailFields, memberFields, platformFields } from './config.js';
import { consentCookieName } from './consent-cookie.js';
import { cookieOverlap } from './cookie-overlap.js';
import { ccxOf, courseOwnerKey, foldCase, parseCourseKey } from '@optin/consent/course-key';
import { policyIssueCode, trackerIssueCode, valueAt } from './declaration-issue-code.js';
import { emailPurpose } from './declared-email.js';

/**
 * A value of the config as a problem's message shows it: `String(value)`, or its kind for one
 * `String` throws on (`{ toString: null }`, a symbol-keyed trap): a config is reported, never thrown on.
 */
const shown = (value: unknown): string => {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
};

/**
 * The codes of a string not in its form, whose problem shows the string it got: a space, a zero-width
 * character or a lookalike letter is otherwise invisible in a message. Never a secret's
 * (`invalid_secret_ref`) nor a key id's (`invalid_key_id`: a secret typed where the id belongs).
 */
const shownForm = new Set<ConfigIssueCode>([
  'invalid_id',
  'invalid_host',
  'invalid_cookie_name',
  'invalid_lifetime',
  'invalid_party',
  'invalid_url',
  'invalid_lang',
  'invalid_org',
  'invalid_course',
]);
/** ` (got "…")`: a string JSON-quoted, its first 80 characters, every character but printable ASCII as `\uXXXX`. */
const got = (v: string): string =>
  ` (got ${JSON.stringify(v.slice(0, 80)).replace(/[^ -~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}${v.length > 80 ? `, the first 80 of ${v.length} characters` : ''})`;

type Loose = Record<string, unknown>;
/** Records one problem of the config. */
type Add = (path: string, code: ConfigIssueCode, message: string) => void;
/** `required` when a value is missing (`undefined`), `invalid_type` when it is there but of the wrong kind. */
const absent = (v: unknown): ConfigIssueCode => (v === undefined ? 'required' : 'invalid_type');
const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/**
 * Calls `each` with every entry of a list and its index, an empty slot (`[a, , b]`, which `forEach`
 * and `map` skip) reported at its path (`members[1]`) instead: the registry, the hub and the
 * declaration would otherwise read `undefined` there.
 */
function everySlot(v: unknown, path: string, add: Add, each: (value: unknown, i: number) => void): void {
  const entries = list(v);
  // The entries there (a list with a billion empty slots has few), and at most `maxHoles` of its
  // empty slots reported one by one, in order with them; the rest counted in one problem.
  const present = Object.keys(entries).filter(isIndex).map(Number);
  let from = 0;
  let reported = 0;
  for (const i of [...present, entries.length]) {
    for (; from < i && reported < maxHoles; from++, reported++)
      add(
        `${path}[${from}]`,
        'empty_slot',
        'is empty (a stray comma, as in [a, , b]): remove it, or put what belongs there',
      );
    if (i < entries.length) each(entries[i], i);
    from = i + 1;
  }
  const more = entries.length - present.length - reported;
  if (more > 0)
    add(
      path,
      'empty_slot',
      `has ${more.toLocaleString('en-US')} more empty slots: write the list without gaps (its length set too far?)`,
    );
}
const maxHoles = 10;
/**
 * Whether a text learners read shows nothing: not empty (its own package reports that) yet without a
 * letter, digit, symbol (an emoji) or punctuation mark that shows (only spaces, a no-break space,
 * zero-width characters, a Hangul filler or a blank Braille pattern), which the declaration renders blank.
 */
const blank = (v: unknown): boolean =>
  typeof v === 'string' && v !== '' && !/(?![\p{Default_Ignorable_Code_Point}\u2800])[\p{L}\p{N}\p{S}\p{P}]/u.test(v);
const blankText =
  'must have a letter, digit or symbol: learners read it (in the banner, the list of third parties), where only spaces or invisible characters show nothing';
/** Whether two `hosts` entries name a host in common (`*.example.com` covers `example.com` and its subdomains). */
const hostsMeet = (a: string, b: string): boolean => covers(a, b) || covers(b, a);
const covers = (pattern: string, host: string): boolean =>
  pattern === host || (pattern.startsWith('*.') && `.${host.replace(/^\*\./, '')}`.endsWith(pattern.slice(1)));
const isIndex = (key: string): boolean => /^(0|[1-9]\d*)$/.test(key);
/**
 * A `vendorId` as `optin audit` compares it (its vendor-ids.ts): trimmed, a GA4 or GTM id in capitals
 * (`tid=g-hx1` is `G-HX1`); any other (a Segment write key) in its own case.
 */
const vendorKey = (id: string): string => {
  const upper = id.trim().toUpperCase();
  return /^(G|GTM)-[A-Z0-9]+$/.test(upper) ? upper : id.trim();
};

/**
 * The config as plain data, read once, so that no check reads it again: each list and plain object
 * copied (other values as they are: a RegExp, a function, a class's instance), a read that throws (a
 * getter, a Proxy's trap) a problem at its path, `undefined` there, and no problem of its own.
 */
function snapshot(
  value: unknown,
  path: string,
  unreadable: Map<string, string>,
  seen = new Map<object, unknown>(),
): unknown {
  if (typeof value !== 'object' || value === null) return value;
  try {
    if (seen.has(value)) return seen.get(value);
    const array = Array.isArray(value);
    const proto: unknown = Object.getPrototypeOf(value);
    if (!array && proto !== Object.prototype && proto !== null) return value;
    const copy: Loose | unknown[] = array
      ? new Array<unknown>(value.length)
      : proto
        ? {}
        : (Object.create(null) as Loose);
    seen.set(value, copy);
    for (const key of Object.keys(value)) {
      if (array && !isIndex(key)) continue;
      const at = array ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      let v: unknown;
      try {
        v = (value as Loose)[key];
      } catch (error) {
        unreadable.set(at, shown(error));
        continue;
      }
      Object.defineProperty(copy, key, { value: snapshot(v, at, unreadable, seen), enumerable: true, writable: true });
    }
    return copy;
  } catch (error) {
    unreadable.set(path, shown(error));
    return undefined;
  }
}
/**
 * What is wrong with cookie `i` of tracker `t` when its purpose is not one of the tracker's, as
 * `defineTracker` words it too; `undefined` when nothing is.
 */
const purposeMismatch = (t: Loose, i: number): string | undefined => {
  const c = list(t.cookies)[i];
  return isObject(c) && Array.isArray(t.purposes) && !t.purposes.includes(c.purpose)
    ? `"${shown(c.purpose)}" is not one of the tracker's purposes`
    : undefined;
};
/**
 * The cookies Open edX sets for itself on the site's domain (its `settings`: `CSRF_COOKIE_NAME`,
 * `SESSION_COOKIE_NAME` and devstack's `lms_sessionid`, the logged-in and user-info cookies the MFEs
 * and the marketing site read, the JWT cookies of edx-rest-api-client, the language cookie): a
 * tracker may not declare them, as the hub deletes a tracker's first-party cookies wherever consent
 * does not allow it (before any decision too), which would break CSRF and log learners out.
 */
const openEdxCookies = [
  'csrftoken',
  'sessionid',
  'lms_sessionid',
  'edxloggedin',
  'edx-user-info',
  'edx-jwt-cookie-header-payload',
  'edx-jwt-cookie-signature',
  'edx-jwt-refresh-cookie',
  'openedx-language-preference',
  'django_language',
];
const memberId = /^[A-Za-z0-9][\w.-]{0,63}$/;
/**
 * The names every plain object has (`Object.prototype`'s: `constructor`, `toString`, `valueOf`,
 * `hasOwnProperty`, `__proto__`…), in lower case: a Member id among them, in any case (as the
 * collector compares ids), would read or write that property where code keys data by Member id.
 */
const inheritedNames = new Set(Object.getOwnPropertyNames(Object.prototype).map((name) => name.toLowerCase()));
// An org as course keys write it (see `parseCourseKey` of `@optin/consent/course-key`): letters and digits of any script, `_-~.:%`.
const orgPattern = /^[\p{L}\p{N}_\-~.:%]{1,255}$/u;
// The kid rule of @optin/email (its keys.ts), repeated here: members runs in the browser and may
// not import email (DESIGN.md's import order), yet must accept exactly the kids the signer accepts.
const keyId = /^[A-Za-z0-9._:-]{1,64}$/;
// Where a secret is, as @optin/collector reads it (its secretRefSchema): never the secret itself.
const secretRef = /^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/;
/** `1st`, `2nd`, `3rd`, `4th`, `11th`, `21st`. */
const ordinal = (n: number): string =>
  `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`;

/**
 * Checks a whole config at once and returns **every** problem with its path and its stable
 * {@link ConfigIssueCode} (an empty list when the config is sound). It never throws, whatever it is given. It checks: no unknown (misspelt)
 * field in the config, `platform` or a Member, naming the closest field; the policy and each tracker's
 * declaration, as `definePolicy` and `defineTracker` do, each problem coded for what it is (see
 * `policyIssueCode`); names learners read with a letter, digit or symbol that shows; no Member id that every
 * object already has a property of (`constructor`, `toString`, in any case); unique ids (Member tracker ids namespaced
 * `memberId/trackerId`), and vendor ids not shared by two owners' trackers on the same hosts; purposes that exist
 * in the policy; each cookie's purpose one of its tracker's (whatever else is wrong with the tracker); no Member or third-party tracker in a required purpose (`necessary`: `createHub` refuses it too); hosts declared by every
 * tracker that loads anything or is a third party; no Member cookie name that collides with the
 * platform's or another Member's (two families that share a name too, sampled from each pattern:
 * see `cookieOverlap`; each cookie once, against the first owner it collides with); no empty slot in a list (`[a, , b]`); no first-party cookie naming the
 * consent cookie `optin` or a cookie of Open edX itself (`csrftoken`, `sessionid`…: `openEdxCookies`); no org or course run owned by two Members; email tracking only under a
 * policy that has `analytics` (the purpose the collector records it under); email key ids as
 * `@optin/email` takes them; email keys and `tokenRef` by reference (`env:NAME`, `file:/path`), as
 * the collector reads them; http(s) URLs only.
 */
export function validateConfig(input: unknown): ConfigIssue[] {
  const unreadable = new Map<string, string>();
  const config = snapshot(input, '', unreadable);
  const issues: ConfigIssue[] = [...unreadable].map(([path, error]) => ({
    path,
    code: 'invalid_type',
    message: `could not be read (${error}): give plain data here, not a getter or a Proxy that throws`,
  }));
  // What is said of a value that could not be read, or inside it, is said already.
  const said = (path: string) =>
    [...unreadable.keys()].some((at) => path === at || path.startsWith(`${at}.`) || path.startsWith(`${at}[`));
  const add: Add = (path, code, message) => {
    const value = shownForm.has(code) ? valueAt(config, path) : undefined;
    if (!said(path)) issues.push({ path, code, message: typeof value === 'string' ? message + got(value) : message });
  };
  // unknownFields of @optin/consent: each is a field the object does not have.
  const unknown = (value: Loose, fields: object, path: string, what: string, more = '') => {
    for (const i of unknownFields(value, Object.keys(fields), path, what))
      add(i.path, 'unknown_field', i.message + more);
  };
  if (!isObject(config))
    return issues.length
      ? issues
      : [
          {
            path: '',
            code: absent(config),
            message: 'the config must be an object: defineConfig({ policy, platform, members })',
          },
        ];
  unknown(config, configFields, '', 'the config');

  let policy: Policy | undefined;
  if (config.policy === undefined)
    add(
      'policy',
      'required',
      'is missing: give the consent policy, edxPolicy or definePolicy({ id, version, purposes })',
    );
  else {
    let input: unknown;
    try {
      input = structuredClone(config.policy);
      policy = definePolicy(input as Policy);
    } catch (error) {
      if (error instanceof ConsentError)
        for (const i of error.issues)
          add(i.path ? `policy.${i.path}` : 'policy', policyIssueCode(input, i, error.issues), i.message);
      // Not data (a function in it, a getter that throws): what structuredClone does not copy.
      else add('policy', 'invalid_type', 'must be a policy: edxPolicy or definePolicy({ id, version, purposes })');
    }
  }
  // What definePolicy takes, but learners would read as nothing: a purpose's label or description.
  if (isObject(config.policy))
    list(config.policy.purposes).forEach((p, i) => {
      for (const field of ['label', 'description'])
        if (isObject(p) && blank(p[field]) && !issues.some((s) => s.path === `policy.purposes[${i}].${field}`))
          add(`policy.purposes[${i}].${field}`, 'required', blankText);
    });
  const purposes = new Map(policy?.purposes.map((p) => [p.id, p]));
  // What an unknown purpose is replaced by: one the policy has.
  const notAPurpose = (p: unknown) =>
    `"${shown(p)}" is not a purpose of policy "${policy?.id ?? ''}": use one of ${[...purposes.keys()].join(', ')}`;

  const ids = new Map<string, string>();
  const cookies: { owner: string; name: string | RegExp; path: string }[] = [];
  // Each tracker's vendor id (`vendorId`: a GA4 measurement id, a pixel id), with its owner and hosts.
  const vendorIds: { owner: string; id: string; hosts: string[]; path: string }[] = [];
  const checkTracker = (t: unknown, path: string, owner: string) => {
    if (!isObject(t)) return add(path, 'invalid_type', 'must be a tracker (defineTracker or an adapter)');
    const tracker = t as unknown as Tracker;
    // Checked under its own id (a Member's without "memberId/"): the issues' paths start
    // `trackers.<that id>` (`trackers.?` without one), and an id may hold dots.
    const own: unknown = typeof t.id === 'string' ? t.id.replace(/^[^/]*\//, '') : t.id;
    const prefix = `trackers.${typeof own === 'string' && own ? own : '?'}`;
    const before = issues.length;
    let input: unknown;
    try {
      input = { ...tracker, id: own };
      defineTracker(input as Tracker);
    } catch (error) {
      if (error instanceof TrackerError)
        for (const i of error.issues) {
          const at = i.path.startsWith(prefix) ? i.path.slice(prefix.length) : '';
          // Once the rest of a tracker is sound, defineTracker reports a cookie whose purpose is not
          // the tracker's, in the words used below for a tracker with other errors: the same code.
          const cookie = /^\.cookies\[(\d+)\]\.purpose$/.exec(at)?.[1];
          const mismatch = cookie !== undefined && i.message === purposeMismatch(t, Number(cookie));
          add(path + at, mismatch ? 'cookie_purpose_mismatch' : trackerIssueCode(input, at), i.message);
        }
      else add(path, 'invalid_type', 'must be a tracker (defineTracker or an adapter)');
    }
    // defineTracker compares each cookie's purpose with the tracker's only once the rest of it is
    // sound: compared here too, for a tracker with other errors (never twice, nor on a cookie purpose
    // already reported as malformed).
    const said = new Set(issues.slice(before).map((i) => i.path));
    if (isObject(t.vendor) && blank(t.vendor.name) && !said.has(`${path}.vendor.name`))
      add(`${path}.vendor.name`, 'required', blankText);
    // `optin audit` tells apart trackers on the same hosts (the platform's GA4 and a Member's) by their
    // vendor ids: another owner's on hosts it declares too would have its traffic taken for this one's.
    if (typeof t.vendorId === 'string' && t.vendorId) {
      const hosts = list(t.hosts).filter((h): h is string => typeof h === 'string');
      const vendorId = t.vendorId;
      const key = vendorKey(vendorId);
      const first = vendorIds.find(
        (v) => v.id === key && v.owner !== owner && v.hosts.some((h) => hosts.some((o) => hostsMeet(h, o))),
      );
      if (first)
        add(
          `${path}.vendorId`,
          'duplicate_id',
          `"${vendorId}" is also the vendor id of ${first.path} (${first.owner === 'platform' ? "the platform's" : `Member ${first.owner}'s`}), on the same hosts: \`optin audit\` could not tell their traffic apart; give each owner an account of its own with the vendor (its own GA4 property, pixel or site)`,
        );
      vendorIds.push({ owner, id: key, hosts, path });
    }
    const id = typeof t.id === 'string' ? t.id : '';
    // An id missing or of the wrong kind is reported as such (by defineTracker above), not as unnamespaced.
    if (owner !== 'platform' && id && !id.startsWith(`${owner}/`))
      add(
        `${path}.id`,
        'not_namespaced',
        `must be namespaced "${owner}/…": declare Member trackers through defineMember`,
      );
    if (t.owner !== owner)
      add(
        `${path}.owner`,
        'wrong_owner',
        owner !== 'platform' && typeof t.owner === 'string' && t.owner !== 'platform'
          ? `declared for "${t.owner}", in ${owner}'s list: move it to ${t.owner}'s trackers, or drop its owner option`
          : owner === 'platform' && typeof t.owner === 'string' && t.owner !== ''
            ? `must be "platform": a tracker of Member ${t.owner} belongs in its trackers (defineMember), where its owner is set`
            : `must be "${owner}"`,
      );
    const seen = ids.get(id);
    if (id && seen)
      add(`${path}.id`, 'duplicate_id', `"${id}" is also the id of ${seen}: give each tracker an id of its own`);
    else ids.set(id, path);
    list(t.purposes).forEach((p, i) => {
      const purpose = purposes.get(shown(p));
      if (policy && !purpose) add(`${path}.purposes[${i}]`, 'unknown_purpose', notAPurpose(p));
      // createHub refuses the same (a third party's tracker would load before any decision).
      if ((owner !== 'platform' || t.party === 'third') && purpose?.required)
        add(
          `${path}.purposes[${i}]`,
          'required_purpose',
          `${owner !== 'platform' ? 'a Member' : "a third party's"} tracker cannot run as "${purpose.id}": that purpose is never asked, so it would run without consent`,
        );
    });
    list(t.cookies).forEach((c, i) => {
      if (!isObject(c)) return;
      const at = `${path}.cookies[${i}].purpose`;
      const mismatch = purposeMismatch(t, i);
      if (mismatch && !said.has(at)) add(at, 'cookie_purpose_mismatch', mismatch);
      if (policy && !purposes.has(shown(c.purpose))) add(at, 'unknown_purpose', notAPurpose(c.purpose));
      if (typeof c.name === 'string' || c.name instanceof RegExp) {
        cookies.push({ owner, name: c.name, path: `${path}.cookies[${i}].name` });
        if (c.party === 'first' && cookieOverlap(c.name, consentCookieName))
          add(
            `${path}.cookies[${i}].name`,
            'names_consent_cookie',
            `names the consent cookie "${consentCookieName}" of @optin/consent: a withdrawal would delete it, and the learner's decision with it; name only the tracker's own cookies`,
          );
        // Only a tracker the hub may stop: one whose purposes are all required (the platform declaring
        // its own session cookie under `necessary`) is always allowed, and its cookies never deleted.
        const site =
          c.party === 'first' &&
          list(t.purposes).some((p) => !purposes.get(shown(p))?.required) &&
          openEdxCookies.find((name) => cookieOverlap(c.name as string | RegExp, name));
        if (site)
          add(
            `${path}.cookies[${i}].name`,
            'reserved_cookie',
            `${shown(c.name)} names "${site}", a cookie of Open edX itself: the hub deletes a tracker's cookies wherever consent does not allow it, which would break CSRF or log learners out; name only the tracker's own cookies`,
          );
      }
    });
    if (list(t.hosts).length === 0 && (t.party === 'third' || typeof t.load === 'function'))
      add(
        `${path}.hosts`,
        'missing_hosts',
        'declare every host the tracker contacts (it loads a script or is a third party)',
      );
  };

  const kidRule = '1–64 letters, digits, ".", "_", ":" or "-", e.g. "hx-2026"';
  // The collector records opens and clicks under one purpose: a policy without it never asks for it.
  const checkEmailPurpose = (path: string) =>
    policy &&
    !purposes.has(emailPurpose) &&
    add(
      path,
      'no_email_purpose',
      `the collector records email opens and clicks under "${emailPurpose}", which policy "${policy.id}" does not have: add that purpose to the policy (so that learners are asked) or remove the email tracking`,
    );
  // Where each email key is read from (its reference, or the environment variable its key id names)
  // and whose it is: two owners reading one place would share one key, which the collector refuses
  // as it starts (email-keys.ts, `refuseSharedReferences`).
  const readers = new Map<string, { owner: string; at: string; shown: boolean }>();
  const readFrom = (owner: string, ref: string, at: string, shown: boolean) => {
    const first = readers.get(ref);
    if (!first) readers.set(ref, { owner, at, shown });
    else if (first.owner !== owner)
      add(
        at,
        'shared_email_key',
        `its key is read from ${shown && first.shown ? ref : 'the same place'}, as ${first.at}'s is: two principals would share one email key, and the collector refuses to start; give each Member and the platform its own, in email.keys ({ "<key id>": "env:NAME" }) or by key ids that make different environment variable names (OPTIN_EMAIL_<MEMBER>_<KEY ID>, letters and digits kept, anything else "_")`,
      );
  };
  // The keys an `email` names, by where each is read from (as the collector reads them), for `readFrom`.
  const emailReaders = (email: Record<string, unknown>, owner: string, path: string) => {
    const keys = isObject(email.keys) ? email.keys : {};
    Object.entries(keys).forEach(([kid, ref], i) => {
      // (Named as `checkEmail` names it: by its position when its id may be a secret.)
      const at = keyId.test(kid) && kid.length < 32 ? `${path}.keys[${JSON.stringify(kid)}]` : `${path}.keys[${i}]`;
      if (typeof ref === 'string' && secretRef.test(ref)) readFrom(owner, ref, at, true);
    });
    const kid = email.keyId;
    // The variable a key id names holds the id: not shown where the id is as long as a secret.
    if (typeof kid === 'string' && keyId.test(kid) && !Object.hasOwn(keys, kid))
      readFrom(
        owner,
        `env:OPTIN_EMAIL_${`${owner}_${kid}`.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`,
        `${path}.keyId`,
        kid.length < 16,
      );
  };
  const checkEmail = (email: unknown, path: string, owner: string) => {
    checkEmailPurpose(path);
    // No keyId and no entry in keys: the collector would hold no key for the Member, and answer
    // every one of its click links 400.
    const unnamed =
      !isObject(email) ||
      (email.keyId === undefined &&
        (email.keys === undefined || (isObject(email.keys) && Object.keys(email.keys).length === 0)));
    if (unnamed)
      add(
        path,
        isObject(email) ? 'no_email_key' : 'invalid_type',
        "must name the Member's signing keys: { keyId: 'hx-2026' } (the collector reads the secret from OPTIN_EMAIL_<MEMBER>_<KID>) and/or { keys: { 'hx-2025': 'env:NAME' } }",
      );
    if (!isObject(email)) return;
    emailReaders(email, owner, path);
    unknown(
      email,
      emailFields,
      path,
      '`email`',
      ': only keyId and keys, which name the secrets, never the secret itself',
    );
    if (email.keyId !== undefined && !(typeof email.keyId === 'string' && keyId.test(email.keyId)))
      add(
        `${path}.keyId`,
        'invalid_key_id',
        `must be the id of the Member's signing key: ${kidRule} (the secret comes from the environment, never the config); not shown, as it may be a secret`,
      );
    if (email.keys === undefined) return;
    if (!isObject(email.keys))
      return add(
        `${path}.keys`,
        'invalid_type',
        "must map key ids to where their secrets are: { 'hx-2025': 'env:NAME' | 'file:/path' }",
      );
    Object.entries(email.keys).forEach(([kid, ref], i) => {
      const isRef = typeof ref === 'string' && secretRef.test(ref);
      // A key id may be a secret (the map written the wrong way round): one not in its form, or as long as
      // a secret (16 characters, or 32 next to a reference), is named by its position, as the collector names it.
      const named = keyId.test(kid) && (kid.length < 16 || (kid.length < 32 && isRef));
      const at = named ? `${path}.keys[${JSON.stringify(kid)}]` : `${path}.keys[${i}]`;
      const which = named
        ? ''
        : `the ${ordinal(i + 1)} key (its id not shown, as it may be a secret: is the map the wrong way round?) `;
      if (!keyId.test(kid)) add(at, 'invalid_key_id', `${which}is not a key id: ${kidRule}`);
      else if (!isRef)
        add(
          at,
          'invalid_secret_ref',
          `${which}must be "env:NAME" or "file:/path", where the collector reads the secret, never the secret itself`,
        );
    });
  };

  if (isObject(config.collector) && config.collector.email !== undefined) checkEmailPurpose('collector.email');

  const platform = config.platform;
  if (isObject(platform)) unknown(platform, platformFields, 'platform', '`platform`');
  if (!isObject(platform) || !Array.isArray(platform.trackers))
    add('platform.trackers', absent(isObject(platform) ? platform.trackers : platform), 'must be a list of trackers');
  else
    everySlot(platform.trackers, 'platform.trackers', add, (t, i) =>
      checkTracker(t, `platform.trackers[${i}]`, 'platform'),
    );

  if (!Array.isArray(config.members))
    add('members', absent(config.members), 'must be a list of Members (defineMember)');
  // Each org and course run owned so far: by which Member, and where it was listed.
  const orgs = new Map<string, { id: string; at: string }>();
  const courses = new Map<string, { id: string; at: string }>();
  // Where an owner listed again comes from: this Member (a duplicate to remove) or another.
  const ownedBy = (owner: { id: string; at: string }, path: string, another: string) =>
    owner.at.startsWith(`${path}.`) ? `listed twice by this Member (at ${owner.at} too): remove one` : another;
  const memberIds = new Map<string, string>();
  everySlot(config.members, 'members', add, (m, i) => {
    const path = `members[${i}]`;
    if (!isObject(m)) return add(path, 'invalid_type', 'must be a Member (defineMember)');
    unknown(m, memberFields, path, 'a Member');
    const id = typeof m.id === 'string' ? m.id : '';
    if (!memberId.test(id))
      add(
        `${path}.id`,
        m.id === undefined || m.id === '' ? 'required' : typeof m.id == 'string' ? 'invalid_id' : 'invalid_type',
        'must be 1–64 letters, digits, ".", "-" or "_", starting with a letter or digit',
      );
    else if (inheritedNames.has(id.toLowerCase()))
      add(
        `${path}.id`,
        'invalid_id',
        `is a name every JavaScript object already has (Object.prototype's ${id}): where a Member's data is kept by its id, the object's own property would be read or overwritten instead; choose another id, e.g. "${id}X"`,
      );
    else {
      // The collector names a Member's secrets and event subjects by its id in capitals, punctuation
      // as "_" (OPTIN_TOKEN_HARVARDX): ids equal in that form would share them.
      const canonical = id.toUpperCase().replace(/[^A-Z0-9]/g, '_');
      const taken = canonical.replace(/^_/, '') === 'PLATFORM' ? 'the platform' : memberIds.get(canonical);
      if (taken)
        add(
          `${path}.id`,
          'duplicate_id',
          `"${id}" is taken by ${taken === 'the platform' ? taken : `"${taken}"`} (ids are compared in capitals, punctuation as "_")`,
        );
      else memberIds.set(canonical, id);
    }
    if (typeof m.name !== 'string' || m.name === '')
      add(`${path}.name`, typeof m.name === 'string' ? 'required' : absent(m.name), 'must be the name learners read');
    else if (blank(m.name))
      add(
        `${path}.name`,
        'required',
        'must be the name learners read, with a letter, digit or symbol: only spaces or invisible characters show nothing',
      );
    // `orgs` or `courses` (or both): a Member may own single course runs only.
    if ((m.orgs !== undefined && !Array.isArray(m.orgs)) || list(m.orgs).length + list(m.courses).length === 0)
      add(
        `${path}.orgs`,
        m.orgs === undefined || Array.isArray(m.orgs) ? 'required' : 'invalid_type',
        'must list the Open edX orgs the Member owns (or give `courses`)',
      );
    everySlot(m.orgs, `${path}.orgs`, add, (org, j) => {
      const key = typeof org === 'string' ? foldCase(org) : '';
      if (!orgPattern.test(key))
        return add(`${path}.orgs[${j}]`, 'invalid_org', 'must be an Open edX org, e.g. "HarvardX"');
      const owner = orgs.get(key);
      if (owner)
        add(
          `${path}.orgs[${j}]`,
          'already_owned',
          `org "${shown(org)}" is ${ownedBy(owner, path, `already owned by ${owner.id}: an org belongs to one Member; remove it here or there (a single course run under another Member's org goes in \`courses\`)`)}`,
        );
      else orgs.set(key, { id, at: `${path}.orgs[${j}]` });
    });
    if (m.courses !== undefined && !Array.isArray(m.courses))
      add(
        `${path}.courses`,
        'invalid_type',
        'must be a list of course run keys, e.g. ["course-v1:HarvardX+CS50+2026_T1"]',
      );
    everySlot(m.courses, `${path}.courses`, add, (c, j) => {
      const course = parseCourseKey(c);
      // (A key naming its course by a version alone names no run: `course.org` is empty.)
      if (!course?.org)
        return add(
          `${path}.courses[${j}]`,
          'invalid_course',
          'must be a course run key, e.g. "course-v1:HarvardX+CS50+2026_T1"',
        );
      if (ccxOf(course) !== null)
        return add(
          `${path}.courses[${j}]`,
          'ccx_course',
          `"${course.id}" is a CCX, which is its org's Member's (${course.org}), whoever owns the run it is built on: list course runs only, or give the Member the org`,
        );
      const key = courseOwnerKey(course);
      const owner = courses.get(key);
      if (owner)
        add(
          `${path}.courses[${j}]`,
          'already_owned',
          `course "${course.id}" is ${ownedBy(owner, path, `already owned by ${owner.id}: a course run belongs to one Member; remove it here or there`)}`,
        );
      else courses.set(key, { id, at: `${path}.courses[${j}]` });
    });
    if (m.email !== undefined) checkEmail(m.email, `${path}.email`, id);
    if (m.tokenRef !== undefined && !(typeof m.tokenRef === 'string' && secretRef.test(m.tokenRef)))
      add(
        `${path}.tokenRef`,
        'invalid_secret_ref',
        'must be "env:NAME" or "file:/path", where the collector reads the Member\'s API token, never the token itself',
      );
    if (!Array.isArray(m.trackers)) add(`${path}.trackers`, absent(m.trackers), 'must be a list of trackers');
    everySlot(m.trackers, `${path}.trackers`, add, (t, j) => checkTracker(t, `${path}.trackers[${j}]`, id));
  });
  // The platform's keys after the Members', as the collector reads them.
  if (isObject(config.collector) && isObject(config.collector.email))
    emailReaders(config.collector.email, 'platform', 'collector.email');

  // A Member's cookie may not be one the platform or another Member declares: deleting or reading
  // it would then touch someone else's data (and a refusal of the Member's alone would keep it).
  const todo =
    "give the Member's tracker cookies of its own (ga4's cookiePrefix; a custom tracker's own names), or leave a vendor whose cookie names are fixed (Meta's _fbp, Segment's ajs_*) to one owner";
  // Each Member cookie once, against the first of another owner's before it that it collides with:
  // the platform's come first, then each Member's in the order of `members` (so a collision between
  // two Members is reported at the later one).
  cookies.forEach((c) => {
    if (c.owner === 'platform') return;
    for (const other of cookies) {
      if (other === c) return;
      if (other.owner === c.owner) continue;
      const overlap = cookieOverlap(c.name, other.name);
      if (!overlap) continue;
      const whose = `${other.owner === 'platform' ? 'the platform' : `Member ${other.owner}`}'s ${shown(other.name)} (${other.path})`;
      add(
        c.path,
        'name' in overlap ? 'cookie_collision' : 'uncheckable_cookie_pattern',
        'name' in overlap
          ? `cookie ${shown(c.name)} collides with ${whose}, both name "${overlap.name}": ${todo}`
          : `cookie ${shown(c.name)} may collide with ${whose}: ${shown(overlap.unsampled)} cannot be checked name by name (a lookaround or back-reference), and both begin with "${overlap.prefix}": ${todo}, or write the pattern without lookarounds and back-references`,
      );
      return;
    }
  });
  return issues;
}
