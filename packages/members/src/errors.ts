/**
 * Stable codes of every error `@optin/members` throws: `invalid_config` (by `defineConfig`),
 * `unknown_member` (a declaration asked for a Member the config does not have).
 */
export type MembersErrorCode = 'invalid_config' | 'unknown_member';

/** One problem in a config, with the path of what was wrong: `members[1].trackers[0].id`. */
export interface ConfigIssue {
  /** Where the problem is. */
  path: string;
  /** What is wrong there, and what to do. */
  message: string;
}

/**
 * The one error class of `@optin/members`: thrown by `defineConfig` with **every** problem of the
 * config, each with its path, and by `buildDeclaration` for an unknown Member. `code` is stable
 * across releases.
 */
export class MembersError extends Error {
  /** Stable machine-readable code. */
  readonly code: MembersErrorCode;
  /** Every problem found, each with its path. */
  readonly issues: readonly ConfigIssue[];
  /** What to do about it. */
  readonly hint: string;

  constructor(code: MembersErrorCode, issues: readonly ConfigIssue[], hint: string) {
    super(
      `${code}: ${issues.length} problem(s)\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}\n${hint}`,
    );
    this.name = 'MembersError';
    this.code = code;
    this.issues = issues;
    this.hint = hint;
  }
}
