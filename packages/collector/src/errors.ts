/** Stable codes of every error `@optin/collector` throws or answers with. */
export type CollectorErrorCode =
  | 'invalid_config'
  | 'invalid_option'
  | 'invalid_event'
  | 'invalid_receipt'
  | 'missing_secret'
  | 'storage_failed'
  | 'sink_failed'
  | 'unsupported_database'
  | 'database_unavailable'
  | 'port_unavailable'
  | 'unstorable_text';

/** One problem found in an input, with the path of what was wrong. */
export interface CollectorIssue {
  /** Where the problem is, e.g. `members[1].orgs[0]`. */
  path: string;
  /** What is wrong there. */
  message: string;
}

/**
 * The one error class of `@optin/collector`. `code` is stable across releases; `issues` lists every
 * problem found (with its path); `hint` says what to do about it.
 */
export class CollectorError extends Error {
  /** Stable machine-readable code. */
  readonly code: CollectorErrorCode;
  /** Every problem found, each with its path. */
  readonly issues: readonly CollectorIssue[];
  /** What to do about it. */
  readonly hint: string;

  constructor(code: CollectorErrorCode, issues: readonly CollectorIssue[], hint: string, options?: ErrorOptions) {
    super(
      `${code}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}. ${hint}`,
      options,
    );
    this.name = 'CollectorError';
    this.code = code;
    this.issues = issues;
    this.hint = hint;
  }
}

/** Formats a zod issue path as `members[1].orgs[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${String(key)}`)).join('');
}
