import { TrackerError, type TrackerIssue } from './errors.js';
import type { Tracker } from './tracker.js';
import { trackerSchema } from './tracker-schema.js';

/**
 * Validates a tracker declaration and returns it frozen. Throws a {@link TrackerError}
 * (`invalid_tracker`) listing every problem with a path naming the tracker and the field
 * (`trackers.ga4.cookies[0].lifetime: ...`). Purposes are checked against the policy by `createHub`.
 *
 * @example
 * const matomo = defineTracker({
 *   id: 'matomo', owner: 'platform', purposes: ['analytics'], party: 'first',
 *   vendor: { name: 'Matomo', privacyUrl: 'https://matomo.org/privacy-policy/' },
 *   cookies: [{ name: /^_pk_id\./, purpose: 'analytics', lifetime: '13mo', party: 'first' }],
 *   hosts: ['stats.example.org'], unloadable: false,
 *   load: (ctx) => void ctx.loadScript('https://stats.example.org/matomo.js'),
 * });
 */
export function defineTracker<T extends Tracker>(tracker: T): Readonly<T> {
  const parsed = trackerSchema.safeParse(tracker);
  const input = tracker as Partial<Tracker> | null;
  const base = `trackers.${typeof input?.id === 'string' && input.id ? input.id : '?'}`;
  const at = (path: readonly PropertyKey[]) =>
    base + path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('');
  const issues: TrackerIssue[] = parsed.success
    ? []
    : parsed.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({ path: at([...issue.path, key]), message: 'is not a field of a tracker (misspelt?)' }))
          : [{ path: at(issue.path), message: issue.message }],
      );
  if (parsed.success)
    tracker.cookies.forEach((cookie, i) => {
      if (!tracker.purposes.includes(cookie.purpose))
        issues.push({ path: `${base}.cookies[${i}].purpose`, message: `"${cookie.purpose}" is not one of the tracker's purposes` });
    });
  if (issues.length)
    throw new TrackerError('invalid_tracker', issues, 'Fix the tracker declaration at the paths listed.');
  return Object.freeze(tracker);
}
