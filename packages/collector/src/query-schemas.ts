import * as z from 'zod';
import { earliestTime, latestTime } from './event-time.js';
import { isUnstorableText, unstorableTextMessage } from './unstorable-text.js';

/** What a time of a query looks like, shown with every refusal of one. */
const timeExample = 'e.g. 2026-11-30T00:00:00Z or 2026-11-30T00:00:00+01:00';

// A time with its offset, of the UTC years 0000-9999 (a later one, `9999-12-31T23:30:00-01:00`, would
// be written `+010000-…` in UTC and compare before every stored time: a silent miss).
const isoTime = z.iso
  .datetime({ offset: true, error: `not a date and time with its offset, ${timeExample}` })
  .superRefine((v, ctx) => {
    const ms = Date.parse(v);
    const message = Number.isNaN(ms)
      ? `not a real date and time, ${timeExample}`
      : ms < earliestTime
        ? `before ${new Date(earliestTime).toISOString()} in UTC; give a time from year 0000 to 9999`
        : ms > latestTime
          ? `past ${new Date(latestTime).toISOString()} in UTC; give a time from year 0000 to 9999`
          : undefined;
    if (message) ctx.addIssue({ code: 'custom', message });
  });

/** A period whose end comes after its start, when both are given. */
const periodInOrder = (q: { from?: string | undefined; to?: string | undefined }, ctx: z.RefinementCtx): void => {
  if (q.from !== undefined && q.to !== undefined && Date.parse(q.from) >= Date.parse(q.to))
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: 'not after from; give a period whose end (to) comes after its start (from)',
    });
};

// A value no stored row can hold (NUL, unpaired surrogate) is bad input, not a database error.
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((v) => !isUnstorableText(v), unstorableTextMessage);

/**
 * A query string with each `+` left unencoded put back where it was read as a space, in the values
 * that never hold a space: `courseId` (`?courseId=course-v1:HarvardX+CS50+2026` as pasted, an
 * exact filter that would match nothing) and `from`/`to` (an offset, `…T00:00:00+01:00`). Other
 * values (event names) keep their spaces.
 */
export function withPlusRestored(query: unknown): unknown {
  if (typeof query !== 'object' || query === null) return query;
  const out: Record<string, unknown> = { ...(query as Record<string, unknown>) };
  for (const key of ['courseId', 'from', 'to'])
    if (typeof out[key] === 'string') out[key] = out[key].replaceAll(' ', '+');
  return out;
}

/**
 * The first parameter a query string gives more than once (`?limit=1&limit=2`, which the query
 * parser reads as an array, so that its check would say `expected number, received NaN`), or
 * `undefined`.
 */
export function repeatedParameter(query: unknown): string | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  return Object.entries(query).find(([, value]) => Array.isArray(value))?.[0];
}

/**
 * Query string of `GET /v1/members/:member/events`: `from`/`to` times with their offset, of the UTC
 * years 0000-9999, `to` after `from` when both are given.
 */
export const eventsQuerySchema = z
  .strictObject({
    type: z.enum(['track', 'page', 'screen', 'identify']).optional(),
    event: text(200).optional(),
    courseId: text(400).optional(),
    anonymousId: text(200).optional(),
    userId: text(200).optional(),
    from: isoTime.optional(),
    to: isoTime.optional(),
    cursor: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/, 'not a cursor from a previous page')
      .optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .superRefine(periodInOrder);

/** Query string of `GET /v1/members/:member/stats` (default: the last 30 days), `from`/`to` as for the events. */
export const statsQuerySchema = z
  .strictObject({
    from: isoTime.optional(),
    to: isoTime.optional(),
  })
  .superRefine(periodInOrder);

/**
 * Query string of `GET /v1/consent?subject=`: the subject percent-encoded, so that every subject a
 * receipt may have is read, also those no URL path carries (`.`, `..`, or holding `/`, `?`, `#`).
 */
export const consentQuerySchema = z.strictObject({
  subject: z
    .string({ error: 'required: give the subject as ?subject=, percent-encoded (encodeURIComponent)' })
    .min(1, 'empty: give the subject as ?subject=, percent-encoded (encodeURIComponent)')
    .max(200, 'longer than any receipt subject (at most 200 characters)')
    .refine((v) => !isUnstorableText(v), unstorableTextMessage),
});

/** The body of every ingestion answer. */
export const ingestResponseSchema = z.object({
  success: z.boolean(),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  dropped: z.array(
    z.object({
      index: z.number().int(),
      reason: z.enum(['no_consent', 'policy_mismatch', 'purpose_refused', 'gpc']),
      purpose: z.string(),
    }),
  ),
  errors: z.array(
    z.object({
      index: z.number().int(),
      path: z.string(),
      code: z.enum(['reserved_event', 'too_many_errors']).optional(),
      message: z.string(),
    }),
  ),
});

/** The body of every error answer. */
export const errorResponseSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
