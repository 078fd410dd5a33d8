import { createConsent, encodeDecision, type Policy } from '@optin/consent';
import { CliError } from './errors.js';

/** The learner an audit plays: `none` (has not decided), `all` (accepted all), or the purposes granted. */
export type AuditConsent = 'none' | 'all' | readonly string[];

/**
 * Purposes a learner refused for one Member only, by Member id: `{ HarvardX: ['marketing'] }` (in the
 * decision, `members: { HarvardX: { marketing: false } }`). They narrow what `consent` grants for that
 * Member's trackers; the platform and other Members keep the grant.
 */
export type MemberRefusals = Readonly<Record<string, readonly string[]>>;

/** What a learner who made `consent` allows, and the cookie value that carries it (none for `none`). */
export interface ConsentState {
  /**
   * Whether `purpose` is allowed, for the trackers of `owner` when given (`platform` or a Member id),
   * as the hub asks: a Member's refusal narrows the grant for that Member only.
   */
  allows(purpose: string, owner?: string): boolean;
  /** The consent cookie's value, or `null` when the learner has not decided. */
  readonly cookie: string | null;
}

/** The browser and site an audit plays the learner in (`--mode`, `--gpc`). */
export interface AuditLearner {
  /** The site's consent mode: `opt-in` (default) or `opt-out` (without a decision, purposes are on). */
  readonly mode?: 'opt-in' | 'opt-out';
  /** Whether the learner's browser sends Global Privacy Control. Default false. */
  readonly gpc?: boolean;
  /** Purposes the learner refused for one Member only (`--refuse HarvardX:marketing`). Default none. */
  readonly refused?: MemberRefusals;
}

/**
 * Turns `--consent none|all|<purpose,purpose>` into what is allowed and the cookie to plant before the
 * page loads, made by the same codec and rules the page uses (`@optin/consent`): without a decision,
 * required purposes only under opt-in, every purpose under opt-out; with GPC, what it refuses stays
 * refused unless `consent` names it. Refusals for a Member (`learner.refused`) go in the same decision,
 * as the preferences center stores them (`members: { HarvardX: { marketing: false } }`). Unknown
 * purposes, a refused required purpose, and refusals by a learner who has not decided (`none`) are a
 * {@link CliError} naming each; which Members exist is the config's to say (see `audit`).
 */
export function consentState(policy: Policy, consent: AuditConsent, learner: AuditLearner = {}): ConsentState {
  const store = createConsent({
    policy,
    mode: learner.mode ?? 'opt-in',
    storage: 'memory',
    signals: { gpc: learner.gpc ?? false },
  });
  if (consent === 'all') store.acceptAll('banner');
  else if (consent !== 'none') {
    const unknown = consent.filter((id) => !policy.purposes.some((p) => p.id === id));
    if (unknown.length)
      throw new CliError(
        'invalid_argument',
        unknown.map((id) => ({ path: '--consent', message: `"${id}" is not a purpose of policy ${policy.id}` })),
        `Use none, all, or a comma-separated list of ${policy.purposes.map((p) => p.id).join(', ')}.`,
      );
    store.decide(
      {
        purposes: Object.fromEntries(
          policy.purposes.filter((p) => !p.required).map((p) => [p.id, consent.includes(p.id)]),
        ),
      },
      'banner',
    );
  }
  const refused = Object.entries(learner.refused ?? {}).filter(([, purposes]) => purposes.length);
  if (refused.length && consent === 'none')
    throw new CliError(
      'invalid_argument',
      [
        {
          path: '--refuse',
          message: 'a learner who has not decided (--consent none) has refused nothing for a Member',
        },
      ],
      'Give the purposes the learner granted with --consent (all, or a list such as analytics,marketing), and those refused for a Member with --refuse.',
    );
  if (refused.length) {
    const issues = refused.flatMap(([member, purposes]) =>
      purposes.flatMap((id) => {
        const purpose = policy.purposes.find((p) => p.id === id);
        const problem = !purpose
          ? `"${id}" is not a purpose of policy ${policy.id}`
          : purpose.required
            ? `"${id}" is required: always on, it cannot be refused`
            : null;
        return problem ? [{ path: '--refuse', message: `"${member}:${id}": ${problem}` }] : [];
      }),
    );
    if (issues.length)
      throw new CliError(
        'invalid_argument',
        issues,
        `Refuse one of ${policy.purposes
          .filter((p) => !p.required)
          .map((p) => p.id)
          .join(', ')} for a Member, e.g. --refuse HarvardX:marketing.`,
      );
    // As the preferences center records it: a second choice, on top of the one above.
    store.decide(
      {
        members: Object.fromEntries(
          refused.map(([member, purposes]) => [member, Object.fromEntries(purposes.map((p) => [p, false]))]),
        ),
      },
      'preferences',
    );
  }
  const { decision } = store;
  return {
    allows: (purpose, owner) => store.allows(purpose, owner),
    cookie: decision && encodeDecision(decision, policy),
  };
}
