import type { Decision, DecisionSource } from './decision.js';
import { own } from './own.js';

/** Proof of one decision, as the collector stores it (append-only). */
export interface ConsentReceipt {
  /** Who decided: an anonymous id or a user id (never an email address). */
  subject: string;
  /** The decision's id. */
  consentId: string;
  /** The policy decided on. */
  policy: { id: string; version: string; hash: string };
  /** Every purpose, granted or not. */
  purposes: Record<string, boolean>;
  /** Member overrides. */
  members: Record<string, Record<string, boolean>>;
  /** Who or what made the decision. */
  source: DecisionSource;
  /** ISO 8601 time of the decision. */
  decidedAt: string;
  /** Global Privacy Control was on when the decision was made. */
  gpc: boolean;
  /** Some grants are opt-out mode's defaults, not the learner's choice (see `Decision.implied`). */
  implied?: boolean;
}

/** Turns a decision into the receipt to post to the collector's `POST /v1/consent`. */
export function toReceipt(decision: Decision, subject: string): ConsentReceipt {
  return {
    subject,
    consentId: decision.consentId,
    policy: { ...decision.policy },
    purposes: { ...decision.purposes },
    members: Object.fromEntries(Object.entries(decision.members).map(([m, c]) => [m, { ...c }])),
    source: decision.source,
    decidedAt: decision.decidedAt,
    gpc: own(decision, 'gpc') === true,
    ...(decision.implied && { implied: true }),
  };
}
