import type { Decision } from '@optin/consent';

/**
 * Whether a learner's decision lets `member` track the emails it sends them (open pixel, click
 * links): analytics granted, and not refused for that Member — the rule the collector applies when
 * an open or click arrives. No decision yet means no: the demo is opt-in. When this is false the
 * email goes out unrewritten, as the `@optin/email` README asks.
 */
export function allowsEmailTracking(decision: Decision | null, member: string): boolean {
  return decision?.purposes.analytics === true && decision.members[member]?.analytics !== false;
}
