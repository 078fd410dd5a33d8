import { AckPolicy, type JsMsg } from 'nats';
import { CollectorError, formatPath } from './errors.js';
import { openJetStream, type JetStreamOptions } from './jetstream-sink.js';
import { databaseUnavailable, rowRefused } from './storage-failure.js';
import type { Storage } from './storage.js';
import type { StoredEvent } from './stored-event.js';
import { storedEventSchema } from './stored-event-schema.js';

/** A message of the stream the loader will never store, and why. */
export interface LoaderRefusal {
  /** The message's subject (`optin.events.HarvardX`). */
  readonly subject: string;
  /** Its sequence number in the stream (it stays there until the stream's `max_age`, to replay by hand). */
  readonly streamSequence: number;
  /** `invalid_event` (not JSON, or not an event), `unstorable_text` or `storage_failed` (refused by the database, or failing on its last delivery). */
  readonly error: CollectorError;
}

/** Options of {@link createJetStreamLoader}. */
export interface LoaderOptions extends JetStreamOptions {
  /** Where events are loaded (PostgreSQL in production; any storage works). */
  readonly storage: Storage;
  /** Durable consumer name, shared by every loader instance; default `optin-loader`. */
  readonly durable?: string | undefined;
  /** Events per fetch and per insert; default 500. */
  readonly batchSize?: number | undefined;
  /** Delay before a message given back (database unavailable) is delivered again, in ms; default 5,000. */
  readonly retryDelayMs?: number | undefined;
  /** Called for each message terminated (never delivered again); `optin-collector load` prints each to stderr. */
  readonly onRefused?: ((refusal: LoaderRefusal) => void) | undefined;
}

/** A loader draining JetStream into storage. */
export interface Loader {
  /**
   * Loads until the stream has nothing pending; resolves to how many messages were stored (or were
   * already). Rejects with `storage_failed` when the database is unavailable (the messages go back
   * to the stream).
   */
  drain(): Promise<number>;
  /** Loads until `signal` aborts, waiting out the database's outages (polling it every second). */
  run(signal: AbortSignal): Promise<void>;
  /** Closes the NATS connection (not the storage). */
  close(): Promise<void>;
}

/**
 * How often JetStream delivers one message before giving up on it (the consumer's `max_deliver`). A
 * loader waits for an unavailable database before fetching again, so an outage costs each message
 * about one delivery per loader; on its last delivery a message that still fails is terminated and
 * reported (`onRefused`) rather than silently dropped.
 */
export const loaderMaxDeliver = 20;

/** Reads one message: the event it holds, or why it can never be stored. */
function decodeEvent(m: JsMsg): StoredEvent | CollectorError {
  let value: unknown;
  try {
    value = JSON.parse(m.string());
  } catch (cause) {
    return new CollectorError(
      'invalid_event',
      [{ path: '', message: 'the message is not JSON' }],
      'Only the collector should publish on these subjects.',
      { cause },
    );
  }
  const parsed = storedEventSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  return new CollectorError(
    'invalid_event',
    parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    'Only the collector should publish on these subjects.',
  );
}

/** The error of a write refused by the database, as a `CollectorError` (kept as it is when it is one). */
function refusedBy(error: unknown): CollectorError {
  if (error instanceof CollectorError) return error;
  return new CollectorError(
    'storage_failed',
    [{ path: 'events', message: error instanceof Error ? error.message : String(error) }],
    'The database refuses this event; it stays in the stream until its max age.',
    { cause: error },
  );
}

/** The error `drain` rejects with when the database cannot be reached. */
function unavailable(cause: unknown): CollectorError {
  return new CollectorError(
    'storage_failed',
    [
      {
        path: 'OPTIN_DB',
        message: `the database is unavailable (${cause instanceof Error ? cause.message : String(cause)})`,
      },
    ],
    'The messages went back to the stream; load again once the database answers.',
    { cause },
  );
}

/**
 * Drains the event stream into storage with a durable pull consumer: fetch a batch, insert it in
 * one statement (`ON CONFLICT DO NOTHING`: re-deliveries are absorbed), and only then acknowledge.
 * A loader killed in between gets the batch again: at-least-once delivery, exactly-once rows.
 * Each message is read and checked on its own: one that is not an event, or that the database
 * refuses (found by writing the batch message by message when the batch fails), is terminated and
 * reported, and the others are stored. When the database is unavailable the batch goes back to the
 * stream (delivered again after `retryDelayMs`). Several loaders may share the durable consumer.
 */
export async function createJetStreamLoader(options: LoaderOptions): Promise<Loader> {
  const { nc, js, jsm, stream } = await openJetStream(options);
  const durable = options.durable ?? 'optin-loader';
  const batchSize = options.batchSize ?? 500;
  const retryDelayMs = options.retryDelayMs ?? 5000;
  const existing = await jsm.consumers.info(stream, durable).catch(() => undefined);
  if (!existing)
    await jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      max_ack_pending: batchSize * 4,
      max_deliver: loaderMaxDeliver,
    });
  else if (existing.config.max_deliver !== loaderMaxDeliver)
    // Made by an earlier version without a limit: one message could be delivered forever.
    await jsm.consumers.update(stream, durable, { max_deliver: loaderMaxDeliver });
  const consumer = await js.consumers.get(stream, durable);

  const refuse = (m: JsMsg, error: CollectorError): void => {
    // No reason given: servers before 2.10 ignore a `+TERM` that carries one.
    m.term();
    options.onRefused?.({ subject: m.subject, streamSequence: m.seq, error });
  };

  /** Stores what could be read; acknowledges each message stored, terminates each refused. */
  const store = async (batch: readonly { m: JsMsg; event: StoredEvent }[], stored: JsMsg[]): Promise<void> => {
    try {
      await options.storage.insertEvents(batch.map((b) => b.event));
      for (const { m } of batch) stored.push(m);
      return;
    } catch (error) {
      if (databaseUnavailable(error)) {
        for (const { m } of batch) m.nak(retryDelayMs);
        throw unavailable(error);
      }
    }
    // One message the database refuses must not hold back the others: each on its own.
    for (const [i, { m, event }] of batch.entries()) {
      try {
        await options.storage.insertEvents([event]);
        stored.push(m);
      } catch (error) {
        if (rowRefused(error) || m.info.deliveryCount >= loaderMaxDeliver) {
          refuse(m, refusedBy(error));
          continue;
        }
        for (const rest of batch.slice(i)) rest.m.nak(retryDelayMs);
        throw unavailable(error);
      }
    }
  };

  const loadBatch = async (expires: number): Promise<number> => {
    const messages: JsMsg[] = [];
    const iter = await consumer.fetch({ max_messages: batchSize, expires });
    for await (const m of iter) messages.push(m);
    const readable: { m: JsMsg; event: StoredEvent }[] = [];
    for (const m of messages) {
      const event = decodeEvent(m);
      if (event instanceof CollectorError) refuse(m, event);
      else readable.push({ m, event });
    }
    const stored: JsMsg[] = [];
    try {
      if (readable.length) await store(readable, stored);
    } finally {
      await Promise.all(stored.map((m) => m.ackAck()));
    }
    return stored.length;
  };

  /** Resolves once the storage answers again, or `signal` aborts. */
  const databaseBack = async (signal: AbortSignal): Promise<void> => {
    while (!signal.aborted) {
      try {
        await options.storage.ping();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  };

  return {
    async drain() {
      let total = 0;
      for (;;) {
        const info = await consumer.info();
        if (info.num_pending === 0 && info.num_ack_pending === 0) return total;
        total += await loadBatch(1000);
      }
    },
    async run(signal) {
      while (!signal.aborted) {
        try {
          await loadBatch(2000);
        } catch (error) {
          if (!(error instanceof CollectorError && error.code === 'storage_failed')) throw error;
          await databaseBack(signal);
        }
      }
    },
    async close() {
      await nc.drain();
    },
  };
}
