/** Stable codes of every error `@optin/analytics` throws or reports. */
export type AnalyticsErrorCode =
  /** An option of `firstParty` is wrong (thrown). */
  | 'invalid_option'
  /** The collector refused a batch, or it could not be delivered after every retry (reported; the batch is dropped). */
  | 'delivery_failed';

/**
 * The one error class of `@optin/analytics`. `code` is stable across releases; `path` names what was
 * wrong (an option, or the endpoint); the message says what to do about it.
 */
export class AnalyticsError extends Error {
  /** Stable machine-readable code. */
  declare readonly code: AnalyticsErrorCode;
  /** Where the problem is: `endpoint`, `batchSize`, ... */
  declare readonly path: string;

  constructor(code: AnalyticsErrorCode, path: string, message: string) {
    super(`${code}: ${path}: ${message}`);
    this.name = 'AnalyticsError';
    this.code = code;
    this.path = path;
  }
}

/** Throws the {@link AnalyticsError} of a wrong option (`invalid_option`), `path` the option. */
export function invalidOption(path: string, message: string): never {
  throw new AnalyticsError('invalid_option', path, message);
}
