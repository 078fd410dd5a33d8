import type { Storage } from './storage.js';
import type { StoredEvent } from './stored-event.js';

/**
 * Where accepted events go: straight into the storage, or into a durable log (NATS JetStream)
 * from which loaders fill the database. `write` resolves only once the events are durable.
 */
export interface EventSink {
  /** `storage` or `jetstream`. */
  readonly kind: 'storage' | 'jetstream';
  /** Makes events durable; resolves to how many were new (not seen before by `messageId`). */
  write(events: readonly StoredEvent[]): Promise<number>;
  /** Throws when events cannot be made durable (the database, or the JetStream stream, is unreachable). */
  ping(): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** The default sink: the collector's own storage (SQLite or PostgreSQL). */
export function storageSink(storage: Storage): EventSink {
  return {
    kind: 'storage',
    write: (events) => storage.insertEvents(events),
    ping: () => storage.ping(),
    close: () => Promise.resolve(),
  };
}
