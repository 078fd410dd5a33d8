import * as z from 'zod';
import { maxNestingDepth, nestsDeeperThan } from './nesting-depth.js';
import type { StoredEvent } from './stored-event.js';

const text = z.string();
const optionalText = z.string().nullable();
const json = z
  .record(z.string(), z.unknown())
  .refine((value) => !nestsDeeperThan(value), `nests objects or arrays deeper than ${maxNestingDepth} levels`);

/**
 * A {@link StoredEvent} as it travels outside the process (the JetStream sink publishes it as JSON;
 * `optin-collector load` reads it back): every field the database needs, of the type it needs, and
 * never both a `memberId` and a `keptFrom` (an event kept from a Member is no Member's: one that
 * named both would show a Member another's refusal). A message that does not match can never be
 * stored, whatever is retried.
 */
export const storedEventSchema = z
  .object({
    messageId: z.string().min(1),
    clientTimestamp: optionalText,
    type: z.enum(['track', 'page', 'screen', 'identify']),
    event: optionalText,
    memberId: optionalText,
    // Published before it was recorded: none.
    keptFrom: optionalText.default(null),
    anonymousId: optionalText,
    userId: optionalText,
    timestamp: text,
    receivedAt: text,
    courseId: optionalText,
    org: optionalText,
    sessionId: optionalText,
    sessionSeq: z.number().nullable(),
    path: optionalText,
    url: optionalText,
    referrerClass: optionalText,
    referrerHost: optionalText,
    campaign: z.record(z.string(), z.string()).nullable(),
    browser: optionalText,
    browserVersion: optionalText,
    os: optionalText,
    osVersion: optionalText,
    deviceType: optionalText,
    app: optionalText,
    appVersion: optionalText,
    isBot: z.boolean(),
    ip: optionalText,
    country: optionalText,
    region: optionalText,
    city: optionalText,
    asn: z.number().nullable(),
    isp: optionalText,
    purposes: z.array(z.string()),
    properties: json,
    context: json,
  })
  .refine((e) => e.memberId === null || e.keptFrom === null, {
    path: ['keptFrom'],
    error: "set on an event of a Member (memberId): an event kept from a Member is no Member's",
  }) satisfies z.ZodType<StoredEvent>;
