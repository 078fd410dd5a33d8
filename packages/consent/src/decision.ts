/** Who or what made a decision. */
export type DecisionSource = 'banner' | 'preferences' | 'api' | 'gpc' | 'default';

/** Per-Member overrides: `{ HarvardX: { marketing: false } }`. They can only narrow a grant. */
export type MemberChoices = Readonly<Record<string, Readonly<Record<string, boolean>>>>;

/** What the learner decided, under which policy, when and through what. */
export interface Decision {
  /** Random id of this decision, quoted on its receipt. */
  readonly consentId: string;
  /** The policy decided on; `hash` changes whenever what was consented to changes. */
  readonly policy: { readonly id: string; readonly version: string; readonly hash: string };
  /** Every purpose of the policy, granted or not. Required purposes are always `true`. */
  readonly purposes: Readonly<Record<string, boolean>>;
  /** Member overrides; a `false` here refuses the purpose for that Member only. */
  readonly members: MemberChoices;
  /** Who or what made the decision. */
  readonly source: DecisionSource;
  /** ISO 8601 time of the decision. */
  readonly decidedAt: string;
  /** Global Privacy Control was on when the decision was made (so its grants are explicit). */
  readonly gpc?: boolean;
  /**
   * Some of its grants are opt-out mode's defaults, carried along when the learner changed something
   * else, not chosen by the learner: under opt-in they are no grants (only its refusals count) and
   * the learner is asked.
   */
  readonly implied?: boolean;
}

/** The purposes and Member overrides in force right now (a decision, or the mode's defaults). */
export type Grants = Pick<Decision, 'purposes' | 'members'>;
