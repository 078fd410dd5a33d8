/** Stable codes of every error `@optin/email` throws. */
export type EmailErrorCode =
  | 'invalid_option'
  | 'invalid_key'
  | 'invalid_meta'
  | 'invalid_argument'
  | 'invalid_url'
  | 'recipient_in_url'
  | 'unreadable_token'
  | 'member_mismatch';

/**
 * The one error class of `@optin/email`. `code` is stable across releases; `path` names the input
 * that was wrong (`keys.hx-2026`, `meta.expiresAt`, `url`); `hint` says what to do about it.
 *
 * Messages never repeat the recipient's address, a secret, or a URL that may carry either.
 */
export class EmailError extends Error {
  /** Stable machine-readable code. */
  readonly code: EmailErrorCode;
  /** Where the problem is, e.g. `meta.messageId`. */
  readonly path: string;
  /** What to do about it. */
  readonly hint: string;

  constructor(code: EmailErrorCode, path: string, message: string, hint: string) {
    super(`${code}: ${path}: ${message}. ${hint}`);
    this.name = 'EmailError';
    this.code = code;
    this.path = path;
    this.hint = hint;
  }
}
