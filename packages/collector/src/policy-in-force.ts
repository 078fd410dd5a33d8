/** The policy a decision names: a receipt's `policy`, or an event's stamp (`context.consent.policy`). */
export interface PolicyNamed {
  /** The policy's version it was decided under (a receipt's always; @optin/analytics stamps it). */
  readonly version?: string | undefined;
  /** `policyHash` of `@optin/consent` over that policy (a receipt's always; a stamp's when given). */
  readonly hash?: string | undefined;
}

/**
 * Whether a decision was made under the policy in force (the configured one: its `version` and
 * `policyHash`): its `version`, and its `hash` when it names one, are the policy's. Of another
 * version or text, the policy changed since the learner decided: `@optin/consent` asks the learner
 * again, and the collector reads its grants as no consent (opt-in mode) or as the mode's defaults
 * (opt-out), its refusals still refusing. The one rule of receipts (`grantsInEffect`; the consent
 * rates' SQL compares the same columns) and of events' stamps (`consentVerdict`). A stamp naming the
 * policy by its id alone (`"edx"`, `{ id }`) names no version: read as made under the policy in force.
 */
export function decidedUnderPolicy(
  named: PolicyNamed,
  policy: { readonly version: string; readonly hash: string },
): boolean {
  return (
    (named.version === undefined || named.version === policy.version) &&
    (named.hash === undefined || named.hash === policy.hash)
  );
}
