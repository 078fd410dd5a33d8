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
 * Throws a {@link TrackerError} (`invalid_option`, path `<adapter>.<key>`, e.g. `ga4.id`) unless
 * `options` has a `key` (the vendor's id) that `pattern` matches: a missing or misspelt id fails here,
 * by name, not later as a TypeError inside the adapter or silently at the vendor.
 */
export function checkOptions(adapter: string, options: object | undefined, key: string, pattern: RegExp): void {
  const value = (options as Record<string, unknown> | undefined)?.[key];
  if (!pattern.test(typeof value === 'string' || typeof value === 'number' ? String(value) : ''))
    throw new TrackerError(
      'invalid_option',
      [{ path: `${adapter}.${key}`, message: `must match ${String(pattern)}` }],
      `Pass ${adapter}() its ${key} as the vendor shows it.`,
    );
}

/** The `id` and `owner` of an adapter's tracker. */
export function identity(name: string, { owner = 'platform', trackerId }: AdapterOptions): { id: string; owner: TrackerOwner } {
  return { id: trackerId ?? (owner === 'platform' ? name : `${owner}-${name}`), owner };
}
