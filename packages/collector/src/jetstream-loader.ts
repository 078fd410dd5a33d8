import { AckPolicy, type ConsumerInfo, type JsMsg } from 'nats';
import { CollectorError, formatPath } from './errors.js';
import { memberCopyId, openJetStream, type JetStreamOptions } from './jetstream-sink.js';
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
  /**
   * Longest wait between two tries of an unavailable database in `run` (it starts at 100 ms and
   * doubles), and the delay before a message `drain` gives back is delivered again, in ms; default 5,000.
   */
  readonly retryDelayMs?: number | undefined;
  /** Called for each message terminated (never delivered again); `optin-collector load` prints each to stderr. */
  readonly onRefused?: ((refusal: LoaderRefusal) => void) | undefined;
}

/** A loader draining JetStream into storage. */
export interface Loader {
  /**
   * Loads until the stream has nothing pending; resolves to how many messages were stored (or were
   * already). Rejects with `storage_failed` when the database is unavailable: before fetching
   * anything when it does not answer, or giving back the batch it failed on (terminated and
   * reported instead on its last delivery).
   */
  drain(): Promise<number>;
  /**
   * Loads until `signal` aborts. When the database is unavailable the batch is kept (its ack wait
   * extended) and written again once the database answers, so an outage costs no delivery.
   */
  run(signal: AbortSignal): Promise<void>;
  /** Closes the NATS connection (not the storage). */
  close(): Promise<void>;
}

/**
 * How often JetStream delivers one message before giving up on it (the consumer's `max_deliver`).
 * An outage of the database costs no delivery in `run` (the batch is held until it answers) and
 * none in `drain` that finds it unavailable (nothing is fetched); on its last delivery a message
 * that still fails is terminated and reported (`onRefused`) rather than silently dropped.
 */
export const loaderMaxDeliver = 20;

/** A message read from the stream and the event it holds. */
interface Item {
  readonly m: JsMsg;
  readonly event: StoredEvent;
}

/** Messages of a batch not stored, and the failure that stopped them. */
interface Unstored {
  readonly items: readonly Item[];
  readonly cause: unknown;
}

/** What became of a batch: how many of its messages were stored, and those not stored yet. */
interface Outcome {
  readonly stored: number;
  readonly unstored: Unstored | undefined;
}

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
 * reported, and the others are stored. When the database is unavailable `run` holds the batch until
 * it answers and `drain` gives it back to the stream (delivered again after `retryDelayMs`).
 * Several loaders may share the durable consumer.
 */
export async function createJetStreamLoader(options: LoaderOptions): Promise<Loader> {
  const { nc, js, jsm, stream } = await openJetStream(options);
  const durable = options.durable ?? 'optin-loader';
  const batchSize = options.batchSize ?? 500;
  const retryDelayMs = options.retryDelayMs ?? 5000;
  const existing = await jsm.consumers.info(stream, durable).catch(() => undefined);
  let created: ConsumerInfo | undefined;
  if (!existing)
    created = await jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      max_ack_pending: batchSize * 4,
      max_deliver: loaderMaxDeliver,
    });
  else if (existing.config.max_deliver !== loaderMaxDeliver)
    // Made by an earlier version without a limit: one message could be delivered forever.
    await jsm.consumers.update(stream, durable, { max_deliver: loaderMaxDeliver });
  const consumer = await js.consumers.get(stream, durable);

  // How often a held batch tells the server it is still being worked on: well inside its ack wait.
  const ackWaitMs = (existing ?? created)?.config.ack_wait;
  const heartbeatMs = Math.min(5000, Math.max(100, (ackWaitMs ? ackWaitMs / 1e6 : 30_000) / 3));

  const refuse = (m: JsMsg, error: CollectorError): void => {
    // No reason given: servers before 2.10 ignore a `+TERM` that carries one.
    m.term();
    options.onRefused?.({ subject: m.subject, streamSequence: m.seq, error });
  };

  const ack = async (items: readonly Item[]): Promise<void> => {
    await Promise.all(items.map(({ m }) => m.ackAck()));
  };

  /**
   * Stores a batch: acknowledges each message stored, terminates each the database refuses, and
   * stops at the first failure of another kind (the database unavailable, most often), returning
   * how many were stored and the messages not yet stored with that failure.
   */
  const store = async (batch: readonly Item[]): Promise<Outcome> => {
    try {
      await options.storage.insertEvents(batch.map((b) => b.event));
      await ack(batch);
      return { stored: batch.length, unstored: undefined };
    } catch (error) {
      if (databaseUnavailable(error)) return { stored: 0, unstored: { items: batch, cause: error } };
    }
    let stored = 0;
    // One message the database refuses must not hold back the others: each on its own.
    for (const [i, item] of batch.entries()) {
      try {
        await options.storage.insertEvents([item.event]);
        await ack([item]);
        stored++;
      } catch (error) {
        if (rowRefused(error)) refuse(item.m, refusedBy(error));
        else return { stored, unstored: { items: batch.slice(i), cause: error } };
      }
    }
    return { stored, unstored: undefined };
  };

  /**
   * Gives messages not stored back to the stream (delivered again after `retryDelayMs`), except
   * those on their last delivery: they are terminated and reported, never dropped silently.
   */
  const giveBack = (unstored: Unstored): CollectorError => {
    for (const { m } of unstored.items) {
      if (m.info.deliveryCount >= loaderMaxDeliver) refuse(m, refusedBy(unstored.cause));
      else m.nak(retryDelayMs);
    }
    return unavailable(unstored.cause);
  };

  /** Fetches a batch; terminates what is not an event, stores the rest; what it could not store. */
  const loadBatch = async (expires: number): Promise<Outcome> => {
    const messages: JsMsg[] = [];
    const iter = await consumer.fetch({ max_messages: batchSize, expires });
    for await (const m of iter) messages.push(m);
    const readable: Item[] = [];
    for (const m of messages) {
      // A Member's event as the Member is given it: the event itself is stored from its own copy.
      if (m.headers?.get('Nats-Msg-Id').startsWith(memberCopyId)) {
        await m.ackAck();
        continue;
      }
      const event = decodeEvent(m);
      if (event instanceof CollectorError) refuse(m, event);
      else readable.push({ m, event });
    }
    return readable.length ? store(readable) : { stored: 0, unstored: undefined };
  };

  /** Waits `ms`, or less when `signal` aborts. */
  const pause = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });

  /**
   * Holds messages the database could not take (their ack wait extended with `working()`) until
   * it answers again, polling it with a backoff from `delayMs` up to `retryDelayMs`; resolves to
   * whether it did before `signal` aborted.
   */
  const holdUntilBack = async (items: readonly Item[], delayMs: number, signal: AbortSignal): Promise<boolean> => {
    const heartbeat = setInterval(() => {
      for (const { m } of items) m.working();
    }, heartbeatMs);
    try {
      for (let delay = delayMs; ; delay = Math.min(delay * 2, retryDelayMs)) {
        await pause(delay, signal);
        if (signal.aborted) return false;
        try {
          await options.storage.ping();
          return true;
        } catch {
          // Still unavailable: wait longer.
        }
      }
    } finally {
      clearInterval(heartbeat);
    }
  };

  return {
    async drain() {
      let total = 0;
      for (;;) {
        const info = await consumer.info();
        if (info.num_pending === 0 && info.num_ack_pending === 0) return total;
        // Nothing is fetched while the database is unavailable: a delivery is spent only on a try.
        await options.storage.ping().catch((error: unknown) => {
          throw unavailable(error);
        });
        const { stored, unstored } = await loadBatch(1000);
        total += stored;
        if (unstored) throw giveBack(unstored);
      }
    },
    async run(signal) {
      while (!signal.aborted) {
        let { unstored } = await loadBatch(2000);
        // The database unavailable: keep the batch and try it again once the database answers, so
        // an outage, however long, costs no delivery.
        for (let delay = Math.min(100, retryDelayMs); unstored && databaseUnavailable(unstored.cause); ) {
          if (!(await holdUntilBack(unstored.items, delay, signal))) break;
          delay = Math.min(delay * 2, retryDelayMs);
          ({ unstored } = await store(unstored.items));
        }
        if (unstored) {
          giveBack(unstored);
          await holdUntilBack([], Math.min(100, retryDelayMs), signal);
        }
      }
    },
    async close() {
      await nc.drain();
    },
  };
}
