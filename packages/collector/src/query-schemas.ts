import * as z from 'zod';
import { isUnstorableText, unstorableTextMessage } from './unstorable-text.js';

const isoTime = z.iso
  .datetime({ offset: true })
  .refine((v) => !Number.isNaN(Date.parse(v)), 'not a real date and time');

// A value no stored row can hold (NUL, unpaired surrogate) is bad input, not a database error.
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((v) => !isUnstorableText(v), unstorableTextMessage);

/** Query string of `GET /v1/members/:member/events`. */
export const eventsQuerySchema = z.strictObject({
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
});

/** Query string of `GET /v1/members/:member/stats` (default: the last 30 days). */
export const statsQuerySchema = z.strictObject({
  from: isoTime.optional(),
  to: isoTime.optional(),
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
  errors: z.array(z.object({ index: z.number().int(), path: z.string(), message: z.string() })),
});

/** The body of every error answer. */
export const errorResponseSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** Encodes a position as an opaque cursor. */
export function encodeCursor(seq: number): string {
  return Buffer.from(`s${seq}`).toString('base64url');
}

/** Decodes a cursor; `undefined` when it is not one this collector made. */
export function decodeCursor(cursor: string): number | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^s(\d{1,15})$/.exec(text);
  return match?.[1] ? Number(match[1]) : undefined;
}
