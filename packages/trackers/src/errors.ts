/** Stable codes of every error `@optin/trackers` throws or reports. */
export type TrackerErrorCode =
  /**
   * A tracker declaration is malformed (thrown by `defineTracker`), or does not fit the page (thrown
   * by `createHub`): no purpose at all, a purpose the policy does not have, a required (always-on)
   * purpose declared by a third party's tracker (it would load before any decision), an id two trackers share,
   * or no consent store to check them against (path `consent`).
   */
  | 'invalid_tracker'
  /** A built-in adapter was given a missing or malformed vendor id (thrown by the adapter: `ga4.id`). */
  | 'invalid_option'
  /** A static tag names a tracker the hub does not know (reported; the tag stays inert). */
  | 'unknown_tracker'
  /** A tracker threw, or its `load` rejected (reported). */
  | 'tracker_failed'
  /** A script a tracker asked for failed to load (reported). */
  | 'script_failed';

/** One problem, with the path of what was wrong: `trackers.ga4.cookies[0].name`, or `ga4.id` for an adapter's option. */
export interface TrackerIssue {
  /** Where the problem is. */
  path: string;
  /** What is wrong there. */
  message: string;
}

/**
 * The one error class of `@optin/trackers`. `code` is stable across releases; `issues` lists every
 * problem with its path (naming the tracker id, or the adapter and its option); `hint` says what to do about it.
 */
export class TrackerError extends Error {
  // Declared, and set with one Object.assign: no class field code, as every adapter's bundle has this class.
  /** Stable machine-readable code. */
  declare readonly code: TrackerErrorCode;
  /** Every problem found, each with its path. */
  declare readonly issues: readonly TrackerIssue[];
  /** What to do about it. */
  declare readonly hint: string;

  constructor(code: TrackerErrorCode, issues: readonly TrackerIssue[], hint: string, cause?: unknown) {
    super(`${code}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}. ${hint}`, { cause });
    Object.assign(this, { name: 'TrackerError', code, issues, hint });
  }
}
