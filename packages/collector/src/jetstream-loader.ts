import { AckPolicy, JSONCodec, type JsMsg } from 'nats';
import { openJetStream, type JetStreamOptions } from './jetstream-sink.js';
import type { Storage } from './storage.js';
import type { StoredEvent } from './stored-event.js';

/** Options of {@link createJetStreamLoader}. */
export interface LoaderOptions extends JetStreamOptions {
  /** Where events are loaded (PostgreSQL in production; any storage works). */
  readonly storage: Storage;
  /** Durable consumer name, shared by every loader instance; default `optin-loader`. */
  readonly durable?: string | undefined;
  /** Events per fetch and per insert; default 500. */
  readonly batchSize?: number | undefined;
}

/** A loader draining JetStream into storage. */
export interface Loader {
  /** Loads until the stream has nothing pending; resolves to how many messages were processed. */
  drain(): Promise<number>;
  /** Loads until `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
  /** Closes the NATS connection (not the storage). */
  close(): Promise<void>;
}

const codec = JSONCodec<StoredEvent>();

/**
 * Drains the event stream into storage with a durable pull consumer: fetch a batch, insert it in
 * one statement (`ON CONFLICT (client_timestamp, message_id) DO NOTHING`), and only then acknowledge. A loader killed
 * in between gets the batch again and the insert skips what is already there: at-least-once
 * delivery, exactly-once rows. A failed insert gives the batch back (`nak`) and rejects. Several
 * loaders may share the durable consumer.
 */
export async function createJetStreamLoader(options: LoaderOptions): Promise<Loader> {
  const { nc, js, stream } = await openJetStream(options);
  const durable = options.durable ?? 'optin-loader';
  const batchSize = options.batchSize ?? 500;
  const jsm = await nc.jetstreamManager();
  try {
    await jsm.consumers.info(stream, durable);
  } catch {
    await jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      max_ack_pending: batchSize * 4,
    });
  }
  const consumer = await js.consumers.get(stream, durable);

  const loadBatch = async (expires: number): Promise<number> => {
    const messages: JsMsg[] = [];
    const iter = await consumer.fetch({ max_messages: batchSize, expires });
    for await (const m of iter) messages.push(m);
    if (!messages.length) return 0;
    try {
      await options.storage.insertEvents(messages.map((m) => codec.decode(m.data)));
    } catch (error) {
      // Not stored: hand the batch back for redelivery (to this or another loader).
      for (const m of messages) m.nak();
      throw error;
    }
    await Promise.all(messages.map((m) => m.ackAck()));
    return messages.length;
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
      while (!signal.aborted) await loadBatch(2000);
    },
    async close() {
      await nc.drain();
    },
  };
}
