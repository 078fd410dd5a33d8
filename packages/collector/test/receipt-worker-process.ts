// A collector worker in a process of its own (bundled and forked by receipt-order-workers.test.ts):
// it opens its own connection to the SQLite file it is sent, waits for the instant it is given, then
// appends its receipts one after another and answers the errors it met.
import type { ConsentReceipt } from '@optin/consent';
import { SqliteStorage } from '../src/sqlite-storage.js';

/** What the test sends first: the database file and what to append. */
export interface WorkerOrder {
  readonly file: string;
  readonly receipts: readonly { receipt: ConsentReceipt; receivedAt: string; sentAt: string }[];
}

/** What the test sends once every worker has opened the database: when to start (ms since the epoch). */
export interface WorkerStart {
  readonly startAt: number;
}

process.once('message', (order: WorkerOrder) => {
  const storage = new SqliteStorage(order.file);
  process.once('message', ({ startAt }: WorkerStart) => {
    void (async () => {
      const errors: string[] = [];
      // Both processes start together (spinning, not sleeping: timers would start them apart).
      while (Date.now() < startAt);
      for (const { receipt, receivedAt, sentAt } of order.receipts)
        await storage.appendReceipt(receipt, receivedAt, undefined, sentAt).catch((error: unknown) => {
          errors.push(String(error));
        });
      await storage.close();
      process.send?.({ errors }, () => process.exit(0));
    })();
  });
  process.send?.('ready');
});
