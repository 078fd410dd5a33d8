import {
  connect,
  nanos,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import type { CollectorMember } from './collector-config.js';
import { CollectorError } from './errors.js';
import type { EventSink } from './event-sink.js';
import { createMemberFacing } from './member-facing-event.js';
import type { StoredEvent } from './stored-event.js';
import { findUnstorableText, jsonHoldsUnstorableText, unstorableTextError } from './unstorable-text.js';

/** Where events go in JetStream. */
export interface JetStreamOptions {
  /** `nats://127.0.0.1:4222` (comma-separated for a cluster). */
  readonly url: string;
  /** Stream name; default `OPTIN_EVENTS`. */
  readonly stream?: string | undefined;
  /**
   * Subject prefix. Default `optin.events`. Each event goes as stored to `<prefix>._platform` (no
   * Member's) or `<prefix>._platform.<member>` (what the loader stores), and a Member's event also as
   * the Member is given it (see `createMemberFacing`) to `<prefix>.<member>`, the Member's subject.
   */
  readonly subjectPrefix?: string | undefined;
  /**
   * How long the stream keeps an event (ms), loaded or not: its `max_age`, set when the stream is
   * made and kept up to date on every start. Default 7 days; loaders down for longer lose the
   * oldest events.
   */
  readonly maxAgeMs?: number | undefined;
  /**
   * How long JetStream recognises a retry (an event whose `messageId` it took already) and answers
   * it as a duplicate (ms): its `duplicate_window`, set when the stream is made and kept up to date
   * on every start. Default 24 hours, or `maxAgeMs` when that is shorter; at most `maxAgeMs`. A
   * retry later than this is answered as accepted (and counted so in `/metrics`), and the loader
   * still stores it once.
   */
  readonly duplicateWindowMs?: number | undefined;
  /**
   * The Members (the config's `members`), to tell which referrers on a Member's subject are pages of
   * its own courses. Without them, a referrer on any course's page is left out there.
   */
  readonly members?: readonly CollectorMember[] | undefined;
}

/** Defaults of {@link JetStreamOptions}. */
export const jetStreamDefaults = {
  stream: 'OPTIN_EVENTS',
  subjectPrefix: 'optin.events',
  maxAgeMs: 7 * 86_400_000,
  duplicateWindowMs: 86_400_000,
} as const;

/**
 * The subject a Member's events go to as the Member is given them (one per Member, so a Member can
 * subscribe to its own alone), or, for `null`, the platform's events (of no Member) as stored.
 */
export function eventSubject(prefix: string, memberId: string | null): string {
  return `${prefix}.${memberId === null ? '_platform' : memberId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/**
 * How the JetStream message id of a Member's event as the Member is given it begins (then its
 * {@link jetStreamMessageId}): a `%` no encoded id has before `m`, so it never takes another
 * event's id, and the loader knows the copy it does not store.
 */
export const memberCopyId = '%member:';

// What a header value may hold as it is: printable ASCII but `%` (the escape character itself).
const headerUnsafe = /^ | $|[^\x20-\x24\x26-\x7e]/gu;
const utf8 = new TextEncoder();

/**
 * The `Nats-Msg-Id` of an event: its `messageId` (what the database recognises a retry by), with
 * `%`, control characters (a CR or LF would end the header), non-ASCII characters and a leading or
 * trailing space (which header parsing trims) percent-encoded as UTF-8. Any `messageId` the schema
 * accepts gives a valid header; the encoding is one-to-one, so equal ids (and only they) get equal
 * header values and JetStream's dedupe judges retries as the database does.
 */
export function jetStreamMessageId(event: Pick<StoredEvent, 'messageId'>): string {
  return event.messageId.replace(headerUnsafe, (c) =>
    Array.from(utf8.encode(c), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

/**
 * Connects and makes sure the stream exists (file storage, limits retention with the `max_age` of
 * `maxAgeMs`, dedupe by message id over the `duplicate_window` of `duplicateWindowMs`); a stream
 * made with another `max_age` or `duplicate_window` (as earlier versions made it: none, 2 minutes)
 * is updated.
 */
export async function openJetStream(
  options: JetStreamOptions,
): Promise<{ nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager; stream: string; prefix: string }> {
  const stream = options.stream ?? jetStreamDefaults.stream;
  const prefix = options.subjectPrefix ?? jetStreamDefaults.subjectPrefix;
  const maxAgeMs = options.maxAgeMs ?? jetStreamDefaults.maxAgeMs;
  if (!Number.isSafeInteger(maxAgeMs) || maxAgeMs < 1000)
    throw new CollectorError(
      'invalid_option',
      [{ path: 'maxAgeMs', message: `${maxAgeMs} is not a whole number of milliseconds of at least a second` }],
      'Give the stream a max age such as 7 days (604800000).',
    );
  const duplicateWindowMs = options.duplicateWindowMs ?? Math.min(jetStreamDefaults.duplicateWindowMs, maxAgeMs);
  if (!Number.isSafeInteger(duplicateWindowMs) || duplicateWindowMs < 1000 || duplicateWindowMs > maxAgeMs)
    throw new CollectorError(
      'invalid_option',
      [
        {
          path: 'duplicateWindowMs',
          message: `${duplicateWindowMs} is not a whole number of milliseconds from a second to the stream's max age (${maxAgeMs})`,
        },
      ],
      'Recognise retries for as long as clients retry, such as 24 hours (86400000), and no longer than the stream keeps events.',
    );
  let nc: NatsConnection;
  try {
    // Reconnects for as long as NATS is away (the client's default gives up after 10 tries, 2 s apart,
    // and every later publish failed until a restart): events get 503 meanwhile, and 2xx once it is back.
    nc = await connect({
      servers: options.url.split(',').map((s) => s.trim()),
      name: 'optin-collector',
      maxReconnectAttempts: -1,
    });
  } catch (cause) {
    throw new CollectorError(
      'sink_failed',
      [{ path: 'OPTIN_NATS_URL', message: `cannot connect to ${options.url}` }],
      'Start NATS with JetStream (nats-server -js) or unset OPTIN_NATS_URL.',
      { cause },
    );
  }
  const jsm = await nc.jetstreamManager();
  const existing = await jsm.streams.info(stream).catch(() => undefined);
  if (!existing)
    await jsm.streams.add({
      name: stream,
      subjects: [`${prefix}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      max_age: nanos(maxAgeMs),
      duplicate_window: nanos(duplicateWindowMs),
    });
  else if (existing.config.max_age !== nanos(maxAgeMs) || existing.config.duplicate_window !== nanos(duplicateWindowMs))
    await jsm.streams.update(stream, {
      ...existing.config,
      max_age: nanos(maxAgeMs),
      duplicate_window: nanos(duplicateWindowMs),
    });
  return { nc, js: nc.jetstream(), jsm, stream, prefix };
}

/**
 * The JetStream sink: each event is published to its Member's subject with its `messageId` (see
 * {@link jetStreamMessageId}) as the JetStream message id (so a retry within the duplicate window is
 * answered as a duplicate; a later one is answered as accepted, and the loader stores it once), and `write`
 * resolves only when the server has acknowledged every event: then the collector answers 2xx.
 * `optin-collector load` drains the stream into PostgreSQL.
 */
export async function jetStreamSink(options: JetStreamOptions): Promise<EventSink> {
  const { nc, js, jsm, stream, prefix } = await openJetStream(options);
  const memberFacing = createMemberFacing(options.members ?? []);
  const platform = eventSubject(prefix, null);
  return {
    kind: 'jetstream',
    async ping() {
      // The stream, not only the connection: without it every publish fails.
      await jsm.streams.info(stream);
    },
    async write(events) {
      // Refused before anything is published, as the SQL storages refuse it: the loader could never store it.
      const payloads = events.map((event, i) => {
        const json = JSON.stringify(event);
        if (jsonHoldsUnstorableText(json))
          throw unstorableTextError(findUnstorableText(event, `events[${i}]`) ?? `events[${i}]`);
        return { event, data: utf8.encode(json) };
      });
      // The stored event (whose ack answers whether it was a retry), and a Member's as it is given it.
      const acks = await Promise.all(
        payloads.map(async ({ event, data }) => {
          const msgID = jetStreamMessageId(event);
          const { memberId } = event;
          const [stored] = await Promise.all([
            // `<prefix>._platform`, a Member's `<prefix>._platform.<member>`.
            js.publish(memberId === null ? platform : eventSubject(platform, memberId), data, { msgID }),
            memberId !== null &&
              js.publish(eventSubject(prefix, memberId), utf8.encode(JSON.stringify(memberFacing(event))), {
                msgID: memberCopyId + msgID,
              }),
          ]);
          return stored;
        }),
      );
      return acks.filter((a) => !a.duplicate).length;
    },
    async close() {
      await nc.drain();
    },
  };
}
