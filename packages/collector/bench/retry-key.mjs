// What the key that recognises retries costs SQLite, on the writer alone (no HTTP): 1.2 million
// events inserted in transactions of 2,000, as 40,000 events a second would arrive, each up to
// 10 s old (batched clients), with random UUIDv4 message ids (Segment's libraries). Compares
// schema 1 (unique message_id) with schema 2 (unique client_timestamp, message_id) and prints rows/s
// per 400,000 rows: schema 1 slows as the table grows (every new id lands anywhere in the whole
// index), schema 2 does not (new keys land in the last seconds' part of it).
// Usage: node bench/retry-key.mjs
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { benchMessage } from './bench-message.mjs';

const keys = {
  'schema 1: message_id': 'message_id',
  'schema 2: client_timestamp, message_id': 'client_timestamp, message_id',
};
const enrichment = JSON.stringify({
  browser: 'Safari',
  browserVersion: '17.4',
  os: 'Mac OS',
  deviceType: 'desktop',
  ip: '81.2.69.0',
  country: 'GB',
  city: 'London',
  asn: 20712,
  isp: 'Andrews & Arnold Ltd',
  referrerClass: 'search',
  campaign: { source: 'news' },
});
const { properties: sentProperties, context: sentContext } = benchMessage('');
const properties = JSON.stringify(sentProperties);
const context = JSON.stringify(sentContext);
const results = [];
for (const [name, key] of Object.entries(keys)) {
  const dir = mkdtempSync(join(tmpdir(), 'optin-retry-key-'));
  const db = new Database(join(dir, 'optin.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 50000');
  db.exec(`CREATE TABLE events (seq INTEGER PRIMARY KEY, message_id TEXT NOT NULL, client_timestamp TEXT NOT NULL,
    type TEXT NOT NULL, member_id TEXT, timestamp TEXT NOT NULL, enrichment TEXT NOT NULL, properties TEXT NOT NULL, context TEXT NOT NULL);
    CREATE UNIQUE INDEX events_retry_key ON events (${key});
    CREATE INDEX events_member_seq ON events (member_id, seq);
    CREATE INDEX events_member_time ON events (member_id, timestamp);`);
  const insert =
    db.prepare(`INSERT INTO events (message_id, client_timestamp, type, member_id, timestamp, enrichment, properties, context)
    VALUES (?, ?, 'track', 'HarvardX', ?, ?, ?, ?) ON CONFLICT (${key}) DO NOTHING`);
  const start = Date.parse('2026-11-29T00:00:00Z');
  let n = 0;
  const write = db.transaction((count) => {
    for (let i = 0; i < count; i++, n++) {
      const time = new Date(start + Math.floor(n / 40) - Math.floor(Math.random() * 10_000)).toISOString();
      insert.run(randomUUID(), time, time, enrichment, properties, context);
    }
  });
  const row = { schema: name };
  let last = performance.now();
  for (let done = 2000; done <= 1_200_000; done += 2000) {
    write(2000);
    if (done % 400_000 === 0) {
      const now = performance.now();
      row[`rows/s to ${done / 1000}k`] = Math.round(400_000 / ((now - last) / 1000)).toLocaleString('en-US');
      last = now;
    }
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });
  results.push(row);
}
console.table(results);
