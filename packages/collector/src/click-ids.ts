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
// URLs are returned at once, unsplit.
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
 * A URL, or a query string (`?a=1&b=2`, as `location.search` gives it), without its click ids'
 * parameters; the rest of it (other parameters, their order, the fragment) is kept as written.
 */
export function withoutClickIds(text: string): string {
  const q = text.indexOf('?');
  if (q === -1 || !mayHoldClickId.test(text)) return text;
  const hash = text.indexOf('#', q);
  const end = hash === -1 ? text.length : hash;
  const parameters = text.slice(q + 1, end).split('&');
  const kept = parameters.filter((p) => !isClickId(p));
  if (kept.length === parameters.length) return text;
  const query = kept.join('&');
  return `${text.slice(0, query ? q + 1 : q)}${query}${text.slice(end)}`;
}
