import { randomUUID } from 'node:crypto';
import {
  answeredProblems,
  maxErrorsPerMessage,
  maxErrorsPerResponse,
  oneProblem,
  tooManyErrors,
  zodProblems,
  type Problems,
} from './error-caps.js';
import { formatPath } from './errors.js';
import type { Enricher, RequestFacts } from './enrich.js';
import type { EventSink } from './event-sink.js';
import {
  consentVerdict,
  messagePurposes,
  withAdIdsAllowed,
  type ConsentDropReason,
  type ConsentRules,
} from './message-purposes.js';
import type { Metrics } from './metrics.js';
import { batchSchema, limits, messageSchemas, type MessageType, type SegmentMessage } from './segment-schema.js';
import { fastParseMessage } from './message-fast-path.js';
import { jsonBytes, oversizedMessage } from './message-size.js';
import { maxNestingDepth, tooDeepPath } from './nesting-depth.js';
import type { StoredEvent } from './stored-event.js';
import { truncateText } from './truncate-text.js';
import { findUnstorableText, unstorableTextMessage } from './unstorable-text.js';

/** A message that was not valid: where (`index` in the batch, `path` inside it) and why. */
export interface MessageError {
  /** Position in the batch (0 for single-message endpoints). */
  readonly index: number;
  /** Path inside the message, e.g. `context.consent.categoryPreferences.analytics`. */
  readonly path: string;
  /**
   * Why, when a valid message is refused for what it claims to be: `reserved_event`, a `track`
   * named `optin.email.*` (the collector's email routes alone record those); `too_many_errors`: the
   * entry standing for the errors left out (of the message at `path`, or, last, of the messages
   * after it), its `message` saying how many. Absent otherwise.
   */
  readonly code?: 'reserved_event' | 'too_many_errors';
  /** What is wrong. */
  readonly message: string;
}

const reservedPrefix = 'optin.email.';

/**
 * Whether a `track` event's name is one the collector records itself: `optin.email.*` (in any letter
 * case), counted as a Member's email opens and clicks, is recorded only from a signed link
 * (`/e/o/`, `/e/c/`), never taken from a sender.
 */
export function isReservedEvent(event: string): boolean {
  return event.slice(0, reservedPrefix.length).toLowerCase() === reservedPrefix;
}

/**
 * A valid message that consent did not allow: dropped, counted, never stored. (A refusal by the
 * learner's overrides for the course's Member alone drops nothing: the message is stored for the
 * platform alone.)
 */
export interface DroppedMessage {
  /** Position in the batch. */
  readonly index: number;
  /** `no_consent`, `policy_mismatch`, `purpose_refused` or `gpc`. */
  readonly reason: ConsentDropReason;
  /** The purpose that was not granted. */
  readonly purpose: string;
}

/** The answer to an ingestion request. */
export interface IngestResponse {
  /** At least one message was valid (Segment clients read the status code, not this). */
  readonly success: boolean;
  /**
   * Messages stored now: a message the learner's overrides refuse to its course's Member only (the
   * platform-wide choice granting it) among them, stored for the platform alone.
   */
  readonly accepted: number;
  /** Valid messages whose `messageId` was already stored (a retry): not stored twice. */
  readonly duplicates: number;
  /** Valid messages consent did not allow. */
  readonly dropped: readonly DroppedMessage[];
  /**
   * Invalid messages' errors, capped (`error-caps.ts`): at most 10 of a message, then a
   * `too_many_errors` entry for the rest of it; at most 100 entries in all, then one `too_many_errors`
   * entry counting the errors of the messages left out.
   */
  readonly errors: readonly MessageError[];
}

/** Which endpoint received the body: `batch` or a single message type. */
export type IngestEndpoint = 'batch' | MessageType;

/** Everything the ingestion pipeline needs. */
export interface IngestDeps {
  /** The policy and jurisdiction mode. */
  readonly rules: ConsentRules;
  /** Enrichment. */
  readonly enrich: Enricher;
  /** The Member owning a message's course, if any (the message is its unless the learner refused it that Member). */
  readonly memberOf: (message: SegmentMessage) => string | undefined;
  /** Where accepted events go. */
  readonly sink: EventSink;
  /** Counters. */
  readonly metrics: Metrics;
}

/** The outcome of one ingestion request: the HTTP status and body. */
export interface IngestResult {
  /** 200 when at least one message was valid (or the batch was empty), 400 when none was, 413 over the limit. */
  readonly status: 200 | 400 | 413;
  /** The body. */
  readonly body: IngestResponse | { readonly error: { readonly code: string; readonly message: string } };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** At most this many characters of a path the collector found (a nesting too deep, of long keys). */
const maxPathLength = 200;

/** `path` (of `segments` below `prefix`), cut with `…` past {@link maxPathLength} characters. */
function pathOf(prefix: string, segments: readonly PropertyKey[]): string {
  const path = `${prefix}${formatPath(segments)}`;
  return path.length > maxPathLength ? `${truncateText(path, maxPathLength)}…` : path;
}

/**
 * The ingestion pipeline, HTTP-free (`checkText`: look for strings no database stores, when the
 * body's text had an escape that may produce one): refuse a batch whose `context` (stored with each
 * of its messages) is over 4 KB, refuse each message over 32 KB (with that `context`) and validate
 * each with its type's zod schema (the valid rest is accepted), enforce consent again (a message
 * refused to its course's Member alone by the learner's overrides is stored with no Member), enrich (the
 * batch's `sentAt` serving its messages without their own), dedupe by `messageId` within the
 * request, and write to the sink. Resolves once the sink has made the accepted events durable.
 */
export function createIngest(
  deps: IngestDeps,
): (
  endpoint: IngestEndpoint,
  body: unknown,
  request: RequestFacts,
  gpc: boolean,
  checkText: boolean,
) => Promise<IngestResult> {
  const fail = (code: string, message: string, status: 400 | 413 = 400): IngestResult => {
    deps.metrics.inc('rejected', { reason: code });
    return { status, body: { error: { code, message } } };
  };
  return async (endpoint, body, request, gpc, checkText) => {
    if (!isObject(body)) return fail('invalid_body', 'the body must be a JSON object');
    let raw: unknown[];
    let shared: Record<string, unknown> | undefined;
    let prefix: (i: number) => string;
    let inherited = 0;
    let facts = request;
    if (endpoint === 'batch') {
      if (Array.isArray(body.batch) && body.batch.length > limits.maxBatchMessages)
        return fail('too_many_messages', `a batch holds at most ${limits.maxBatchMessages} messages; split it`, 413);
      const parsed = batchSchema.safeParse(body);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        return fail(
          'invalid_body',
          `${first ? formatPath(first.path) || 'body' : 'body'}: ${first?.message ?? 'invalid'}`,
        );
      }
      raw = parsed.data.batch;
      shared = parsed.data.context;
      const tooDeep = shared && tooDeepPath(shared);
      if (tooDeep)
        return fail('invalid_body', `${pathOf('context.', tooDeep)}: nests deeper than ${maxNestingDepth} levels`);
      const unstorable = checkText && shared ? findUnstorableText(shared, 'context') : undefined;
      if (unstorable !== undefined) return fail('invalid_body', `${unstorable}: ${unstorableTextMessage}`);
      // Stored with every message of the batch: it counts in each one's size, and it is capped, else
      // a small request (500 messages, one large context) would store its context 500 times.
      inherited = shared ? jsonBytes(shared) : 0;
      if (inherited > limits.maxBatchContextBytes)
        return fail(
          'invalid_body',
          `context: is ${inherited} bytes; a batch's context, stored with each of its messages, is at most ${limits.maxBatchContextBytes} bytes (4 KB): send larger fields in each message's own context`,
        );
      if (parsed.data.sentAt !== undefined) facts = { ...request, sentAt: parsed.data.sentAt };
      prefix = (i) => `batch[${i}].`;
    } else {
      raw = [body];
      prefix = () => '';
    }
    deps.metrics.inc('received', {}, raw.length);
    const errors: MessageError[] = [];
    // Answered up to maxErrorsPerResponse entries; the errors of the messages after that are counted.
    let invalid = 0;
    let leftOut: { index: number; errors: number; messages: number } | undefined;
    const at = (index: number) => prefix(index).replace(/\.$/, '');
    const refuse = (index: number, problems: Problems) => {
      invalid++;
      const room = maxErrorsPerResponse - errors.length;
      if (room <= 0) {
        leftOut ??= { index, errors: 0, messages: 0 };
        leftOut.errors += problems.total;
        leftOut.messages++;
      } else for (const p of answeredProblems(problems, at(index), room)) errors.push({ index, ...p });
    };
    const refuseWith = (index: number, path: string, message: string) => refuse(index, oneProblem({ path, message }));
    const dropped: DroppedMessage[] = [];
    const rows = new Map<string, StoredEvent>();
    raw.forEach((input, index) => {
      if (!isObject(input)) return refuseWith(index, at(index), 'a message must be an object');
      const tooDeep = tooDeepPath(input);
      if (tooDeep)
        return refuseWith(
          index,
          pathOf(prefix(index), tooDeep),
          `nests objects or arrays deeper than ${maxNestingDepth} levels`,
        );
      const unstorable = checkText ? findUnstorableText(input, at(index)) : undefined;
      if (unstorable !== undefined) return refuseWith(index, unstorable, unstorableTextMessage);
      const size = oversizedMessage(input, inherited, limits.maxMessageBytes);
      if (size !== undefined)
        return refuseWith(
          index,
          at(index),
          `is ${size} bytes${inherited ? ` with the batch's context (${inherited})` : ''}; a message is at most ${limits.maxMessageBytes} bytes (32 KB)`,
        );
      const type = endpoint === 'batch' ? input.type : (input.type ?? endpoint);
      if (endpoint !== 'batch' && type !== endpoint)
        return refuseWith(index, 'type', `this endpoint takes "${endpoint}" messages`);
      if (type !== 'track' && type !== 'page' && type !== 'screen' && type !== 'identify')
        return refuseWith(index, `${prefix(index)}type`, 'must be "track", "page", "screen" or "identify"');
      const candidate =
        shared && (input.context === undefined || isObject(input.context))
          ? { ...input, type, context: { ...shared, ...input.context } }
          : input.type === type
            ? input
            : { ...input, type };
      let message = fastParseMessage(type, candidate);
      if (!message) {
        const parsed = messageSchemas[type].safeParse(candidate);
        if (!parsed.success) {
          // Once the answer is full, the rest are only counted.
          const keep = errors.length < maxErrorsPerResponse ? maxErrorsPerMessage : 0;
          return refuse(index, zodProblems(parsed.error, prefix(index), keep));
        }
        message = parsed.data;
      }
      if (message.type === 'track' && isReservedEvent(message.event))
        return refuse(
          index,
          oneProblem({
            path: `${prefix(index)}event`,
            code: 'reserved_event',
            message: `"${message.event}": optin.email.* events are reserved for the collector's email routes (/e/o/, /e/c/), which record opens and clicks of links signed with @optin/email; name the event otherwise`,
          }),
        );
      const purposes = messagePurposes(message);
      // The platform's own reading (its purposes, GPC, the mode) decides whether the message is stored.
      const verdict = consentVerdict(message, purposes, deps.rules, gpc, undefined);
      if (verdict) {
        dropped.push({ index, ...verdict });
        // Label values are the policy's purposes only: a sender's own names would grow /metrics without bound.
        const known = deps.rules.policy.purposes.some((p) => p.id === verdict.purpose);
        deps.metrics.inc('dropped_consent', { reason: verdict.reason, purpose: known ? verdict.purpose : 'unknown' });
        return;
      }
      // The Member's overrides decide whether it is also the Member's: a purpose the learner refused
      // to the Member alone keeps it from the Member, not from the platform, which the learner granted
      // it. It is stored for the platform alone (no Member: no Member query, stats or rates finds it),
      // read with the platform's consent from here on.
      const owner = deps.memberOf(message);
      const refusedToOwner =
        owner === undefined ? undefined : consentVerdict(message, purposes, deps.rules, gpc, owner);
      if (owner !== undefined && refusedToOwner)
        deps.metrics.inc('platform_only', { member: owner, purpose: refusedToOwner.purpose });
      const memberId = refusedToOwner ? undefined : owner;
      // An advertising id or ad click id is stored only with marketing granted, whatever the message's own purpose.
      const stored = withAdIdsAllowed(message, deps.rules, gpc, memberId);
      const enriched = deps.enrich(stored, message.messageId ?? randomUUID(), purposes, facts);
      // The Member it was kept from (the course's Member under the config in force now) is recorded
      // with it: that Member's consent rates count the learner, whatever the config says later.
      const event = refusedToOwner ? { ...enriched, memberId: null, keptFrom: owner ?? null } : enriched;
      // A retry is the same id (as the storage's key): the first one counts.
      if (!rows.has(event.messageId)) rows.set(event.messageId, event);
    });
    if (leftOut)
      errors.push({
        index: leftOut.index,
        ...tooManyErrors(
          at(leftOut.index),
          leftOut.errors,
          `, in ${leftOut.messages} more message${leftOut.messages === 1 ? '' : 's'}`,
        ),
      });
    deps.metrics.inc('rejected', { reason: 'invalid_message' }, invalid);
    const events = [...rows.values()];
    const accepted = events.length ? await deps.sink.write(events) : 0;
    const valid = raw.length - invalid;
    const duplicates = valid - dropped.length - accepted;
    deps.metrics.inc('accepted', {}, accepted);
    deps.metrics.inc('duplicate', {}, duplicates);
    return {
      status: valid > 0 || raw.length === 0 ? 200 : 400,
      body: { success: valid > 0 || raw.length === 0, accepted, duplicates, dropped, errors },
    };
  };
}
