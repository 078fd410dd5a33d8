import { maxNestingDepth } from './nesting-depth.js';

/**
 * Ad click ids: the query parameters an ad network appends to a landing page's URL to tie the visit
 * to the click on its ad (Google's `gclid`, `gbraid`, `wbraid`, `dclid`, Meta's `fbclid`, Microsoft's
 * `msclkid`, LinkedIn's `li_fat_id`, TikTok's `ttclid`, X's `twclid`, Mailchimp's `mc_cid`).
 */
export const clickIds: readonly string[] = [
  'gclid',
  'gbraid',
  'wbraid',
  'dclid',
  'fbclid',
  'msclkid',
  'li_fat_id',
  'ttclid',
  'twclid',
  'mc_cid',
];

const clickIdSet = new Set(clickIds);

// No click id's name can be in a text without one of these (a percent-encoded name has a `%`): most
// strings are returned at once, unsplit.
const mayHoldClickId = /clk?id|braid|fat_id|mc_cid|%/i;

/** Whether a query parameter (`name=value`, as written) is a click id, however its name is encoded or cased. */
function isClickId(parameter: string): boolean {
  const eq = parameter.indexOf('=');
  const written = (eq === -1 ? parameter : parameter.slice(0, eq)).replace(/\+/g, ' ');
  let name: string;
  try {
    name = decodeURIComponent(written);
  } catch {
    name = written;
  }
  return clickIdSet.has(name.toLowerCase());
}

/**
 * `text` without the click ids among its parameters (`a=1&b=2`, from `start` to its end, after one
 * more `?` as URLSearchParams reads `??gclid=…`), the rest kept as written; the separators before
 * them (`?`, `#`, `??`) go when none is left.
 */
function withoutClickIdParameters(text: string, start: number): string {
  const from = text[start] === '?' ? start + 1 : start;
  const parameters = text.slice(from).split('&');
  const kept = parameters.filter((p) => !isClickId(p));
  if (kept.length === parameters.length) return text;
  const rest = kept.join('&');
  return rest ? `${text.slice(0, from)}${rest}` : text.slice(0, start - 1);
}

/**
 * `text` without the click ids among the parameters of its query (`?a=1&gclid=…`) and of its
 * fragment, read as parameters (`#gclid=…&a=1`) or, in a hash route, as the route's query
 * (`#/course?fbclid=…`), as URLSearchParams reads them.
 */
function withoutClickIdsInQueryAndFragment(text: string): string {
  const hash = text.indexOf('#');
  const head = hash === -1 ? text : text.slice(0, hash);
  const q = head.indexOf('?');
  if (q === -1 && hash === -1) return text;
  const url = q === -1 ? head : withoutClickIdParameters(head, q + 1);
  if (hash === -1) return url;
  const fragment = text.slice(hash);
  const route = fragment.indexOf('?');
  return `${url}${withoutClickIdParameters(fragment, route === -1 ? 1 : route + 1)}`;
}

// A parameter in text: `name` or `name=value` after `?`, `&`, `#` or `;`, or `name=value` at the
// start or after a blank; its value up to the next `?`, `&`, `#`, `;`, blank or character a URL
// never holds unencoded (`"`, `<`, `>`, a backtick: text around a URL, as JSON's quotes); then
// the blank that follows it, if any.
const parameterInText =
  /(?:([?&#;])([^?&#;=\s"<>`]*)(=[^?&#;\s"<>`]*)?|(?<!\S)([^?&#;=\s"<>`]+)(=[^?&#;\s"<>`]*))(\s?)/g;

// How many times over a URL in a parameter's value is read percent-encoded (`%253F` is `?` encoded twice).
const encodedLayers = 3;

/**
 * A parameter's value (`=…`, as written) without the click ids of a URL or text percent-encoded in
 * it, to `layers` times over (`=%2Fcourse%3Fgclid%3D…%26x%3D1` gives `=%2Fcourse%3Fx%3D1`), encoded
 * again; as written when it holds none.
 */
function withoutEncodedClickIds(value: string, layers: number): string {
  if (layers === 0 || !value.includes('%')) return value;
  let decoded: string;
  try {
    decoded = decodeURIComponent(value.slice(1));
  } catch {
    return value;
  }
  let stripped = withoutClickIdsInString(decoded, layers - 1);
  if (stripped === decoded) stripped = withoutEncodedClickIds(`=${decoded}`, layers - 1).slice(1);
  return stripped === decoded ? value : `=${encodeURIComponent(stripped)}`;
}

/**
 * `text` without its click ids' parameters (`?gclid=…`, `&fbclid=…`, `#…`, `;…` or `gclid=…` at the
 * start or after a blank, each with a value; a `;` one's ends at a `/`, as a path's matrix
 * parameter), and those of a URL percent-encoded in a parameter's value, the rest kept as written;
 * one removed between blanks takes one of them along. In text that is not a URL, a `?` or `#`
 * before them stays when a parameter follows (`x.org/?gclid=…&a=1` gives `x.org/?a=1`); in a URL
 * (`keepSeparators`), the parameter that follows keeps its own (`#tab#gclid=…&a=1` gives `#tab&a=1`).
 */
function withoutClickIdsInText(text: string, keepSeparators: boolean, layers: number): string {
  // The separator of the click ids removed just before `end`, to give the parameter that follows them.
  let separator = '';
  let end = -1;
  return text.replace(
    parameterInText,
    (
      parameter: string,
      mark: string | undefined,
      name: string | undefined,
      value: string | undefined,
      bareName: string | undefined,
      bareValue: string | undefined,
      blank: string,
      at: number,
    ) => {
      const follows = at === end;
      const written = value ?? bareValue;
      if (written !== undefined && isClickId(name ?? bareName ?? '')) {
        const slash = mark === ';' ? written.indexOf('/') : -1;
        if (slash !== -1) return `${written.slice(slash)}${blank}`;
        if (!follows) separator = mark === '?' || mark === '#' ? mark : mark ? '&' : '';
        end = at + parameter.length - blank.length;
        return at === 0 || /\s/.test(text[at - 1] ?? '') ? '' : blank;
      }
      const kept =
        written === undefined
          ? parameter
          : `${parameter.slice(0, parameter.length - blank.length - written.length)}${withoutEncodedClickIds(written, layers)}${blank}`;
      return follows && mark === '&' && !keepSeparators ? `${separator}${kept.slice(1)}` : kept;
    },
  );
}

/**
 * A URL, a query string (`?a=1&b=2`, as `location.search` gives it) or a fragment (`#a=1`, as
 * `location.hash` gives it) without its click ids' parameters: those of its query and of its
 * fragment, read as parameters (`#gclid=…&a=1`) or, in a hash route, as the route's query
 * (`#/course?fbclid=…`), then any other left in it: a path's matrix parameter
 * (`/course;gclid=…`), one after a second `#` (`#tab#gclid=…`), after a `?` in a value
 * (`?next=https://x.org/?gclid=…`) or in a URL percent-encoded in a value (`?next=%2F%3Fgclid%3D…`). The rest of it (other parameters, their order, the path, an
 * anchor) is kept as written.
 */
export function withoutClickIds(text: string): string {
  if (!mayHoldClickId.test(text)) return text;
  return withoutClickIdsInText(withoutClickIdsInQueryAndFragment(text), true, encodedLayers);
}

// A text read as a URL: one that begins with a scheme (`https:`, `android-app:`), a path (`/a`,
// `//host/a`), a query or a fragment, and holds no blank (a URL's are percent-encoded); never one
// that only holds a URL (`Note: see https://…`, JSON text), read as text.
const urlLike = /^(?:[a-z][a-z\d+.-]*:|[/?#])\S*$/i;

/**
 * `text` without its click ids: read as a URL (blanks around it aside) or as text holding some, and
 * in a parameter's value percent-encoded to `layers` times over.
 */
function withoutClickIdsInString(text: string, layers: number): string {
  if (!mayHoldClickId.test(text)) return text;
  return urlLike.test(text.trim())
    ? withoutClickIdsInText(withoutClickIdsInQueryAndFragment(text), true, layers)
    : withoutClickIdsInText(text, false, layers);
}

/**
 * A value of a message (an object, array or string, to `depth` levels of nesting below it) with the
 * click ids of every URL in it left out (see {@link withoutClickIds}: a string read as a URL, blanks
 * around it aside), and those of any other string that holds one (`www.edx.org/?gclid=…`,
 * `Shared x.org/?fbclid=… with a friend`, `gclid=…&utm_source=…`), the text around them kept; and
 * every field named like a click id in any letter case, blanks around it aside (`gclid`, `GCLID`,
 * `FbClid `), with its value; or `undefined` when none held one. The value is not changed: what is
 * changed is copied.
 */
export function withoutClickIdsIn(value: unknown, depth = maxNestingDepth): unknown {
  if (typeof value === 'string') {
    const stripped = withoutClickIdsInString(value, encodedLayers);
    return stripped === value ? undefined : stripped;
  }
  if (typeof value !== 'object' || value === null || depth === 0) return undefined;
  if (Array.isArray(value)) {
    const array: readonly unknown[] = value;
    let items: unknown[] | undefined;
    for (let i = 0; i < array.length; i++) {
      const stripped = withoutClickIdsIn(array[i], depth - 1);
      if (stripped !== undefined) (items ??= [...array])[i] = stripped;
    }
    return items;
  }
  let fields: Record<string, unknown> | undefined;
  for (const key in value) {
    if (clickIdSet.has(key.trim().toLowerCase())) {
      Reflect.deleteProperty((fields ??= { ...value }), key);
      continue;
    }
    const stripped = withoutClickIdsIn((value as Record<string, unknown>)[key], depth - 1);
    if (stripped !== undefined) (fields ??= { ...value })[key] = stripped;
  }
  return fields;
}
