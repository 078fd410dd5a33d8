/**
 * One tracker of the list of third parties, as the banner needs it. A `DeclaredTracker` of
 * `@optin/members` (from `registry.declaration()`) is one: pass the declaration in as data.
 */
export interface ThirdParty {
  /** Tracker id, e.g. `HarvardX/ga4`. */
  readonly id: string;
  /** `platform` or the Member id. */
  readonly owner: string;
  /** Name of the owner learners read (`edX` or the Member's name). */
  readonly ownerName: string;
  /** Purposes it serves. */
  readonly purposes: readonly string[];
  /**
   * Whether the tracker is the site's own (`first`: its opt-out is edX's or the Member's, which the
   * banner does not disown) or a third party's (`third`, as one that does not say is taken to be).
   * A string, so that a declaration read from JSON fits.
   */
  readonly party?: string | undefined;
  /** The vendor: its name and links. Links other than http(s) are not shown. */
  readonly vendor: {
    readonly name: string;
    readonly privacyUrl: string;
    readonly optOutUrl?: string | null;
  };
}

/**
 * One sender whose emails are tracked (open pixel, click links), as the banner needs it. A
 * `DeclaredEmail` of `@optin/members` is one.
 */
export interface EmailSender {
  /** `platform` or the Member id. */
  readonly owner: string;
  /** Name of the owner learners read (`edX` or the Member's name). */
  readonly ownerName: string;
  /**
   * The purposes that govern it (`analytics`): refused, its opens and clicks are not recorded. None
   * yet (a sender not configured, in a declaration read from JSON): listed with none.
   */
  readonly purposes?: readonly string[] | undefined;
  /** `first`: the pixel and the links are the platform's own collector, as `DeclaredEmail` says. */
  readonly party?: string | undefined;
  /** None: the learner's choice governs it, there is no vendor and no opt-out link. */
  readonly vendor?: undefined;
}

/** The list of third parties shown in the preferences: the declaration of `@optin/members` fits. */
export interface BannerDeclaration {
  /** Every tracker that may run on the page. */
  readonly trackers: readonly ThirdParty[];
  /** Every sender whose emails are tracked: listed as "Email opens and clicks", by sender. */
  readonly email?: readonly EmailSender[] | undefined;
}

/** The Member whose course page this is (e.g. `registry.scopeFor(location.href).member`). */
export interface BannerMember {
  /** Member id, as in `decide({ members: { [id]: ... } })`. */
  readonly id: string;
  /** Name learners read. */
  readonly name: string;
}
