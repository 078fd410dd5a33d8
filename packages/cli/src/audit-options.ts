import { parse } from 'tldts';
import type { MemberRefusals } from './consent-state.js';
import { CliError } from './errors.js';

// A cookie name as RFC 6265 allows it: a token, one or more characters, no separators.
const cookieToken = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Checks `--site`: a host name (no scheme, port or path), and a registrable domain or a name under
 * one, an IP address or `localhost`. A public suffix (`com`, `co.uk`, `github.io`) would make every
 * site under it the page's own, so that no request to any of them is ever reported: a
 * {@link CliError} `invalid_argument`, as is anything else.
 */
export function checkSite(site: string): string {
  const name = site.toLowerCase().replace(/\.$/, '');
  const parsed = parse(name, { allowPrivateDomains: true });
  const host = parsed.isIp && parsed.hostname?.includes(':') ? `[${parsed.hostname}]` : parsed.hostname;
  const problem =
    !name || host !== name
      ? `"${site}" is not a host name`
      : parsed.isIp || name === 'localhost' || parsed.domain
        ? null
        : `"${site}" is a public suffix: every site under it would count as the page's own, and none of their requests would be reported`;
  if (problem)
    throw new CliError(
      'invalid_argument',
      [{ path: '--site', message: problem }],
      "Give the page's registrable domain, e.g. --site edx.org, or leave --site out to use the page host's.",
    );
  return site;
}

/** Checks `--cookie-name`: a cookie name the browser can hold (RFC 6265 token), else a {@link CliError}. */
export function checkCookieName(name: string): string {
  if (!cookieToken.test(name))
    throw new CliError(
      'invalid_argument',
      [{ path: '--cookie-name', message: `"${name}" is not a cookie name` }],
      "Give the name of the consent cookie the page reads (default optin): letters, digits and !#$%&'*+-.^_`|~.",
    );
  return name;
}

/**
 * Reads `--refuse` (repeatable, each a comma-separated list of `Member:purpose`) into the purposes
 * refused per Member: `['HarvardX:marketing,MITx:analytics']` is `{ HarvardX: ['marketing'], MITx:
 * ['analytics'] }`. Anything else is a {@link CliError} `invalid_argument` naming it.
 */
export function parseRefusals(values: readonly string[]): MemberRefusals {
  const refused: Record<string, string[]> = {};
  for (const item of values.flatMap((v) => v.split(',')).map((i) => i.trim())) {
    const [member, purpose, ...rest] = item.split(':').map((part) => part.trim());
    if (!member || !purpose || rest.length)
      throw new CliError(
        'invalid_argument',
        [{ path: '--refuse', message: `"${item}" is not Member:purpose` }],
        'Give a Member and a purpose it is refused for, e.g. --refuse HarvardX:marketing (repeat it, or separate several with commas); to refuse a purpose for every Member and the platform, leave it out of --consent.',
      );
    const purposes = (refused[member] ??= []);
    if (!purposes.includes(purpose)) purposes.push(purpose);
  }
  return refused;
}

/**
 * Checks that every Member a learner refused something for (`--refuse HarvardX:marketing`) is one of
 * `members`, the config's: a refusal for a Member id the pages never ask about (`Harvard`) would
 * refuse nothing, and the audit would pass a page it should fail. Else a {@link CliError} naming each.
 */
export function checkRefusedMembers(refused: MemberRefusals, members: readonly string[]): MemberRefusals {
  const issues = Object.entries(refused).flatMap(([member, purposes]) =>
    members.includes(member)
      ? []
      : purposes.map((p) => ({
          path: '--refuse',
          message: `"${member}:${p}": "${member}" is not a Member of the config`,
        })),
  );
  if (issues.length)
    throw new CliError(
      'invalid_argument',
      issues,
      `Refuse a purpose for one of the Members of the config: ${members.join(', ') || '(no Members)'}.`,
    );
  return refused;
}

/**
 * Checks `--resolve` (each a comma-separated list of Chromium host resolver rules): every rule must
 * be `MAP <host pattern> <address or host>` or `EXCLUDE <host pattern>`, as Chromium reads them. One
 * it cannot read it skips without a word, so that the audit would reach the real host (production
 * for staging): a {@link CliError} `invalid_argument` naming it.
 */
export function checkHostRules(values: readonly string[]): readonly string[] {
  const issues = values
    // A blank --resolve is a rule of its own (no rule at all); an empty one after a comma is skipped.
    .flatMap((v) =>
      v.trim()
        ? v
            .split(',')
            .map((rule) => rule.trim())
            .filter(Boolean)
        : [v],
    )
    .filter((rule) => !/^(map\s+\S+\s+\S+|exclude\s+\S+)$/i.test(rule))
    .map((rule) => ({ path: '--resolve', message: `"${rule}" is not a host resolver rule` }));
  if (issues.length)
    throw new CliError(
      'invalid_argument',
      issues,
      'Give rules as Chromium reads them, MAP <host pattern> <address> or EXCLUDE <host pattern>, e.g. --resolve "MAP *.edx.org 127.0.0.1" (several separated by commas, or --resolve repeated).',
    );
  return values;
}
