/** A character of a key's part (opaque-keys' allowed characters, but `%`). */
const part = '[\\p{L}\\p{N}_\\-~.]+';
/**
 * A course key with its namespace, anywhere in text, in any case (its `+` possibly read as
 * spaces), an asset's (`asset-v1:Org+Course+Run+type@asset+block@…`) too; never a `%` (read once decoded).
 */
const namespacedKey = new RegExp(
  `(ccx-block-v1|block-v1|ccx-v1|course-v1|asset-v1):(${part})(?:[+ ](${part})[+ ](${part}))?`,
  'giu',
);
/** What follows a key up to where it surely ends: a `%` in it, and the key is read once decoded. */
const keyTail = /[\p{L}\p{N}_\-~.%+]*/uy;
/** An old asset (`/c4x/Org/Course/…`) or usage (`i4x://Org/Course/…`) of a course. */
const oldAsset = new RegExp(`(?:/c4x/|i4x:/{1,2})(${part})/(${part})`, 'giu');
/**
 * A token of text (up to a blank, a quote, a bracket, `<>|^`, a backtick, `(),;`) that may hold a
 * path naming a course (a `:`, a `%` or `courses/`, as `courseKeysOfPath` reads).
 */
const pathToken = /(?<![^\s"'<>\\{}[\]|^`(),;])[^\s"'<>\\{}[\]|^`(),;]*(?:[:%]|courses?\/)[^\s"'<>\\{}[\]|^`(),;]*/gi;

/** Punctuation that may end a sentence after a key (`…2026.`), read as not the key's. */
export const trailingPunctuation = /[.~-]+$/;

/** A course key with its namespace that text names ({@link namespacedKeysIn}). */
export interface NamespacedKeyMention {
  /** Its namespace, as written (`course-v1`, `CCX-V1`, `asset-v1`, …). */
  readonly namespace: string;
  /** Its org. */
  readonly org: string;
  /** Its course and run; `undefined` for a key cut short at its org (`course-v1:MITx`), which may name any run of it. */
  readonly course: string | undefined;
  /** See `course`. */
  readonly run: string | undefined;
  /** Whether a `%` follows it (`course-v1:MITx+6.00x%2B2026`): it is what the text says once decoded. */
  readonly encoded: boolean;
}

/**
 * Every course key with its namespace in `text` (`course-v1:`, `ccx-v1:`, `block-v1:`,
 * `ccx-block-v1:`, `asset-v1:`, in any case, its `+` possibly read as spaces), by its org, course
 * and run; a key cut short names its org only. A CCX's (`ccx` namespaces) is its org's.
 *
 * @example namespacedKeysIn('img asset-v1:MITx+6.00x+2026+type@asset+block@a.png')[0]?.org // 'MITx'
 */
export function namespacedKeysIn(text: string): NamespacedKeyMention[] {
  if (!text.includes(':')) return [];
  return [...text.matchAll(namespacedKey)].map((m) => {
    const [whole, namespace = '', org = '', course, run] = m;
    keyTail.lastIndex = m.index + whole.length;
    return { namespace, org, course, run, encoded: keyTail.exec(text)?.[0].includes('%') ?? false };
  });
}

/**
 * The org and course of each old asset (`/c4x/Org/Course/asset/…`) or usage (`i4x://Org/Course/…`)
 * in `text`: they name a course, of any run.
 *
 * @example oldAssetsIn('/c4x/MITx/6.002x/asset/intro.png') // [{ org: 'MITx', course: '6.002x' }]
 */
export function oldAssetsIn(text: string): { org: string; course: string }[] {
  if (!/4x/i.test(text)) return [];
  return [...text.matchAll(oldAsset)].map(([, org = '', course = '']) => ({ org, course }));
}

/**
 * The URLs and paths in `text` that may name a course in their path (tokens holding a `/` and a
 * `:`, a `%` or `courses/`), each URL on its own (a URL in another's query is a piece of its own).
 * Read each with `courseKeysOfPath(piece, 'text')` after its `?#&=` are made `/`.
 *
 * @example pathPiecesIn('see /courses/MITx/6.002x/2012_Fall/info') // ['/courses/MITx/6.002x/2012_Fall/info']
 */
export function pathPiecesIn(text: string): string[] {
  if (!text.includes('/')) return [];
  return [...text.matchAll(pathToken)].flatMap(([token]) =>
    token.includes('/') ? token.split(/(?<![a-z\d+.-])(?=[a-z][a-z\d+.-]*:\/\/)/i) : [],
  );
}
