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
  // What the declaration holds at `path` (undefined where it holds nothing).
  const valueAt = (path: readonly PropertyKey[]) =>
    path.reduce<unknown>((value, key) => (value as Record<PropertyKey, unknown> | null | undefined)?.[key], input);
  const issues: TrackerIssue[] = parsed.success
    ? []
    : parsed.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({
              path: at([...issue.path, key]),
              message: 'is not a field of a tracker (misspelt?)',
            }))
          : [
              {
                path: at(issue.path),
                // A required field left out is said to be required (the optional ones accept undefined).
                message: valueAt(issue.path) === undefined ? `is required (${issue.message})` : issue.message,
              },
            ],
      );
  // Every cookie serves one of the tracker's purposes: checked with the other problems (every problem
  // at once), wherever the purposes are right and the cookie's purpose has no problem of its own.
  const { purposes, cookies } = input ?? {};
  if (Array.isArray(purposes) && Array.isArray(cookies) && !issues.some((i) => i.path.startsWith(`${base}.purposes`)))
    cookies.forEach((cookie: unknown, i) => {
      const purpose = (cookie as { purpose?: unknown } | null)?.purpose;
      const path = `${base}.cookies[${i}].purpose`;
      if (typeof purpose == 'string' && !purposes.includes(purpose) && !issues.some((issue) => issue.path == path))
        issues.push({ path, message: `"${purpose}" is not one of the tracker's purposes` });
    });
  if (issues.length)
    throw new TrackerError('invalid_tracker', issues, 'Fix the tracker declaration at the paths listed.');
  return Object.freeze(tracker);
}
