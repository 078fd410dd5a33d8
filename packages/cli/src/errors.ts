import type { ConfigIssueCode } from '@optin/members';

/** Stable codes of every error `@optin/cli` throws, or the CLI answers with (`internal_error`). */
export type CliErrorCode =
  | 'config_not_found'
  | 'invalid_config'
  | 'invalid_argument'
  | 'browser_failed'
  /** An error optin did not expect (not the config's, nor the command line's): its message says what. */
  | 'internal_error';

/**
 * Stable code of one problem of an `invalid_config` error: those of `@optin/members` (its README's
 * table), and of what only the CLI finds (this package's README).
 */
export type ConfigProblemCode =
  | ConfigIssueCode
  /** A wildcard host over a public suffix (`*.co.uk`): it would declare every site under it. */
  | 'public_suffix_host'
  /** The config file does not parse or compile, at `file:line:column`. */
  | 'syntax_error'
  /** The config file exports no config (no default or `config` export, or `null`). */
  | 'no_config_export'
  /** The config file threw as it was imported (a package it imports is missing, a statement failed). */
  | 'import_failed'
  /** An adapter threw on its options as the config was imported (`ga4({ id: 'x' })`), as `@optin/trackers` reports it. */
  | 'invalid_option';

/** One problem, with the path of what was wrong (`members[1].trackers[0].id`, `--consent`). */
export interface CliIssue {
  /** Where the problem is: a config path, a file or a command-line option. */
  path: string;
  /** What kind of problem it is: set on every problem of an `invalid_config` error. */
  code?: ConfigProblemCode;
  /**
   * Where in the config file the call that threw it is, `file:line:column`: set on a problem that
   * `defineConfig`, `defineTracker`, `definePolicy` or an adapter threw as the file was imported,
   * whose `path` is then the one that call's package gave (`trackers.hotjar.cookies[0].lifetime`, `ga4.id`).
   */
  at?: string;
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
