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
// queryable (JSONB in PostgreSQL, json_extract in SQLite).
const eventColumns = (json: string, bool: string): string => `
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

/** Every migration, oldest first. Never edit a released one: add the next. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'events and append-only consent receipts',
    sqlite: `
CREATE TABLE events (seq INTEGER PRIMARY KEY, ${eventColumns('TEXT', 'INTEGER')});
CREATE INDEX events_member_seq ON events (member_id, seq);
CREATE INDEX events_member_time ON events (member_id, timestamp);
CREATE TABLE consent_receipts (seq INTEGER PRIMARY KEY AUTOINCREMENT, ${receiptColumns('TEXT', 'INTEGER')});
CREATE INDEX consent_receipts_subject ON consent_receipts (subject, seq);
CREATE TRIGGER consent_receipts_no_update BEFORE UPDATE ON consent_receipts
BEGIN SELECT RAISE(ABORT, 'consent receipts are append-only'); END;
CREATE TRIGGER consent_receipts_no_delete BEFORE DELETE ON consent_receipts
BEGIN SELECT RAISE(ABORT, 'consent receipts are append-only'); END;`,
    postgres: `
CREATE TABLE events (seq BIGSERIAL PRIMARY KEY, ${eventColumns('JSONB', 'BOOLEAN')});
CREATE INDEX events_member_seq ON events (member_id, seq);
CREATE INDEX events_member_time ON events (member_id, timestamp);
CREATE TABLE consent_receipts (seq BIGSERIAL PRIMARY KEY, ${receiptColumns('JSONB', 'BOOLEAN')});
CREATE INDEX consent_receipts_subject ON consent_receipts (subject, seq);
CREATE FUNCTION consent_receipts_append_only() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'consent receipts are append-only'; END $$;
CREATE TRIGGER consent_receipts_no_change BEFORE UPDATE OR DELETE ON consent_receipts
FOR EACH ROW EXECUTE FUNCTION consent_receipts_append_only();`,
  },
];

/** The columns of `events` in insert order (everything but `seq`). */
export const eventColumnNames = [
  'message_id',
  'type',
  'event',
  'member_id',
  'anonymous_id',
  'user_id',
  'timestamp',
  'received_at',
  'course_id',
  'path',
  'is_bot',
  'enrichment',
  'properties',
  'context',
] as const;
