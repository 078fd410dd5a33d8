/** Stable codes of {@link OptinReactError}. */
export type OptinReactErrorCode = 'missing_provider';

/** An error of `@optin/react`, with a stable `code`. */
export class OptinReactError extends Error {
  /** What went wrong, stable across versions. */
  readonly code: OptinReactErrorCode;

  constructor(code: OptinReactErrorCode, message: string) {
    super(message);
    this.name = 'OptinReactError';
    this.code = code;
  }
}
