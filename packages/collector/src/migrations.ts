/** One schema change, applied once, in order of `version`. */
export interface Migration {
  /** Increasing version number. */
  readonly version: number;
  /** What it does. */
  readonly name: string;
  /** The SQL, per database. */
  readonly sqlite: string;
  /** The SQL for PostgreSQL. */
  readonly postgres: string;
}

// The columns that are filtered, grouped or joined on; everything derived by enrichment is one JSON
// document (`enrichment`), which keeps inserts fast (SQLite pays per bound column) and stays
// queryable (JSONB in PostgreSQL, json_extract in SQLite). As released in migration 1.
const eventColumnsV1 = (json: string, bool: string): string => `
  message_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  event TEXT,
  member_id TEXT,
  anonymous_id TEXT,
  user_id TEXT,
  timestamp TEXT NOT NULL,
  received_at TEXT NOT NULL,
  course_id TEXT,
  path TEXT,
  is_bot ${bool} NOT NULL,
  enrichment ${json} NOT NULL,
  properties ${json} NOT NULL,
  context ${json} NOT NULL`;

const receiptColumns = (json: string, bool: string): string => `
  subject TEXT NOT NULL,
  consent_id TEXT NOT NULL,
  policy_id TEXT NOT NULL,
  policy_version TEXT NOT NULL,
  policy_hash TEXT NOT NULL,
  purposes ${json} NOT NULL,
  members ${json} NOT NULL,
  source TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  gpc ${bool} NOT NULL,
  received_at TEXT NOT NULL`;

/**
 * An ISO 8601 UTC time column (`…T12:00:00Z`, `….5Z`, `….9999995Z`: the forms receipts' schema takes)
 * in `Date#toISOString`'s form, read as text: the fraction cut or padded to milliseconds, as
 * JavaScript reads it. The same SQL in SQLite and PostgreSQL, with no date parsing (whose range and
 * rounding differ: PostgreSQL refuses year 0000 and rounds where JavaScript cuts).
 */
const isoMillis = (column: string): string =>
  `(substr(${column}, 1, 19) || '.' || substr(CASE WHEN substr(${column}, 20, 1) = '.' THEN rtrim(substr(${column}, 21), 'Z') ELSE '' END || '000', 1, 3) || 'Z')`;

/** Every migration, oldest first. Never edit a released one: add the next. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'events and append-only consent receipts',
    sqlite: `
CREATE TABLE events (seq INTEGER PRIMARY KEY, ${eventColumnsV1('TEXT', 'INTEGER')});
CREATE INDEX events_member_seq ON events (member_id, seq);
CREATE INDEX events_member_time ON events (member_id, timestamp);
CREATE TABLE consent_receipts (seq INTEGER PRIMARY KEY AUTOINCREMENT, ${receiptColumns('TEXT', 'INTEGER')});
CREATE INDEX consent_receipts_subject ON consent_receipts (subject, seq);
CREATE TRIGGER consent_receipts_no_update BEFORE UPDATE ON consent_receipts
BEGIN SELECT RAISE(ABORT, 'consent receipts are append-only'); END;
CREATE TRIGGER consent_receipts_no_delete BEFORE DELETE ON consent_receipts
BEGIN SELECT RAISE(ABORT, 'consent receipts are append-only'); END;`,
    postgres: `
CREATE TABLE events (seq BIGSERIAL PRIMARY KEY, ${eventColumnsV1('JSONB', 'BOOLEAN')});
CREATE INDEX events_member_seq ON events (member_id, seq);
CREATE INDEX events_member_time ON events (member_id, timestamp);
CREATE TABLE consent_receipts (seq BIGSERIAL PRIMARY KEY, ${receiptColumns('JSONB', 'BOOLEAN')});
CREATE INDEX consent_receipts_subject ON consent_receipts (subject, seq);
CREATE FUNCTION consent_receipts_append_only() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'consent receipts are append-only'; END $$;
CREATE TRIGGER consent_receipts_no_change BEFORE UPDATE OR DELETE ON consent_receipts
FOR EACH ROW EXECUTE FUNCTION consent_receipts_append_only();`,
  },
  {
    // A unique index on message ids alone takes each new id anywhere in the whole history when
    // clients make random ids (Segment's libraries send UUIDv4), so inserts slow as the table grows
    // (56,000 → 27,000 rows/s over 1.2 million rows, `bench/retry-key.mjs`). A retry repeats the
    // message's own timestamp, so keying retries by (client timestamp, message id) recognises every
    // retry while new keys land in the recent end of the index (≈ 40,000 rows/s, steady). Messages
    // sent without a timestamp get '' and are keyed by their id alone. Existing rows whose time is
    // not their receive time came with a timestamp of their own.
    version: 2,
    name: 'events: retries keyed by client timestamp and message id',
    sqlite: `
CREATE TABLE events_v2 (seq INTEGER PRIMARY KEY, ${eventColumnsV1('TEXT', 'INTEGER').replace(
      'message_id TEXT NOT NULL UNIQUE,',
      'message_id TEXT NOT NULL,\n  client_timestamp TEXT NOT NULL,',
    )});
INSERT INTO events_v2 (seq, message_id, client_timestamp, type, event, member_id, anonymous_id, user_id, timestamp,
  received_at, course_id, path, is_bot, enrichment, properties, context)
SELECT seq, message_id, CASE WHEN timestamp = received_at THEN '' ELSE timestamp END, type, event, member_id,
  anonymous_id, user_id, timestamp, received_at, course_id, path, is_bot, enrichment, properties, context
FROM events ORDER BY seq;
DROP TABLE events;
ALTER TABLE events_v2 RENAME TO events;
CREATE UNIQUE INDEX events_retry_key ON events (client_timestamp, message_id);
CREATE INDEX events_member_seq ON events (member_id, seq);
CREATE INDEX events_member_time ON events (member_id, timestamp);`,
    postgres: `
ALTER TABLE events ADD COLUMN client_timestamp TEXT NOT NULL DEFAULT '';
UPDATE events SET client_timestamp = timestamp WHERE timestamp <> received_at;
ALTER TABLE events ALTER COLUMN client_timestamp DROP DEFAULT;
ALTER TABLE events DROP CONSTRAINT events_message_id_key;
CREATE UNIQUE INDEX events_retry_key ON events (client_timestamp, message_id);`,
  },
  {
    // PostgreSQL hands out `seq` before commit: with several writers, a reader paging by `seq` could
    // pass a lower one that commits later. Each row now records its transaction, writers take their
    // `seq` values in transaction order, and readers return only rows of transactions older than
    // every one still running (a prefix in `seq` order). SQLite has one writer: nothing to do.
    version: 3,
    name: 'events: pages never pass an event that commits later',
    sqlite: `SELECT 1`,
    postgres: `ALTER TABLE events ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();`,
  },
  {
    // Events arrive out of order by up to a batch's age (seconds), so an index on
    // (member_id, timestamp) took nearly every insert at a different page. By the hour, each
    // Member's new rows go to the end of its current hour (entries of equal key are kept in row
    // order): on the SQLite writer alone, 39,500 → 62,400 rows/s. Queries bound the hour, then the
    // exact time.
    version: 4,
    name: 'events: Member time index by the hour',
    sqlite: `DROP INDEX events_member_time;
CREATE INDEX events_member_hour ON events (member_id, substr(timestamp, 1, 13));`,
    postgres: `DROP INDEX events_member_time;
CREATE INDEX events_member_hour ON events (member_id, substr(timestamp, 1, 13));`,
  },
  {
    // The platform token's queries span every Member: by the hour too, so that they read the
    // period asked for, not the whole table. New rows go to the end of the current hour.
    version: 5,
    name: 'events: platform time index by the hour',
    sqlite: `CREATE INDEX events_hour ON events (substr(timestamp, 1, 13));`,
    postgres: `CREATE INDEX events_hour ON events (substr(timestamp, 1, 13));`,
  },
  {
    // Every open tab of a learner hears of one decision and may send its receipt, and a client may
    // retry: one decision (subject, consent id, decision time) is stored once. Receipts stored
    // before keep a NULL key (they are append-only: copies already stored stay).
    version: 6,
    name: 'consent receipts: one a decision',
    sqlite: `ALTER TABLE consent_receipts ADD COLUMN decision_key TEXT;
CREATE UNIQUE INDEX consent_receipts_decision ON consent_receipts (decision_key);`,
    postgres: `ALTER TABLE consent_receipts ADD COLUMN decision_key TEXT;
CREATE UNIQUE INDEX consent_receipts_decision ON consent_receipts (decision_key);`,
  },
  {
    // The latest decision is the one decided last, found by comparing decision times as strings:
    // times are stored in one form (`toISOString`, UTC with milliseconds) from now on, and those
    // stored before are rewritten in it (the same instant; the append-only triggers are lifted for
    // this statement only). A decision stored twice in two forms keeps its key on the first copy.
    version: 7,
    name: 'consent receipts: decision times in one form, latest by decision time',
    sqlite: `DROP TRIGGER consent_receipts_no_update;
UPDATE consent_receipts SET decision_key = NULL
WHERE decision_key IS NOT NULL AND EXISTS (
  SELECT 1 FROM consent_receipts o WHERE o.subject = consent_receipts.subject
    AND o.consent_id = consent_receipts.consent_id AND o.decision_key IS NOT NULL AND o.seq < consent_receipts.seq
    AND ${isoMillis('o.decided_at')} = ${isoMillis('consent_receipts.decided_at')});
UPDATE consent_receipts SET
  decision_key = substr(decision_key, 1, length(decision_key) - length(decided_at) - 2) || ${isoMillis('decided_at')} || '"]',
  decided_at = ${isoMillis('decided_at')}
WHERE decided_at <> ${isoMillis('decided_at')};
CREATE TRIGGER consent_receipts_no_update BEFORE UPDATE ON consent_receipts
BEGIN SELECT RAISE(ABORT, 'consent receipts are append-only'); END;
DROP INDEX consent_receipts_subject;
CREATE INDEX consent_receipts_latest ON consent_receipts (subject, decided_at, seq);`,
    postgres: `ALTER TABLE consent_receipts DISABLE TRIGGER consent_receipts_no_change;
UPDATE consent_receipts r SET decision_key = NULL
WHERE decision_key IS NOT NULL AND EXISTS (
  SELECT 1 FROM consent_receipts o WHERE o.subject = r.subject AND o.consent_id = r.consent_id
    AND o.decision_key IS NOT NULL AND o.seq < r.seq AND ${isoMillis('o.decided_at')} = ${isoMillis('r.decided_at')});
UPDATE consent_receipts SET
  decision_key = left(decision_key, length(decision_key) - length(decided_at) - 2) || ${isoMillis('decided_at')} || '"]',
  decided_at = ${isoMillis('decided_at')}
WHERE decided_at <> ${isoMillis('decided_at')};
ALTER TABLE consent_receipts ENABLE TRIGGER consent_receipts_no_change;
DROP INDEX consent_receipts_subject;
CREATE INDEX consent_receipts_latest ON consent_receipts (subject, decided_at, seq);`,
  },
  {
    // Segment's contract, and the issue's: a retry is a message with the id of one already stored,
    // whatever its timestamp (a client that stamps a retry anew sent the same message). Migration 2
    // keyed retries by (client timestamp, id) to keep random ids from slowing inserts as the table
    // grows; with the clients' ids time-ordered (`@optin/analytics`) new ids land at the end of the
    // index anyway, and the batched benchmark keeps its rate (see the README). Of the copies already
    // stored under one id, the first is kept.
    version: 8,
    name: 'events: retries keyed by message id alone',
    sqlite: `DELETE FROM events WHERE seq NOT IN (SELECT MIN(seq) FROM events GROUP BY message_id);
DROP INDEX events_retry_key;
CREATE UNIQUE INDEX events_message_id ON events (message_id);`,
    postgres: `DELETE FROM events e USING events f WHERE e.message_id = f.message_id AND e.seq > f.seq;
DROP INDEX events_retry_key;
CREATE UNIQUE INDEX events_message_id ON events (message_id);`,
  },
  {
    // `@optin/consent` marks a receipt whose grants are opt-out mode's defaults rather than the
    // learner's choice (`implied`): part of the proof, kept with it. Receipts before it had none.
    version: 9,
    name: 'consent receipts: implied grants',
    sqlite: `ALTER TABLE consent_receipts ADD COLUMN implied INTEGER NOT NULL DEFAULT 0;`,
    postgres: `ALTER TABLE consent_receipts ADD COLUMN implied BOOLEAN NOT NULL DEFAULT false;`,
  },
  {
    // The kid of the platform key that proved a receipt's subject (`sealSubject` of `@optin/email`),
    // or NULL: not proved. Receipts before it were never proved.
    version: 10,
    name: 'consent receipts: the key that proved the subject',
    sqlite: `ALTER TABLE consent_receipts ADD COLUMN subject_proved_by TEXT;`,
    postgres: `ALTER TABLE consent_receipts ADD COLUMN subject_proved_by TEXT;`,
  },
  {
    // The Member an event stored for the platform alone was kept from (the learner's overrides
    // refused it the event's purpose), recorded at ingestion as the config then had it, so that the
    // Member's consent rates count that learner however its courses move later. Events stored before
    // keep NULL: no Member's. Indexed for those rows alone, by the hour, as the rates read them.
    version: 11,
    name: 'events: the Member an event was kept from',
    sqlite: `ALTER TABLE events ADD COLUMN kept_from TEXT;
CREATE INDEX events_kept_hour ON events (kept_from, substr(timestamp, 1, 13)) WHERE kept_from IS NOT NULL;`,
    // IF NOT EXISTS on PostgreSQL: an operator may add the column and build the index CONCURRENTLY
    // beforehand, under these names, so that a large table is not locked while it is built (README).
    postgres: `ALTER TABLE events ADD COLUMN IF NOT EXISTS kept_from TEXT;
CREATE INDEX IF NOT EXISTS events_kept_hour ON events (kept_from, substr(timestamp, 1, 13)) WHERE kept_from IS NOT NULL;`,
  },
];

/** The column of the unique key that recognises a retry (see migration 8). */
export const retryKey = 'message_id';

/** The columns of `events` in insert order (everything but `seq`). */
export const eventColumnNames = [
  'message_id',
  'client_timestamp',
  'type',
  'event',
  'member_id',
  'anonymous_id',
  'user_id',
  'timestamp',
  'received_at',
  'course_id',
  'path',
  'kept_from',
  'is_bot',
  'enrichment',
  'properties',
  'context',
] as const;
