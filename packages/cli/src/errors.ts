/** Stable codes of every error `@optin/cli` throws. */
export type CliErrorCode = 'config_not_found' | 'invalid_config' | 'invalid_argument' | 'browser_failed';

/** One problem, with the path of what was wrong (`members[1].trackers[0].id`, `--consent`). */
export interface CliIssue {
  /** Where the problem is: a config path, a file or a command-line option. */
  path: string;
  /** What is wrong there. */
  message: string;
}

/**
 * The one error class of `@optin/cli`. `code` is stable across releases; `issues` lists every
 * problem found, each with its path; `hint` says what to do about it.
 */
export class CliError extends Error {
  /** Stable machine-readable code. */
  readonly code: CliErrorCode;
  /** Every problem found, each with its path. */
  readonly issues: readonly CliIssue[];
  /** What to do about it. */
  readonly hint: string;

  constructor(code: CliErrorCode, issues: readonly CliIssue[], hint: string, options?: ErrorOptions) {
    super(`${code}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}. ${hint}`, options);
    this.name = 'CliError';
    this.code = code;
    this.issues = issues;
    this.hint = hint;
  }
}
