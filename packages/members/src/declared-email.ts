import type { Party } from '@optin/trackers';
import type { Member, OptinConfig } from './config.js';

/** What an email's tracking records, as `@optin/email` names its tokens: `open` (the pixel) and `click` (a link). */
export type EmailRecord = 'open' | 'click';

/**
 * One sender's email tracking as learners see it listed: the signed open pixel and click links of
 * `@optin/email`, verified and recorded by `@optin/collector`. The learner's consent choice governs
 * it, there is no vendor opt-out: an open or click is recorded for the recipient only as their latest
 * consent receipt (the token's `subject`) allows `purposes` — and, for a Member, does not refuse them
 * to that Member — and is otherwise only counted (a click still reaches its link).
 */
export interface DeclaredEmail {
  /** `platform` or the Member id. */
  readonly owner: string;
  /** Name of the owner learners read (`edX` or the Member's name). */
  readonly ownerName: string;
  /** The purposes that govern it: `analytics`, the purpose the collector records opens and clicks under. */
  readonly purposes: readonly string[];
  /** `first`: the pixel and the links are the platform's own collector, no vendor's. */
  readonly party: Party;
  /** What is recorded: `open` (the email was opened) and `click` (a link in it was followed, with its URL). */
  readonly records: readonly EmailRecord[];
  /**
   * The collector's `mode`, how consent governs it: `opt-in` (the default), recorded for a recipient
   * only when their receipt grants `purposes` (a recipient without one is only counted); `opt-out`,
   * recorded unless their receipt refuses them.
   */
  readonly consentMode: 'opt-in' | 'opt-out';
}

// The purpose @optin/collector's email routes record opens and clicks under (its email-routes.ts):
// members may not import the collector (DESIGN.md's import order), so it is repeated here.
export const emailPurpose = 'analytics';

/**
 * Whether an `email` setting names a signing key, as `@optin/collector` reads it (its email-keys.ts):
 * a `keyId`, or a key in `keys`. Without one the collector verifies none of the sender's tokens.
 */
function namesKey(email: unknown): boolean {
  if (typeof email !== 'object' || email === null) return false;
  const { keyId, keys } = email as { keyId?: unknown; keys?: unknown };
  return (
    (typeof keyId === 'string' && keyId !== '') ||
    (typeof keys === 'object' && keys !== null && Object.keys(keys).length > 0)
  );
}

/**
 * The email tracking of a config, for `members` (all of them, or the one a declaration is for): the
 * platform's when the collector's `email` names a key, then each Member's whose `email` does.
 */
export function declareEmail(config: OptinConfig, members: readonly Member[]): DeclaredEmail[] {
  const consentMode = config.collector?.mode === 'opt-out' ? 'opt-out' : 'opt-in';
  const senders = [
    ...(namesKey(config.collector?.email) ? [{ owner: 'platform', ownerName: 'edX' }] : []),
    ...members.filter((m) => namesKey(m.email)).map((m) => ({ owner: m.id, ownerName: m.name })),
  ];
  return senders.map((s) => ({
    ...s,
    purposes: [emailPurpose],
    party: 'first',
    records: ['open', 'click'],
    consentMode,
  }));
}
