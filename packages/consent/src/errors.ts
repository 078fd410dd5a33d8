/** Stable codes of every error `@optin/consent` throws. */
export type ConsentErrorCode = 'invalid_policy' | 'invalid_choice' | 'invalid_option' | 'receipt_failed';

/** One problem found in an input, with the path of what was wrong. */
export interface ConsentIssue {
  /** Where the problem is, e.g. `purposes[2].id`. */
  path: string;
  /** What is wrong there. */
  message: string;
}

/**
 * The one error class of `@optin/consent`. `code` is stable across releases; `issues` lists every
 * problem found (with its path); `hint` says what to do about it.
 */
export class ConsentError extends Error {
  // Declared, not class fields: the constructor sets them (a bundle then carries no field list).
  /** Stable machine-readable code. */
  declare readonly code: ConsentErrorCode;
  /** Every problem found, each with its path. */
  declare readonly issues: readonly ConsentIssue[];
  /** What to do about it. */
  declare readonly hint: string;

  constructor(code: ConsentErrorCode, issues: readonly ConsentIssue[], hint: string) {
    super(`${code}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}. ${hint}`);
    this.name = 'ConsentError';
    this.code = code;
    this.issues = issues;
    this.hint = hint;
  }
}
