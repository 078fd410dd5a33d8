import type { TrackerOwner } from './tracker.js';

/** Options every built-in adapter takes besides the vendor's own id. */
export interface AdapterOptions {
  /** `platform` (default) or the Member the tracker belongs to. */
  readonly owner?: TrackerOwner;
  /** Tracker id on the page; default the adapter's name for the platform, `<owner>-<name>` for a Member. */
  readonly trackerId?: string;
}

/** The `id` and `owner` of an adapter's tracker. */
export function identity(name: string, { owner = 'platform', trackerId }: AdapterOptions): { id: string; owner: TrackerOwner } {
  return { id: trackerId ?? (owner === 'platform' ? name : `${owner}-${name}`), owner };
}
