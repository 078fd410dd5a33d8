import { beforeAll, expect } from 'vitest';
import { postJson, type Backend, type Body, type LiveCollector } from './helpers.js';

/** Messages of a test by name, posted together. */
export type SentMessages = Readonly<Record<string, Record<string, unknown>>>;

/**
 * Posts the messages of `sent` as one batch to the collector of the calling `describe` before its
 * tests, every one accepted; nothing when the backend is skipped.
 */
export function postBeforeAll(backend: Backend, live: LiveCollector, sent: SentMessages): void {
  beforeAll(async () => {
    if (backend.skip) return;
    const res = await postJson(`${live.url}/v1/batch`, { batch: Object.values(sent) });
    expect(res.body).toMatchObject({ accepted: Object.keys(sent).length, dropped: [] });
  });
}

/** The event of `events` stored of the message `m` (found by its message id). */
export const byId = (events: Body[], m: Record<string, unknown>): Body =>
  events.find((e) => e.messageId === m.messageId);
