/** Stable codes of {@link BannerError}: `stale_translation`, a catalog's translation of a purpose whose text has changed since. */
export type BannerErrorCode = 'stale_translation';

/**
 * A problem in how the banner is configured, with a stable `code`, the `path` of what is wrong and a
 * `hint` of what to do. The banner reports it with `console.warn` and keeps working: it shows the
 * policy's own text where a translation does not fit.
 */
export class BannerError extends Error {
  // Declared, not class fields: the constructor sets them (a bundle then carries no field list).
  /** Stable machine-readable code. */
  declare readonly code: BannerErrorCode;
  /** Where the problem is, e.g. `locales.fr.purposes.edx.analytics`. */
  declare readonly path: string;
  /** What to do about it. */
  declare readonly hint: string;

  constructor(code: BannerErrorCode, path: string, message: string, hint: string) {
    super(`${code}: ${path}: ${message}. ${hint}`);
    Object.assign(this, { name: 'BannerError', code, path, hint });
  }
}
