import type { ConsentReceipt } from '@optin/consent';
import { courseRunMatch } from './course-owner.js';
import { CollectorError } from './errors.js';
import { eventTime } from './event-time.js';
import { eventColumnNames, migrations, retryKey } from './migrations.js';
import { grantReadingSql } from './receipt-grants.js';
import { purposeKeys, type NamedPurposes } from './purpose-names.js';
import type { EventPage, EventQuery, MemberStats, StatsOptions, Storage, StoredReceipt } from './storage.js';
import type { StoredEvent } from './stored-event.js';
import {
  findUnstorableText,
  isUnstorableText,
  jsonHoldsUnstorableText,
  unstorableTextError,
} from './unstorable-text.js';

/** A row as a database driver returns it. */
export type Row = Record<string, unknown>;

/** A statement with `?` placeholders, and its parameters. */
export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * Work done in a transaction, one statement at a time: it yields each statement, is given back its
 * rows, and returns its answer. A generator, so that SQLite runs it whole without leaving the thread
 * (no other work on its connection inside the transaction) and PostgreSQL over the network.
 */
export type SqlSteps<T> = Generator<SqlStatement, T, Row[]>;

/** Event names counted as email opens and clicks (the email routes record these). */
export const emailEvents = { opened: 'optin.email.opened', clicked: 'optin.email.clicked' } as const;

/** What `@optin/analytics` names a use of a button or other control (counted as a click in Member stats). */
const controlUsedEvent = 'optin.ui.control_used';

function parseJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

/** The values of an event in `eventColumnNames` order (JSON columns as text). */
export function eventValues(e: StoredEvent, bool: (b: boolean) => unknown): unknown[] {
  const enrichment = {
    org: e.org,
    sessionId: e.sessionId,
    sessionSeq: e.sessionSeq,
    url: e.url,
    referrerClass: e.referrerClass,
    referrerHost: e.referrerHost,
    campaign: e.campaign,
    browser: e.browser,
    browserVersion: e.browserVersion,
    os: e.os,
    osVersion: e.osVersion,
    deviceType: e.deviceType,
    app: e.app,
    appVersion: e.appVersion,
    ip: e.ip,
    country: e.country,
    region: e.region,
    city: e.city,
    asn: e.asn,
    isp: e.isp,
    purposes: e.purposes,
  };
  return [
    e.messageId,
    e.clientTimestamp ?? '',
    e.type,
    e.event,
    e.memberId,
    e.anonymousId,
    e.userId,
    e.timestamp,
    e.receivedAt,
    e.courseId,
    e.path,
    e.keptFrom,
    bool(e.isBot),
    JSON.stringify(enrichment),
    JSON.stringify(e.properties),
    JSON.stringify(e.context),
  ];
}

/** How many of `eventValues` (the last ones) are JSON text. */
const jsonColumns = 3;

/**
 * The values of each event (as {@link eventValues}), refusing, before anything is written, a write
 * with a string no backend stores (NUL, unpaired surrogate): a `CollectorError` `unstorable_text`
 * with its path (`events[2].properties.note`). SQLite and PostgreSQL refuse exactly the same events.
 */
export function storableEventValues(events: readonly StoredEvent[], bool: (b: boolean) => unknown): unknown[][] {
  return events.map((e, index) => {
    const values = eventValues(e, bool);
    const json = values.length - jsonColumns;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v === 'string' && (i < json ? isUnstorableText(v) : jsonHoldsUnstorableText(v))) {
        const base = `events[${index}]`;
        throw unstorableTextError(findUnstorableText(e, base) ?? base);
      }
    }
    return values;
  });
}

type Enrichment = Omit<
  StoredEvent,
  | 'messageId'
  | 'clientTimestamp'
  | 'type'
  | 'event'
  | 'memberId'
  | 'keptFrom'
  | 'anonymousId'
  | 'userId'
  | 'timestamp'
  | 'receivedAt'
  | 'courseId'
  | 'path'
  | 'isBot'
  | 'properties'
  | 'context'
>;

/** Maps a stored row back to an event. */
function rowToEvent(r: Row): StoredEvent {
  const x = parseJson(r.enrichment) as Enrichment;
  return {
    messageId: String(r.message_id),
    clientTimestamp: text(r.client_timestamp) || null,
    type: String(r.type) as StoredEvent['type'],
    event: text(r.event),
    memberId: text(r.member_id),
    keptFrom: text(r.kept_from),
    anonymousId: text(r.anonymous_id),
    userId: text(r.user_id),
    timestamp: String(r.timestamp),
    receivedAt: String(r.received_at),
    courseId: text(r.course_id),
    org: x.org,
    sessionId: x.sessionId,
    sessionSeq: x.sessionSeq,
    path: text(r.path),
    url: x.url,
    referrerClass: x.referrerClass,
    referrerHost: x.referrerHost,
    campaign: x.campaign,
    browser: x.browser,
    browserVersion: x.browserVersion,
    os: x.os,
    osVersion: x.osVersion,
    deviceType: x.deviceType,
    app: x.app,
    appVersion: x.appVersion,
    isBot: r.is_bot === true || r.is_bot === 1,
    ip: x.ip,
    country: x.country,
    region: x.region,
    city: x.city,
    asn: x.asn,
    isp: x.isp,
    purposes: x.purposes,
    properties: parseJson(r.properties) as Record<string, unknown>,
    context: parseJson(r.context) as Record<string, unknown>,
  };
}

/** Maps a stored row back to a receipt. */
function rowToReceipt(r: Row): StoredReceipt {
  return {
    subject: String(r.subject),
    consentId: String(r.consent_id),
    policy: { id: String(r.policy_id), version: String(r.policy_version), hash: String(r.policy_hash) },
    purposes: parseJson(r.purposes) as Record<string, boolean>,
    members: parseJson(r.members) as Record<string, Record<string, boolean>>,
    source: String(r.source) as StoredReceipt['source'],
    decidedAt: String(r.decided_at),
    gpc: r.gpc === true || r.gpc === 1,
    ...((r.implied === true || r.implied === 1) && { implied: true }),
    receivedAt: String(r.received_at),
    ...(typeof r.subject_proved_by === 'string' && { subjectProvedBy: r.subject_proved_by }),
  };
}

/** A Member or purpose id as the config takes them, read as a JSON key in SQL without escaping. */
const jsonKey = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** How many purposes' refusals one integer of `overrideRefusals` holds, a bit each (within 32-bit sums). */
const refusalBits = 30;

/** How many purposes' choices one integer of `choiceBits` holds: a grant bit and a refusal bit each. */
const choiceBits = refusalBits / 2;

/**
 * The order of a subject's receipts, its latest decision first: by decision time; of the same
 * instant, a proved receipt first (the proved copy of a decision over an unproved copy of it); then
 * the one received last. (One device's decisions are never of one instant: see `appendReceipt`.)
 */
const latestFirst = 'decided_at DESC, (subject_proved_by IS NOT NULL) DESC, seq DESC';

/** The hour of an ISO time in SQL (`2026-11-29T09`), as the `(member_id, hour)` index has it. */
const hourOf = (time: string): string => `substr(${time}, 1, 13)`;

/**
 * How many pages (by path without its query, most viewed first) a Member's `topPages` are read
 * from: its ten are the most viewed of these once paths given alike are merged (a site's pages, not
 * its queries: bounded).
 */
const candidatePages = 1000;

/**
 * Events of `[from, to)` by their own time (parameters: from, to, from, to): the hour bounds let a
 * query use the `(member_id, hour)` index, the exact bounds follow.
 */
const eventPeriod = `${hourOf('timestamp')} >= ${hourOf('?')} AND ${hourOf('timestamp')} <= ${hourOf('?')} AND timestamp >= ? AND timestamp < ?`;

/**
 * Everything SQLite and PostgreSQL share: the queries (written with `?` placeholders), row
 * mapping and migrations bookkeeping. Subclasses run SQL and write events their own fastest way.
 */
export abstract class SqlStorage implements Storage {
  abstract readonly kind: 'sqlite' | 'postgres';
  /** Runs a query with `?` placeholders and returns its rows. */
  protected abstract query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs several statements (no parameters) in one transaction. */
  protected abstract exec(sql: string): Promise<void>;
  /** A boolean as the database stores it. */
  protected abstract bool(value: boolean): unknown;
  /**
   * SQL lowering a text expression as `toLowerCase` does (Unicode's default case mapping: `É` to
   * `é`, a Kelvin sign to `k`), whatever the database's locale, so that the database finds what the
   * collector's own code matches in any letter case.
   */
  protected abstract lower(sql: string): string;
  /**
   * A text expression ordered by its code points (as UTF-8 bytes), whatever the database's
   * collation, so that a tie is broken alike on SQLite and PostgreSQL: SQLite's default.
   */
  protected byCodePoint(sql: string): string {
    return sql;
  }
  /**
   * A condition (never NULL) that the JSON object in `column` holds the boolean `value` at `keys`
   * (object keys, outermost first), and its parameters: SQLite reads the path `$."k1"."k2"` with
   * `json_type` (which names a JSON boolean `true` or `false`); `jsonKey` ids need no escaping there.
   */
  protected jsonHolds(column: string, keys: readonly string[], value: boolean): { sql: string; params: unknown[] } {
    return {
      sql: `json_type(${column}, ?) IS '${String(value)}'`,
      params: [`$${keys.map((k) => `."${k}"`).join('')}`],
    };
  }
  /**
   * A condition (never NULL) that the JSON object in `column` has no key but `keys` (`jsonKey` ids,
   * at least one), and its parameters: in SQLite, removing them (`json_remove`) leaves `{}`.
   */
  protected onlyKeys(column: string, keys: readonly string[]): { sql: string; params: unknown[] } {
    return {
      sql: `json_remove(${column}, ${keys.map(() => '?').join(', ')}) = '{}'`,
      params: keys.map((k) => `$."${k}"`),
    };
  }
  /** A table of the entries of the JSON object `json`, with columns `key` and `value`: SQLite's `json_each`. */
  protected jsonEntries(json: string): string {
    return `json_each(${json})`;
  }
  /** A condition that the value of `entry`, a row of `jsonEntries`, is JSON `false`. */
  protected jsonFalse(entry: string): string {
    return `${entry}.type = 'false'`;
  }
  /** An empty JSON object as a JSON column holds it (a receipt without Member overrides). */
  protected readonly emptyJson: string = "'{}'";
  /**
   * What ends a subquery in `FROM` so that the database computes its columns once a row, rather
   * than merging it into the query around it and copying a column's expression into each use.
   */
  protected readonly fence: string = 'LIMIT -1 OFFSET 0';
  /**
   * What the JSON object in `column` (`{ [key]: boolean }`, a receipt's `purposes`) chooses of each
   * of `purposes`, read as `purposeChoices` reads it: a key naming the purpose (`keys[i]`, from
   * `purposeKeys`, in lower case) in any letter case. SQL integer expressions (never NULL), the
   * `k`th holding the choices of purposes `15k … 15k + 14`, purpose `i`'s grant as bit
   * `2 ** (i % 15)` and its refusal as that bit times `2 ** 15`; {@link grantOf} reads them. An
   * object whose keys are all ids of `named` purposes, as written (every receipt `@optin/consent`
   * sends), is read by path, each purpose's grant only (its id is its only name there), and its
   * refusal too where `refusalsWhen` (an SQL condition) holds; any other is walked once for all
   * purposes.
   */
  private choiceBits(
    column: string,
    purposes: readonly string[],
    named: NamedPurposes,
    keys: readonly (readonly string[])[],
    refusalsWhen?: string,
  ): { columns: string[]; params: unknown[] } {
    const columns: string[] = [];
    const params: unknown[] = [];
    const ids = [...new Set([...purposes, ...named.map((p) => p.id)])].filter((id) => jsonKey.test(id));
    for (let start = 0; start < keys.length; start += choiceBits) {
      const chunk = keys.slice(start, start + choiceBits);
      const bits = chunk.flatMap((names, i) => names.map(() => `WHEN ? THEN ${2 ** i}`));
      // No key names any of these purposes (none is one of the policy's): nothing chooses them.
      if (!bits.length) {
        columns.push('0');
        continue;
      }
      const only = this.onlyKeys(column, ids);
      const exact = purposes.slice(start, start + choiceBits).map((purpose, i) => {
        const held = this.jsonHolds(column, [purpose], true);
        const refused = refusalsWhen === undefined ? undefined : this.jsonHolds(column, [purpose], false);
        return {
          sql: `CASE WHEN ${held.sql} THEN ${2 ** i}${refused ? ` WHEN (${refusalsWhen}) AND ${refused.sql} THEN ${2 ** i * 2 ** choiceBits}` : ''} ELSE 0 END`,
          params: [...held.params, ...(refused?.params ?? [])],
        };
      });
      columns.push(
        `CASE WHEN ${only.sql} THEN ${exact.map((e) => e.sql).join(' + ')} ELSE COALESCE((SELECT SUM(DISTINCT CASE ${this.lower('c.key')} ${bits.join(' ')} ELSE 0 END * CASE WHEN ${this.jsonFalse('c')} THEN ${2 ** choiceBits} ELSE 1 END) FROM ${this.jsonEntries(column)} AS c), 0) END`,
      );
      params.push(...only.params, ...exact.flatMap((e) => e.params), ...chunk.flat());
    }
    return { columns, params };
  }
  /**
   * The condition that purpose `i` is granted in the `choiceBits` columns named `choices_k`: a key
   * naming it grants it and none refuses it (a refusal under any spelling wins).
   */
  private grantOf(i: number): string {
    const choices = `choices_${Math.floor(i / choiceBits)}`;
    const bit = 2 ** (i % choiceBits);
    return `((${choices} & ${bit}) <> 0 AND ${this.refusalOf(i)} = 0)`;
  }
  /** Purpose `i`'s refusal bit in the `choiceBits` columns named `choices_k` (an SQL integer, 0 when not refused). */
  private refusalOf(i: number): string {
    return `(choices_${Math.floor(i / choiceBits)} & ${2 ** (i % choiceBits) * 2 ** choiceBits})`;
  }
  /**
   * Which of `purposes` the Member overrides in `column` (`{ [memberId]: { [key]: boolean } }`)
   * refuse to `memberId`, read as `memberOverrides` reads them: under the Member's id in any letter
   * case, a key naming the purpose (`keys[i]`, from `purposeKeys`, in lower case) in any letter case
   * being `false`, whatever another spelling grants. One walk of the overrides answers for every
   * purpose: SQL integer expressions (never NULL), the `k`th holding the refusals of purposes
   * `30k … 30k + 29` as bits (purpose `i`'s is bit `2 ** (i % 30)` of the `floor(i / 30)`th). A
   * receipt without overrides, or one `granted` (SQL conditions, one a purpose) grants none of them
   * in, is not walked.
   */
  private overrideRefusals(
    column: string,
    memberId: string,
    keys: readonly (readonly string[])[],
    granted: readonly string[],
  ): { columns: string[]; params: unknown[] } {
    const columns: string[] = [];
    const params: unknown[] = [];
    for (let start = 0; start < keys.length; start += refusalBits) {
      const chunk = keys.slice(start, start + refusalBits);
      const bits = chunk.flatMap((names, i) => names.map(() => `WHEN ? THEN ${2 ** i}`));
      const anyGranted = granted.slice(start, start + refusalBits).join(' OR ');
      // No key names any of these purposes (none is one of the policy's): nothing refuses them.
      if (!bits.length) {
        columns.push('0');
        continue;
      }
      columns.push(
        `CASE WHEN ${column} = ${this.emptyJson} OR NOT (${anyGranted}) THEN 0 ELSE COALESCE((SELECT SUM(DISTINCT CASE ${this.lower('c.key')} ${bits.join(' ')} ELSE 0 END) FROM ${this.jsonEntries(column)} AS m, ${this.jsonEntries('m.value')} AS c WHERE ${this.lower('m.key')} = ? AND ${this.jsonFalse('c')}), 0) END`,
      );
      params.push(...chunk.flat(), memberId.toLowerCase());
    }
    return { columns, params };
  }
  /**
   * The condition that keeps event pages to rows no later commit can precede in `seq` order, when
   * writers may commit out of `seq` order (PostgreSQL); `undefined` when they cannot (SQLite).
   */
  protected readonly settled: string | undefined = undefined;
  abstract insertEvents(events: readonly StoredEvent[]): Promise<number>;
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;

  async migrate(): Promise<number> {
    await this.exec(
      'CREATE TABLE IF NOT EXISTS optin_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const applied = new Set((await this.query('SELECT version FROM optin_migrations')).map((r) => Number(r.version)));
    let version = 0;
    for (const m of migrations) {
      if (!applied.has(m.version)) {
        const now = new Date().toISOString();
        try {
          await this.exec(
            `${this.kind === 'sqlite' ? m.sqlite : m.postgres};\nINSERT INTO optin_migrations (version, name, applied_at) VALUES (${m.version}, '${m.name.replace(/'/g, "''")}', '${now}')`,
          );
        } catch (error) {
          // Another migrator (a process sharing the database) applied it first: its transaction, with
          // the version row, committed, and this one rolled back whole.
          const [done] = await this.query('SELECT version FROM optin_migrations WHERE version = ?', [m.version]);
          if (!done) throw error;
        }
      }
      version = m.version;
    }
    return version;
  }

  /** The appends running for a subject's consent id (the last one), each waiting for the one before. */
  private readonly appending = new Map<string, Promise<unknown>>();

  async appendReceipt(
    r: ConsentReceipt,
    receivedAt: string,
    subjectProvedBy?: string,
    deviceSentAt?: string,
  ): Promise<{ subjectProvedBy?: string }> {
    // Receipts of one consent id are stored in turn: each is placed in its device's order among those
    // stored before it (inDeviceOrder), which two posted at once (sendReceipts' two fetches) would both
    // miss. Across processes (OPTIN_WORKERS > 1, loaders) the database serializes them (`locked`); in
    // this process they also wait here, so that those waiting hold no connection.
    const id = JSON.stringify([r.subject, r.consentId]);
    const run = (this.appending.get(id) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.append(r, receivedAt, subjectProvedBy, deviceSentAt));
    this.appending.set(id, run);
    try {
      return await run;
    } finally {
      if (this.appending.get(id) === run) this.appending.delete(id);
    }
  }

  /**
   * Runs `steps` in one transaction that no other of the same `key` overlaps, in any process sharing
   * the database: each statement it yields is run and its rows given back, and the transaction
   * commits once it returns (rolls back if it throws).
   */
  protected abstract locked<T>(key: string, steps: () => SqlSteps<T>): Promise<T>;

  /** Stores a receipt (see appendReceipt), once the appends of its consent id before it are done. */
  private async append(
    r: ConsentReceipt,
    receivedAt: string,
    subjectProvedBy?: string,
    deviceSentAt?: string,
  ): Promise<{ subjectProvedBy?: string }> {
    // One instant, one form: `…12:00:00Z` and `…12:00:00.000Z` are the same decision, and the
    // latest decision is found by comparing these strings.
    const time = Date.parse(r.decidedAt);
    if (Number.isNaN(time))
      throw new CollectorError(
        'invalid_receipt',
        [{ path: 'decidedAt', message: `"${r.decidedAt}" is not a date and time` }],
        'Send receipts as receiptSchema of @optin/consent describes them (ISO 8601 times).',
      );
    // Read and written under the consent id's lock: two appends reading before either writes would
    // both miss the other (a refusal stored as older than the grant it followed).
    return this.locked(JSON.stringify([r.subject, r.consentId]), () =>
      this.storeReceipt(r, time, receivedAt, subjectProvedBy, deviceSentAt),
    );
  }

  /** The statements of `append`, under its consent id's lock. */
  private *storeReceipt(
    r: ConsentReceipt,
    time: number,
    receivedAt: string,
    subjectProvedBy?: string,
    deviceSentAt?: string,
  ): SqlSteps<{ subjectProvedBy?: string }> {
    // The decision is known by the time it was sent with (a retry of a receipt from a fast clock is
    // the same decision), and stored and ordered by that time corrected by the device's sentAt and
    // capped at its arrival, as events' times are.
    const asSent = new Date(time).toISOString();
    const key = JSON.stringify([r.subject, r.consentId, asSent]);
    // A proved copy of a decision has a key of its own: stored beside an unproved copy that came
    // first (the table is append-only: that copy stays, as evidence), it wins in every read, at that
    // copy's decision time. A copy stored proved before (under either key, the plain one before this
    // key existed) is the decision.
    const provedKey = JSON.stringify([r.subject, r.consentId, asSent, 'proved']);
    const [copy] = yield {
      sql: 'SELECT subject_proved_by, decided_at FROM consent_receipts WHERE decision_key IN (?, ?) ORDER BY subject_proved_by IS NULL, seq LIMIT 1',
      params: [key, provedKey],
    };
    if (typeof copy?.subject_proved_by === 'string') return { subjectProvedBy: copy.subject_proved_by };
    // Nothing is decided after it was sent: a decision dated after its sentAt (@optin/consent dates
    // each decision after the one it builds on, which a clock once fast may have dated ahead) is
    // dated by it.
    const sentFirst = deviceSentAt !== undefined && Date.parse(deviceSentAt) < time;
    const decidedAt = copy
      ? String(copy.decided_at)
      : yield* this.inDeviceOrder(r, asSent, eventTime(sentFirst ? deviceSentAt : asSent, deviceSentAt, receivedAt));
    yield {
      // The same decision again (another tab's copy, a retry) is taken and not stored twice.
      sql: 'INSERT INTO consent_receipts (subject, consent_id, policy_id, policy_version, policy_hash, purposes, members, source, decided_at, gpc, implied, received_at, decision_key, subject_proved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      params: [
        r.subject,
        r.consentId,
        r.policy.id,
        r.policy.version,
        r.policy.hash,
        JSON.stringify(r.purposes),
        JSON.stringify(r.members),
        r.source,
        decidedAt,
        this.bool(r.gpc),
        this.bool(r.implied === true),
        receivedAt,
        subjectProvedBy === undefined ? key : provedKey,
        subjectProvedBy ?? null,
      ],
    };
    return subjectProvedBy === undefined ? {} : { subjectProvedBy };
  }

  /**
   * `decidedAt` (the time a receipt is stored at, corrected for its device's clock) moved, if need
   * be, so that one device's decisions made together (one consent id, stored within a second of each
   * other) keep the order the device gave them: after every one it dated earlier, before every one it
   * dated later. Two posted at once from a clock fast or slow (acceptAll then rejectAll) are corrected
   * by their own arrivals; the refusal arriving first would otherwise be taken as the earlier.
   * Farther apart (one consent id on two devices, a learner's storage on the server), the corrected
   * times order them: one device's clock says nothing of the other's.
   */
  private *inDeviceOrder(r: ConsentReceipt, asSent: string, decidedAt: string): SqlSteps<string> {
    let at = Date.parse(decidedAt);
    const others = yield {
      sql: 'SELECT decided_at, decision_key FROM consent_receipts WHERE subject = ? AND decided_at >= ? AND decided_at <= ? AND consent_id = ? AND decision_key IS NOT NULL',
      params: [r.subject, new Date(at - 1000).toISOString(), new Date(at + 1000).toISOString(), r.consentId],
    };
    let before = Infinity;
    for (const o of others) {
      const theirs = Date.parse(String(o.decided_at));
      const [, , device] = JSON.parse(String(o.decision_key)) as [string, string, string];
      if (device < asSent) at = Math.max(at, theirs + 1);
      else if (device > asSent) before = Math.min(before, theirs - 1);
    }
    return new Date(Math.min(at, before)).toISOString();
  }

  async latestReceipt(subject: string): Promise<StoredReceipt | undefined> {
    // The latest decision, not the last receipt to arrive (a tab may post an older one late); of
    // decisions at the same instant, a proved one (a decision's proved copy over its unproved one),
    // then the one received last.
    const [r] = await this.query(`SELECT * FROM consent_receipts WHERE subject = ? ORDER BY ${latestFirst} LIMIT 1`, [
      subject,
    ]);
    return r && rowToReceipt(r);
  }

  async decidingReceipts(subject: string, provedGrantsOnly: boolean): Promise<StoredReceipt[]> {
    const latest = await this.latestReceipt(subject);
    if (!latest) return [];
    if (!provedGrantsOnly || latest.subjectProvedBy !== undefined) return [latest];
    const [proved] = await this.query(
      `SELECT * FROM consent_receipts WHERE subject = ? AND subject_proved_by IS NOT NULL ORDER BY ${latestFirst} LIMIT 1`,
      [subject],
    );
    if (!proved) return [latest];
    // Every decision after it: decided later (of the same instant, the proved one comes first), so
    // none of them proved.
    const after = await this.query(
      `SELECT * FROM consent_receipts WHERE subject = ? AND decided_at > ? ORDER BY ${latestFirst}`,
      [subject, proved.decided_at],
    );
    return [...after.map(rowToReceipt), rowToReceipt(proved)];
  }

  async memberEvents(memberId: string | null, q: EventQuery): Promise<EventPage> {
    // `null`: the whole platform (every event, a Member's or none's), for the platform token only.
    const where = memberId === null ? ['1 = 1'] : ['member_id = ?'];
    const params: unknown[] = memberId === null ? [] : [memberId];
    const add = (sql: string, value: unknown): void => {
      if (value === undefined) return;
      where.push(sql);
      params.push(value);
    };
    add('seq > ?', q.after);
    if (this.settled) where.push(this.settled);
    add('type = ?', q.type);
    add('event = ?', q.event);
    const course = q.courseId === undefined ? undefined : courseRunMatch(q.courseId);
    if (course) {
      // A course (a run, or a CCX) in any letter case and key form, as the collector finds a
      // course's Member; the namespaces (`course-v1:`/`block-v1:`, a CCX's `ccx-v1:`/`ccx-block-v1:`)
      // exactly as the key parser reads them. The databases count characters, not UTF-16 units, in
      // `substr` (the namespaces are ASCII).
      const lower = this.lower('course_id');
      const { keyPrefix, blockPrefix } = course;
      const key = `(substr(course_id, 1, ${keyPrefix.length}) = '${keyPrefix}' AND substr(${lower}, ${keyPrefix.length + 1}) = ?)`;
      const block = `(substr(course_id, 1, ${blockPrefix.length}) = '${blockPrefix}' AND substr(${lower}, ${blockPrefix.length + 1}, ${Array.from(course.blockStart).length}) = ?)`;
      if (course.legacy === null) where.push(`(${key} OR ${block})`);
      else {
        where.push(`(${lower} = ? OR ${key} OR ${block})`);
        params.push(course.legacy);
      }
      params.push(course.rest, course.blockStart);
    } else add('course_id = ?', q.courseId);
    add('anonymous_id = ?', q.anonymousId);
    add('user_id = ?', q.userId);
    add(`${hourOf('timestamp')} >= ${hourOf('?')}`, q.from);
    add(`${hourOf('timestamp')} <= ${hourOf('?')}`, q.to);
    add('timestamp >= ?', q.from);
    add('timestamp < ?', q.to);
    params.push(q.limit + 1);
    const rows = await this.query(`SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`, params);
    const page = rows.slice(0, q.limit);
    const lastRow = page[page.length - 1];
    // The last event's position on every page that has events (the last too: following it later
    // gives only what came since), and whether more follow now.
    return { events: page.map(rowToEvent), last: lastRow ? Number(lastRow.seq) : null, hasMore: rows.length > q.limit };
  }

  async memberStats(
    memberId: string | null,
    from: string,
    to: string,
    purposes: readonly string[],
    options: StatsOptions = {},
  ): Promise<MemberStats> {
    // Ids are read as JSON keys in SQL (consent rates).
    for (const key of [memberId, ...purposes])
      if (key !== null && !jsonKey.test(key))
        throw new CollectorError(
          'invalid_option',
          [{ path: key === memberId ? 'memberId' : 'purposes', message: `"${key}" is not a Member or purpose id` }],
          'Ids are letters, digits, "-", "_" and ".", as the config validates them.',
        );
    const range = [...(memberId === null ? [] : [memberId]), from, to, from, to];
    const scope = `${memberId === null ? '' : 'member_id = ? AND '}${eventPeriod}`;
    const notBot = `is_bot = ${this.kind === 'sqlite' ? '0' : 'false'}`;
    const perDay = await this.query(
      `SELECT substr(timestamp, 1, 10) AS day, COUNT(*) AS views FROM events WHERE ${scope} AND type IN ('page', 'screen') AND ${notBot} GROUP BY substr(timestamp, 1, 10) ORDER BY day`,
      range,
    );
    const top = await this.topPages(scope, notBot, range, options.pagePath);
    // A click's name ends in `_clicked` exactly as written: not SQLite's `LIKE`, which ignores the case
    // of ASCII letters where PostgreSQL's does not (`edx.ui.lms.LINK_CLICKED` would count on one only).
    // Both count characters in `substr` and `length`, from 1.
    const [counts] = await this.query(
      `SELECT
         SUM(CASE WHEN ((substr(event, length(event) - 7) = '_clicked' AND event <> ?) OR event = ?) AND ${notBot} THEN 1 ELSE 0 END) AS clicks,
         SUM(CASE WHEN event = ? AND ${notBot} THEN 1 ELSE 0 END) AS opens,
         SUM(CASE WHEN event = ? AND ${notBot} THEN 1 ELSE 0 END) AS email_clicks
       FROM events WHERE ${scope} AND type = 'track'`,
      [emailEvents.clicked, controlUsedEvent, emailEvents.opened, emailEvents.clicked, ...range],
    );
    const { rates: consentRates, provedLearners } = await this.consentRates(
      memberId,
      scope,
      range,
      from,
      to,
      purposes,
      options,
    );
    return {
      from,
      to,
      pageViewsPerDay: perDay.map((r) => ({ day: String(r.day), views: Number(r.views) })),
      topPages: top,
      clicks: Number(counts?.clicks ?? 0),
      emailOpens: Number(counts?.opens ?? 0),
      emailClicks: Number(counts?.email_clicks ?? 0),
      consentRates,
      ...(provedLearners !== undefined && { provedLearners }),
    };
  }

  /**
   * The ten most viewed pages of `memberStats` (page views by no bot), by path as stored or, with
   * `pagePath`, by the path it gives of each page (read without its query and fragment, cut in the
   * database so that one page is one row): paths given alike merged, those given as `null` left
   * out, of the most viewed {@link candidatePages}.
   */
  private async topPages(
    scope: string,
    notBot: string,
    range: readonly unknown[],
    pagePath: ((path: string) => string | null) | undefined,
  ): Promise<{ path: string; views: number }[]> {
    // `chr(63)`: a literal `?` would be read as a parameter on PostgreSQL.
    const [char, find, least] = this.kind === 'sqlite' ? ['char', 'instr', 'min'] : ['chr', 'strpos', 'least'];
    const cut = (c: number) => `${find}(path || ${char}(${c}), ${char}(${c}))`;
    const page = pagePath ? `substr(path, 1, ${least}(${cut(63)}, ${cut(35)}) - 1)` : 'path';
    const rows = await this.query(
      `SELECT page, COUNT(*) AS views FROM (SELECT ${page} AS page FROM events WHERE ${scope} AND type = 'page' AND path IS NOT NULL AND ${notBot}) AS pages GROUP BY page ORDER BY views DESC, ${this.byCodePoint('page')} LIMIT ${pagePath ? candidatePages : 10}`,
      range,
    );
    if (!pagePath) return rows.map((r) => ({ path: String(r.page), views: Number(r.views) }));
    const views = new Map<string, number>();
    for (const r of rows) {
      const given = pagePath(String(r.page));
      if (given) views.set(given, (views.get(given) ?? 0) + Number(r.views));
    }
    return [...views]
      .sort(([a, m], [b, n]) => n - m || Buffer.compare(Buffer.from(a), Buffer.from(b)))
      .slice(0, 10)
      .map(([path, n]) => ({ path, views: n }));
  }

  /**
   * The consent rates of `memberStats`, aggregated in the database: over each subject's latest
   * decision among the receipts received in `[from, to)`, for a Member only the subjects its events
   * of the period name (their `anonymousId` or `userId`: `sendReceipts` of `@optin/consent` is given
   * one or the other, the user id once the learner is signed in), so that a Member learns nothing of
   * the platform's volume; for the platform (`null`), every subject.
   */
  private async consentRates(
    memberId: string | null,
    eventScope: string,
    eventRange: readonly unknown[],
    from: string,
    to: string,
    purposes: readonly string[],
    options: StatsOptions,
  ): Promise<{ rates: MemberStats['consentRates']; provedLearners?: number }> {
    // A policy whose every purpose is required has none to rate (and no column to sum).
    if (!purposes.length) return { rates: {} };
    // What each decision chooses of each purpose, worked out once per decision (by path, or in one
    // walk of its purposes when they are spelled otherwise: `choiceBits`; the window then sorts these integers, and for a Member the overrides, rather than the
    // purposes' JSON), read as the event path reads choices (any letter case, aliases, a refusal
    // under any spelling winning) and, when subjects must be proved, granting only when proved
    // (anyone can post an unproved receipt for any subject: its grants are none, its refusals still count).
    const named = options.policyPurposes ?? purposes.map((id) => ({ id }));
    const keys = purposes.map((purpose) => purposeKeys(purpose, named));
    const proofs = options.provedGrantsOnly === true;
    // An unproved decision's refusals narrow the proved one before it: read them by path too.
    const choices = this.choiceBits(
      'purposes',
      purposes,
      named,
      keys,
      proofs ? 'subject_proved_by IS NULL' : undefined,
    );
    // With `currentPolicy`, a decision made under another version of the policy (the learner is asked
    // again) grants none under opt-in, and the mode's defaults under opt-out (as with no receipt):
    // counted in `implied` (its `implied` read as true below), never as consent. Its refusals count.
    // One rule with the email routes: `grantReading`.
    const policy = options.currentPolicy;
    const reading = grantReadingSql(
      options.mode ?? 'opt-in',
      policy ? 'in_force' : undefined,
      proofs ? 'proved' : undefined,
    );
    const grants = purposes.map((_, i) => `((${reading.chosen} OR ${reading.defaults}) AND ${this.grantOf(i)})`);
    // Which decisions count, one rule with the email routes (`grantingReceipts`): each subject's
    // latest; when subjects must be proved, every decision down to its latest proved one (all, when
    // none is), grouped by subject: the proved one grants (the others' grants are none), and the
    // refusals of the unproved ones after it narrow its grants.
    const window = `OVER (PARTITION BY subject ORDER BY ${latestFirst}${proofs ? ' ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING' : ''})`;
    const counted = proofs
      ? {
          column: `COALESCE(SUM(CASE WHEN subject_proved_by IS NOT NULL THEN 1 ELSE 0 END) ${window}, 0) AS proved_before`,
          kept: 'proved_before = 0',
        }
      : { column: `ROW_NUMBER() ${window} AS nth`, kept: 'nth = 1' };
    const each = (sql: string): string => (proofs ? `MAX(${sql})` : sql);
    // For a Member, then, of the decisions that count only, what their overrides refuse to the Member
    // (read as the event path reads them: the Member's id and the purpose in any letter case, the
    // purpose by an alias too, a refusal under any spelling winning), in one walk of them: a
    // granting decision's, and every unproved one's (whose refusals narrow).
    const refusals =
      memberId === null
        ? { columns: [], params: [] }
        : this.overrideRefusals(
            'members',
            memberId,
            keys,
            grants.map((g) => (proofs ? `(${g} OR NOT proved)` : g)),
          );
    const refused = (i: number): string[] => [
      ...(refusals.columns.length ? [`(refused_${Math.floor(i / refusalBits)} & ${2 ** (i % refusalBits)}) <> 0`] : []),
      ...(proofs ? [`${this.refusalOf(i)} <> 0`] : []),
    ];
    const granted = purposes.map((_, i) => {
      const refusedBy = refused(i);
      return `CASE WHEN ${each(`grants_${i}`)} = 1${refusedBy.length ? ` AND ${each(`CASE WHEN ${refusedBy.join(' OR ')} THEN 1 ELSE 0 END`)} = 0` : ''} THEN 1 ELSE 0 END AS granted_${i}`;
    });
    // A grant in an `implied` decision may be opt-out mode's default, not the learner's choice: it is
    // counted apart and never as consent (its refusals are the learner's, and count as such).
    const sums = purposes.flatMap((_, i) => [
      `SUM(CASE WHEN granted_${i} = 1 AND implied = 0 THEN 1 ELSE 0 END) AS granted_${i}`,
      `SUM(CASE WHEN granted_${i} = 1 AND implied = 1 THEN 1 ELSE 0 END) AS implied_${i}`,
    ]);
    // A Member's learners are named by its events of the period that also arrived in it
    // (`received_at`, the collector's clock): an event posted later, its client time back-dated into a
    // period already closed, adds nobody to it, so that a Member cannot tell one learner's choice
    // from the difference it makes (the receipts are of the period by `received_at` too).
    const arrived = `${eventScope} AND received_at >= ? AND received_at < ?`;
    // And by the period's events kept from it (stored for the platform alone because the learner
    // refused it a purpose: `kept_from`, recorded at ingestion) that arrived in it too: a learner who
    // refused the Member is one of its learners, who does not grant it what they refused.
    const namedBy = (where: string): string =>
      `SELECT anonymous_id FROM events WHERE ${where} AND anonymous_id IS NOT NULL
             UNION SELECT user_id FROM events WHERE ${where} AND user_id IS NOT NULL`;
    const keptFrom = `kept_from = ? AND ${eventPeriod} AND received_at >= ? AND received_at < ?`;
    const seen = memberId === null ? '' : ` AND subject IN (${namedBy(arrived)} UNION ${namedBy(keptFrom)})`;
    const keptRange = [memberId, from, to, from, to, from, to];
    const perDecision = [
      ...(proofs ? ['subject', ...choices.columns.map((_, k) => `choices_${k}`)] : []),
      // Only a granting decision's `implied` counts (another's grants are none).
      `CASE WHEN (${reading.chosen} OR ${reading.defaults}) AND (implied OR ${reading.defaults}) THEN 1 ELSE 0 END AS implied`,
      ...grants.map((g, i) => `CASE WHEN ${g} THEN 1 ELSE 0 END AS grants_${i}`),
      ...refusals.columns.map((c, k) => `${c} AS refused_${k}`),
      // Whether the decision's subject was proved: such learners alone count toward the minimum.
      ...(proofs ? ['CASE WHEN proved THEN 1 ELSE 0 END AS proved_decision'] : []),
    ];
    const [row] = await this.query(
      `SELECT COUNT(*) AS total, ${proofs ? 'SUM(proved_subject) AS proved_total, ' : ''}${sums.join(', ')} FROM (
         SELECT ${[`${each('implied')} AS implied`, ...(proofs ? ['MAX(proved_decision) AS proved_subject'] : []), ...granted].join(', ')} FROM (
           SELECT ${perDecision.join(', ')} FROM (
             SELECT ${proofs ? 'subject, ' : ''}implied, ${choices.columns.map((c, k) => `${c} AS choices_${k}`).join(', ')},${policy ? ' (policy_version = ? AND policy_hash = ?) AS in_force,' : ''}${proofs ? ' subject_proved_by IS NOT NULL AS proved,' : ''}${refusals.columns.length ? ' members,' : ''}
               ${counted.column}
             FROM consent_receipts WHERE received_at >= ? AND received_at < ?${seen}
           ) decisions WHERE ${counted.kept}${refusals.columns.length ? ` ${this.fence}` : ''}
         ) counting${proofs ? ' GROUP BY subject' : ''}
       ) latest`,
      [
        ...refusals.params,
        ...choices.params,
        ...(policy ? [policy.version, policy.hash] : []),
        from,
        to,
        ...(memberId === null ? [] : [...eventRange, from, to, ...eventRange, from, to, ...keptRange, ...keptRange]),
      ],
    );
    const total = Number(row?.total ?? 0);
    const rates: MemberStats['consentRates'] = {};
    purposes.forEach((purpose, i) => {
      const granted = Number(row?.[`granted_${i}`] ?? 0);
      const implied = Number(row?.[`implied_${i}`] ?? 0);
      rates[purpose] = { granted, implied, total, rate: total ? granted / total : 0 };
    });
    return proofs ? { rates, provedLearners: Number(row?.proved_total ?? 0) } : { rates };
  }

  async counts(): Promise<{ events: number; receipts: number }> {
    const [r] = await this.query(
      'SELECT (SELECT COUNT(*) FROM events) AS events, (SELECT COUNT(*) FROM consent_receipts) AS receipts',
    );
    return { events: Number(r?.events ?? 0), receipts: Number(r?.receipts ?? 0) };
  }

  async hasEvents(messageIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < messageIds.length; i += 500) {
      const chunk = messageIds.slice(i, i + 500);
      const rows = await this.query(
        `SELECT message_id FROM events WHERE message_id IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const r of rows) found.add(String(r.message_id));
    }
    return found;
  }
}

/** `INSERT` of `n` events with `?` placeholders, skipping known message ids. */
export function insertEventsSql(n: number): string {
  const row = `(${eventColumnNames.map(() => '?').join(', ')})`;
  return `INSERT INTO events (${eventColumnNames.join(', ')}) VALUES ${Array<string>(n).fill(row).join(', ')} ON CONFLICT (${retryKey}) DO NOTHING`;
}
