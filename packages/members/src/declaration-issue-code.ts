import type { ConsentIssue, Policy, Purpose } from '@optin/consent';
import type { CookieDeclaration, Tracker, Vendor } from '@optin/trackers';
import type { ConfigIssueCode } from './errors.js';

/**
 * The code of a problem with a value that is there (not `undefined`), from the value alone:
 * `invalid_type` when it is of the wrong kind, else what a value of that kind can have wrong there;
 * `undefined` when nothing but a check this release does not know of could be.
 */
type Leaf = (value: unknown) => ConfigIssueCode | undefined;
/** What a field holds: a value ({@link Leaf}), a list of one kind (`[entry]`) or an object of known fields. */
type Field = Leaf | readonly [Field] | { readonly [key: string]: Field };
/** Every field of a `T` (a misspelt one is none of them), each with what it holds. */
type Fields<T> = { readonly [K in keyof T]-?: Field };

const isString = (v: unknown): v is string => typeof v === 'string';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An id: an empty one is `required`, one in another form `invalid_id` (its length too). */
const id: Leaf = (v) => (!isString(v) ? 'invalid_type' : v ? 'invalid_id' : 'required');
/** A text that must not be empty; `long` names one too long. */
const text =
  (long?: ConfigIssueCode): Leaf =>
  (v) =>
    !isString(v) ? 'invalid_type' : v ? long : 'required';
/** A string of a form of its own (a URL, a host, a lifetime): `code` names one in another form, an empty one too. */
const form =
  (code: ConfigIssueCode): Leaf =>
  (v) =>
    isString(v) ? code : 'invalid_type';
/** A flag; `code` names a rule a true one may break. */
const flag =
  (code?: ConfigIssueCode): Leaf =>
  (v) =>
    typeof v === 'boolean' ? code : 'invalid_type';
const behaviour: Leaf = (v) => (typeof v === 'function' ? undefined : 'invalid_type');
const party = form('invalid_party');
const url = form('invalid_url');

// What definePolicy (@optin/consent) and defineTracker (@optin/trackers) take: the kind of each field,
// never the form they hold it to (those packages judge that); typed over their types, so that a field
// they add and this table lacks does not compile.
const purpose: Fields<Purpose> = {
  id,
  label: text(),
  description: text(),
  required: flag(),
  // One not true or false is invalid_type, even where it is also said to be on a required purpose.
  gpc: flag('gpc_on_required'),
  group: text(),
};
const policy: Fields<Policy> = { id, version: text('too_long'), lang: form('invalid_lang'), purposes: [purpose] };
const vendor: Fields<Vendor> = { name: text(), privacyUrl: url, optOutUrl: url };
const cookie: Fields<CookieDeclaration> = {
  name: (v) => (v instanceof RegExp ? undefined : form('invalid_cookie_name')(v)),
  purpose: id,
  lifetime: form('invalid_lifetime'),
  party,
  // One of a few words (`localStorage`): any other value is not what the field holds.
  storage: () => 'invalid_type',
};
const tracker: Fields<Tracker> = {
  id,
  owner: id,
  purposes: [id],
  party,
  vendor,
  cookies: [cookie],
  hosts: [form('invalid_host')],
  vendorId: text(),
  unloadable: flag(),
  load: behaviour,
  unload: behaviour,
  page: behaviour,
  track: behaviour,
  identify: behaviour,
};

// One step of a path as definePolicy and defineTracker write them: `[2]`, `["a b"]`, `.id`, or `id`
// first; `.` alone after a step is the key `''` (defineTracker writes every key so).
const step = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|(?:\.|^(?=.))([^.[]*)/g;

/**
 * The code of a problem reported at `path` of `root` (`purposes[2].id`, `.cookies[0].lifetime`),
 * found from the value there and what `field` says that place holds: `unknown_field` for a field
 * the object does not have, `required` for one missing, `empty_slot` and `invalid_type` for an
 * entry of a list that is a hole or `undefined`, else what {@link Leaf} says of the value (a list
 * or an object: `invalid_type`, `required` when a list is empty). `fallback` when none applies.
 */
function codeAt(field: Field, root: unknown, path: string, fallback: ConfigIssueCode): ConfigIssueCode {
  let value = root;
  let entry = false;
  let hole = false;
  for (const [, index, quoted, key] of path.matchAll(step)) {
    entry = index !== undefined;
    if (entry) {
      if (!Array.isArray(field)) return fallback;
      hole = !(Array.isArray(value) && Number(index) in value);
      value = hole ? undefined : (value as unknown[])[Number(index)];
      field = field[0] as Field;
    } else {
      const name = quoted === undefined ? String(key) : (JSON.parse(quoted) as string);
      // A key with a dot in it (`a.b`) reads as two steps: only an unknown field can have one.
      if (typeof field === 'function' || Array.isArray(field) || !Object.hasOwn(field, name)) return 'unknown_field';
      hole = false;
      value = isObject(value) ? value[name] : undefined;
      field = (field as Record<string, Field>)[name] as Field;
    }
  }
  if (value === undefined) return hole ? 'empty_slot' : entry ? 'invalid_type' : 'required';
  if (typeof field === 'function') return field(value) ?? fallback;
  if (Array.isArray(field)) return !Array.isArray(value) ? 'invalid_type' : value.length ? fallback : 'required';
  return isObject(value) ? fallback : 'invalid_type';
}

/**
 * The value at `path` of `root`, a path as `validateConfig`, `definePolicy` and `defineTracker` write
 * them (`members[0].orgs[1]`, `.cookies[0].name`, `keys["hx-2026"]`); `undefined` where there is none.
 */
export function valueAt(root: unknown, path: string): unknown {
  let value = root;
  for (const [, index, quoted, key] of path.matchAll(step)) {
    const name = index ?? (quoted === undefined ? String(key) : (JSON.parse(quoted) as string));
    value =
      typeof value === 'object' && value !== null && Object.hasOwn(value, name)
        ? (value as Record<string, unknown>)[name]
        : undefined;
  }
  return value;
}

/**
 * The code of `issue`, one of the `issues` `definePolicy` reported in `input` (those of its
 * `ConsentError`, paths relative to the policy). A purpose id an earlier purpose has is
 * `duplicate_id`: told from what is wrong with the id itself (said at the earlier purpose too, in the
 * same words, for the same value) by what the earlier purpose's id does not have.
 */
export function policyIssueCode(input: unknown, issue: ConsentIssue, issues: readonly ConsentIssue[]): ConfigIssueCode {
  const purposes: unknown[] = isObject(input) && Array.isArray(input.purposes) ? input.purposes : [];
  const idOf = (p: unknown): unknown => (p == null ? undefined : (p as { id?: unknown }).id);
  const at = Number(/^purposes\[(\d+)\]\.id$/.exec(issue.path)?.[1] ?? -1);
  const own = idOf(purposes[at]);
  const first = own === undefined ? at : purposes.findIndex((p, i) => i in purposes && [idOf(p)].includes(own));
  return first < at && !issues.some((i) => i.path === `purposes[${first}].id` && i.message === issue.message)
    ? 'duplicate_id'
    : codeAt(policy, input, issue.path, 'invalid_policy');
}

/**
 * The code of a problem `defineTracker` reported at `path` of `input` (the tracker it was given), the
 * path after the tracker's own (`.cookies[0].lifetime`; `''` for the tracker itself).
 */
export function trackerIssueCode(input: unknown, path: string): ConfigIssueCode {
  return codeAt(tracker, input, path, 'invalid_tracker');
}
