import { createConsent, encodeDecision, type Policy } from '@optin/consent';
import { CliError } from './errors.js';

/** The learner an audit plays: `none` (has not decided), `all` (accepted all), or the purposes granted. */
export type AuditConsent = 'none' | 'all' | readonly string[];

/** What a learner who made `consent` allows, and the cookie value that carries it (none for `none`). */
export interface ConsentState {
  /** Whether `purpose` is allowed. */
  allows(purpose: string): boolean;
  /** The consent cookie's value, or `null` when the learner has not decided. */
  readonly cookie: string | null;
}

/** The browser and site an audit plays the learner in (`--mode`, `--gpc`). */
export interface AuditLearner {
  /** The site's consent mode: `opt-in` (default) or `opt-out` (without a decision, purposes are on). */
  readonly mode?: 'opt-in' | 'opt-out';
  /** Whether the learner's browser sends Global Privacy Control. Default false. */
  readonly gpc?: boolean;
}

/**
 * Turns `--consent none|all|<purpose,purpose>` into what is allowed and the cookie to plant before the
 * page loads, made by the same codec and rules the page uses (`@optin/consent`): without a decision,
 * required purposes only under opt-in, every purpose under opt-out; with GPC, what it refuses stays
 * refused unless `consent` names it. Unknown purposes are a {@link CliError} naming them.
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
  const { decision } = store;
  return { allows: (purpose) => store.allows(purpose), cookie: decision && encodeDecision(decision, policy) };
}
