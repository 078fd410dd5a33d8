import { describe, expect, it } from 'vitest';
import { postgresAvailable, postgresDefaulting, storedEvent } from './helpers.js';

describe.each(['repeatable read', 'serializable'] as const)(
  'a PostgreSQL database whose transactions default to %s',
  (isolation) => {
    it.skipIf(!postgresAvailable)(
      'stores a batch that two workers write at once (a retry sent to another worker) once, with no error',
      async () => {
        const db = await postgresDefaulting(isolation);
        try {
          const [one, two] = db.storages;
          const errors: string[] = [];
          let stored = 0;
          for (let n = 0; n < 40; n++) {
            const batch = [storedEvent('MITx'), storedEvent('MITx')];
            const counts = await Promise.all(
              [one, two].map((s) =>
                s.insertEvents(batch).catch((error: unknown) => {
                  errors.push(String(error));
                  return 0;
                }),
              ),
            );
            stored += counts[0]! + counts[1]!;
          }
          expect(errors).toEqual([]);
          expect(stored).toBe(80);
        } finally {
          await db.dispose();
        }
      },
      60_000,
    );
  },
);
