import { TrackerError } from './errors.js';
import type { TrackerOwner } from './tracker.js';

/** Options every built-in adapter takes besides the vendor's own id. */
export interface AdapterOptions {
  /** `platform` (default) or the Member the tracker belongs to. */
  readonly owner?: TrackerOwner;
  /** Tracker id on the page; default the adapter's name for the platform, `<owner>-<name>` for a Member. */
  readonly trackerId?: string;
}

/**
 * The `id`, `owner` and `vendorId` of an adapter's tracker. Throws a {@link TrackerError}
 * (`invalid_option`, path `<adapter>.<key>`, e.g. `ga4.id`) unless `options` has a `key` (the
 * vendor's id) that `pattern` matches: a missing or misspelt id fails here, by name, not later as a
 * TypeError inside the adapter or silently at the vendor.
 */
export function adapterIdentity(
  adapter: string,
  options: AdapterOptions | undefined,
  key: string,
  pattern: RegExp,
): { id: string; owner: TrackerOwner; vendorId: string } {
  // A string or a number (a Meta or Hotjar id may be given as one); anything else ("[object Object]",
  // "true") matches no pattern.
  const vendorId = String((options as Record<string, string | number | undefined> | undefined)?.[key] ?? '');
  if (!pattern.test(vendorId))
    throw new TrackerError(
      'invalid_option',
      // (A RegExp in a template prints as String(pattern) does: shorter.)
      [{ path: `${adapter}.${key}`, message: `must match ${pattern}` }],
      `Copy ${key} from the vendor.`,
    );
  // (`??`, not a default: a JavaScript caller's `trackerId: null` means the default too.)
  const { owner = 'platform', trackerId } = options as AdapterOptions;
  return { id: trackerId ?? (owner == 'platform' ? adapter : `${owner}-${adapter}`), owner, vendorId };
}
