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
 * `text` without the click ids among its parameters (`a=1&b=2`, from `start` to its end), the rest
 * kept as written; the separator before them (`?`, `#`) goes when none is left.
 */
function withoutClickIdParameters(text: string, start: number): string {
  const parameters = text.slice(start).split('&');
  const kept = parameters.filter((p) => !isClickId(p));
  if (kept.length === parameters.length) return text;
  const rest = kept.join('&');
  return rest ? `${text.slice(0, start)}${rest}` : text.slice(0, start - 1);
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

// A text read as a URL: one that begins with a scheme (`https:`, `android-app:`), a path (`/a`,
// `//host/a`), a query or a fragment, and holds no blank (a URL's are percent-encoded); never one
// that only holds a URL (`Note: see https://…`, JSON text).
const urlLike = /^(?:[a-z][a-z\d+.-]*:|[/?#])\S*$/i;

// The fields of a page (Segment's `context.page` and a `page` message's `properties`: `url`, `path`,
// `search`, `referrer`, `hash`): a URL or part of one, whatever it holds (`www.edx.org/?gclid=…`, a blank).
const urlFields = new Set(['url', 'path', 'search', 'referrer', 'hash']);

/**
 * A value of a message (an object, array or string, to `depth` levels of nesting below it) with the
 * click ids of every URL in it left out (see {@link withoutClickIds}: a string read as a URL, or any
 * string of a page's field, `url`, `path`, `search`, `referrer` or `hash`), and every field named like
 * a click id in any letter case (`gclid`, `GCLID`, `FbClid`) with its value, or `undefined` when
 * none held one. The value is not changed: what is changed is copied.
 */
export function withoutClickIdsIn(value: unknown, depth = maxNestingDepth, isUrl = false): unknown {
  if (typeof value === 'string') {
    if (!isUrl && !urlLike.test(value)) return undefined;
    const stripped = withoutClickIds(value);
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
    const name = key.toLowerCase();
    if (clickIdSet.has(name)) {
      Reflect.deleteProperty((fields ??= { ...value }), key);
      continue;
    }
    const stripped = withoutClickIdsIn((value as Record<string, unknown>)[key], depth - 1, urlFields.has(name));
    if (stripped !== undefined) (fields ??= { ...value })[key] = stripped;
  }
  return fields;
}
