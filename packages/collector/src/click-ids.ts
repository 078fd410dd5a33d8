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

// No click id's name can be in a query or fragment without one of these (a percent-encoded name has a
// `%`): most URLs are returned at once, unsplit.
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
 * A URL, a query string (`?a=1&b=2`, as `location.search` gives it) or a fragment (`#a=1`, as
 * `location.hash` gives it) without its click ids' parameters: those of its query and of its
 * fragment, read as parameters (`#gclid=…&a=1`) or, in a hash route, as the route's query
 * (`#/course?fbclid=…`). The rest of it (other parameters, their order, the path, an anchor) is kept
 * as written.
 */
export function withoutClickIds(text: string): string {
  const hash = text.indexOf('#');
  const head = hash === -1 ? text : text.slice(0, hash);
  const q = head.indexOf('?');
  const from = q === -1 ? hash : q;
  if (from === -1 || !mayHoldClickId.test(text.slice(from))) return text;
  const url = q === -1 ? head : withoutClickIdParameters(head, q + 1);
  if (hash === -1) return url;
  const fragment = text.slice(hash);
  const route = fragment.indexOf('?');
  return `${url}${withoutClickIdParameters(fragment, route === -1 ? 1 : route + 1)}`;
}

// A parameter in text (`?name=value`, `&…`, `#…`, `;…`), its value up to the next separator or blank.
const parameterInText = /[?&#;]([^?&#;=\s]*)(=[^&#;\s]*)?/g;

/**
 * A text that is not a URL (`Pasted: https://x.org/?gclid=… and more`, `x.org/?a=1&gclid=…`)
 * without its click ids' parameters (`?gclid=…`, `&fbclid=…`, `#…`, `;…`, each with a value), the
 * rest kept as written: a `?` or `#` before them stays when a parameter follows (`?gclid=…&a=1` gives
 * `?a=1`).
 */
function withoutClickIdsInText(text: string): string {
  // The separator of the click ids removed just before `end`, to give the parameter that follows them.
  let separator = '';
  let end = -1;
  return text.replace(parameterInText, (parameter: string, name: string, value: string | undefined, at: number) => {
    const pending = at === end ? separator : '';
    if (value !== undefined && isClickId(name)) {
      if (!pending) separator = parameter[0] === '?' || parameter[0] === '#' ? parameter[0] : '';
      end = at + parameter.length;
      return '';
    }
    return pending && parameter[0] === '&' ? `${pending}${parameter.slice(1)}` : parameter;
  });
}

// A text read as a URL: one that begins with a scheme (`https:`, `android-app:`), a path (`/a`,
// `//host/a`), a query or a fragment, and holds no blank (a URL's are percent-encoded); never one
// that only holds a URL (`Note: see https://…`, JSON text).
const urlLike = /^(?:[a-z][a-z\d+.-]*:|[/?#])\S*$/i;

// The fields of a page (Segment's `context.page` and a `page` message's `properties`: `url`, `path`,
// `search`, `referrer`, `hash`): a URL or part of one, or text that may hold one (`www.edx.org/?gclid=…`,
// a URL with a blank, `Pasted: https://…`).
const urlFields = new Set(['url', 'path', 'search', 'referrer', 'hash']);

/**
 * A value of a message (an object, array or string, to `depth` levels of nesting below it) with the
 * click ids of every URL in it left out (see {@link withoutClickIds}: a string read as a URL, blanks
 * around it aside), and those of any other string of a page's field (`url`, `path`, `search`,
 * `referrer` or `hash`, or an array of them), the text around them kept; and every field named like
 * a click id in any letter case, blanks around it aside (`gclid`, `GCLID`, `FbClid `), with its
 * value; or `undefined` when none held one. The value is not changed: what is changed is copied.
 */
export function withoutClickIdsIn(value: unknown, depth = maxNestingDepth, isUrl = false): unknown {
  if (typeof value === 'string') {
    const url = urlLike.test(value.trim());
    if (!url && !isUrl) return undefined;
    const stripped = url ? withoutClickIds(value) : withoutClickIdsInText(value);
    return stripped === value ? undefined : stripped;
  }
  if (typeof value !== 'object' || value === null || depth === 0) return undefined;
  if (Array.isArray(value)) {
    const array: readonly unknown[] = value;
    let items: unknown[] | undefined;
    for (let i = 0; i < array.length; i++) {
      const stripped = withoutClickIdsIn(array[i], depth - 1, isUrl);
      if (stripped !== undefined) (items ??= [...array])[i] = stripped;
    }
    return items;
  }
  let fields: Record<string, unknown> | undefined;
  for (const key in value) {
    const name = key.trim().toLowerCase();
    if (clickIdSet.has(name)) {
      Reflect.deleteProperty((fields ??= { ...value }), key);
      continue;
    }
    const stripped = withoutClickIdsIn((value as Record<string, unknown>)[key], depth - 1, urlFields.has(name));
    if (stripped !== undefined) (fields ??= { ...value })[key] = stripped;
  }
  return fields;
}
