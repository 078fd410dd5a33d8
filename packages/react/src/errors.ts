/**
 * Stable codes of {@link OptinReactError}: `missing_provider`, a hook used outside a
 * `<ConsentProvider>`; `missing_store`, a provider given neither a `consent` store nor `options`.
 */
export type OptinReactErrorCode = 'missing_provider' | 'missing_store';

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
