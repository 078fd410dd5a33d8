import type { Tracker } from '@optin/trackers';
import { runsTags, type VendorId } from './vendor-ids.js';

/** Whose a request, cookie or stored item is, once a vendor id it carries is read. */
export interface Attribution {
  /** The trackers it is judged against: those that declare it (its host, its name) and may carry the id. */
  readonly declaring: readonly Tracker[];
  /** Trackers that name the id but do not declare it (none when one that declares it names the id). */
  readonly owners: readonly Tracker[];
  /** Whether trackers declare it but none may carry the id: none names it, and those declaring it name other ids. */
  readonly unclaimed: boolean;
}

/**
 * Attributes what a page did to trackers by a vendor id it carries (one of its ids: a request may
 * carry several, each judged), falling back to what declares it (host, cookie name) when it carries
 * none. A tracker of the `pool` naming the id owns it: when it also declares the host or name, it
 * alone is judged; otherwise it is returned as an owner (another Member's tracker on a host the
 * platform declares, or one on a host it forgot to declare). When no tracker names the id, the
 * trackers declaring it that name an id are not its (the platform's GA4 of `G-EDX1` sends nothing
 * for `G-ROGUE`), except a tag manager container, whose tags carry ids of other kinds; those that
 * name none (declared without `vendorId`) still are.
 */
export function attributeByVendorId(
  declaring: readonly Tracker[],
  carried: VendorId | undefined,
  pool: readonly Tracker[],
  named: (tracker: Tracker) => readonly VendorId[],
): Attribution {
  if (!carried) return { declaring, owners: [], unclaimed: false };
  const owners = pool.filter((t) => named(t).some((n) => n.kind === carried.kind && n.id === carried.id));
  if (owners.length) {
    const both = declaring.filter((t) => owners.includes(t));
    return both.length
      ? { declaring: both, owners: [], unclaimed: false }
      : { declaring: [], owners, unclaimed: false };
  }
  const left = declaring.filter((t) => named(t).every((n) => n.kind !== carried.kind && runsTags(n)));
  return { declaring: left, owners: [], unclaimed: declaring.length > 0 && !left.length };
}
