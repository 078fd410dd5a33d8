import * as z from 'zod';
import { isStorableTime } from './event-time.js';

const shortString = z.string().max(200);
const id = z.string().min(1).max(200);
/** An ISO 8601 time with an offset, of the UTC years 0000 to 9999 (every time a device sends). */
export const isoTime = z.iso
  .datetime({ offset: true })
  .refine((v) => !Number.isNaN(Date.parse(v)), 'not a real date and time')
  .refine(isStorableTime, 'not a date and time of the UTC years 0000 to 9999');
const jsonRecord = z.record(z.string(), z.unknown());

/**
 * `context.consent`, as Segment's consent tools stamp it (`categoryPreferences`) plus Optin's
 * optional `policy`, per-Member overrides (`members`, which can only narrow a grant) and `gpc`
 * (`true`: the decision in force was made while the browser sent Global Privacy Control, so its
 * grants of what GPC refuses are the learner's explicit choice, which a request's `Sec-GPC: 1`
 * then honours).
 */
export const consentContextSchema = z.looseObject({
  policy: z
    .union([
      shortString,
      z.looseObject({ id: shortString, version: shortString.optional(), hash: shortString.optional() }),
    ])
    .optional(),
  categoryPreferences: z.record(z.string().min(1).max(64), z.boolean()),
  members: z.record(z.string().min(1).max(64), z.record(z.string().min(1).max(64), z.boolean())).optional(),
  // Another value (another sender's `"1"`, `null`) is no stamp, never a reason to lose the message.
  gpc: z
    .boolean()
    .optional()
    .catch(undefined)
    .describe(
      "true: the decision in force was made while the browser sent Global Privacy Control (Sec-GPC: 1), so what it grants of the purposes GPC refuses (marketing) is the learner's explicit choice, and is stored under Sec-GPC: 1; without it, Sec-GPC: 1 refuses them",
    ),
});

/** The Segment `context` object with the fields the collector reads; other fields are kept. */
export const contextSchema = z.looseObject({
  consent: consentContextSchema.optional(),
  course: z
    .looseObject({ id: z.string().min(1).max(400).optional(), org: z.string().min(1).max(128).optional() })
    .optional(),
  session: z.looseObject({ id: id, seq: z.number().int().min(0).optional() }).optional(),
  page: z
    .looseObject({
      path: z.string().max(4096).optional(),
      url: z.string().max(8192).optional(),
      referrer: z.string().max(8192).optional(),
      search: z.string().max(8192).optional(),
      title: z.string().max(2000).optional(),
    })
    .optional(),
  campaign: jsonRecord.optional(),
  userAgent: z.string().max(2000).optional(),
  ip: z.string().max(64).optional(),
  locale: shortString.optional(),
  app: jsonRecord.optional(),
  library: jsonRecord.optional(),
  purposes: z.array(z.string().min(1).max(64)).max(16).optional(),
});

const common = {
  messageId: id.optional(),
  anonymousId: id.optional(),
  // No id yet: classic analytics.js sends `"userId": null` until identify, RudderStack's SDK `""`.
  userId: z.union([id, z.number().int(), z.null(), z.literal('')]).optional(),
  timestamp: isoTime.optional(),
  originalTimestamp: isoTime.optional(),
  sentAt: isoTime.optional(),
  context: contextSchema.optional(),
  integrations: jsonRecord.optional(),
};

/** A message's `userId`, `null` when it has none (absent, `null` or `""`). */
export function userIdOf(m: { userId?: string | number | null | undefined }): string | null {
  return m.userId === undefined || m.userId === null || m.userId === '' ? null : String(m.userId);
}

const needsIdentity = (m: { anonymousId?: string | undefined; userId?: string | number | null | undefined }): boolean =>
  m.anonymousId !== undefined || userIdOf(m) !== null;
const identityError = { message: 'either anonymousId or userId is required', path: ['anonymousId'] };

/** A Segment `track` message: something the user did (`event` names it, Open edX style). */
export const trackSchema = z
  .looseObject({ ...common, type: z.literal('track'), event: id, properties: jsonRecord.optional() })
  .refine(needsIdentity, identityError);
/** A Segment `page` message: a page view on the web. */
export const pageSchema = z
  .looseObject({
    ...common,
    type: z.literal('page'),
    // Classic analytics.js sends a `page()` without them as null.
    name: shortString.nullable().optional(),
    category: shortString.nullable().optional(),
    properties: jsonRecord.optional(),
  })
  .refine(needsIdentity, identityError);
/** A Segment `screen` message: a screen view in a native app. */
export const screenSchema = z
  .looseObject({
    ...common,
    type: z.literal('screen'),
    name: shortString.nullable().optional(),
    category: shortString.nullable().optional(),
    properties: jsonRecord.optional(),
  })
  .refine(needsIdentity, identityError);
/** A Segment `identify` message: who the user is (`traits`). */
export const identifySchema = z
  .looseObject({ ...common, type: z.literal('identify'), traits: jsonRecord.optional() })
  .refine(needsIdentity, identityError);

/** The message types the collector accepts. */
export type MessageType = 'track' | 'page' | 'screen' | 'identify';

/** Each message type's schema. */
export const messageSchemas = {
  track: trackSchema,
  page: pageSchema,
  screen: screenSchema,
  identify: identifySchema,
} as const;

/** Any accepted message (validated). */
export type SegmentMessage =
  | z.output<typeof trackSchema>
  | z.output<typeof pageSchema>
  | z.output<typeof screenSchema>
  | z.output<typeof identifySchema>;

/**
 * Limits of one request, Segment's own: 500 messages and 500 KB a batch (after decompression), and
 * 32 KB a message, counting the batch-level `context` that is merged into (and stored with) each
 * of its messages; that `context` is at most 4 KB (serialized), so that a request cannot store
 * much more than its own size.
 */
export const limits = {
  maxBatchMessages: 500,
  maxBodyBytes: 500 * 1024,
  maxMessageBytes: 32 * 1024,
  maxBatchContextBytes: 4 * 1024,
} as const;

/** The body of `POST /v1/batch`: messages are validated one by one, so each error has its index. */
export const batchSchema = z.looseObject({
  batch: z.array(z.unknown()).max(limits.maxBatchMessages),
  context: jsonRecord.optional(),
  integrations: jsonRecord.optional(),
  writeKey: z.string().max(200).optional(),
  sentAt: isoTime.optional(),
});

/** One message of a batch, for the OpenAPI document (a union of the four types). */
export const anyMessageSchema = z.union([trackSchema, pageSchema, screenSchema, identifySchema]);
