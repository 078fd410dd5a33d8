import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsentReceipt } from '@optin/consent';
import { eventColumnNames, migrations } from '../src/migrations.js';
import { eventValues } from '../src/sql-storage.js';
import { SqliteCheckpointer } from '../src/sqlite-checkpointer.js';
import { PostgresStorage } from '../src/postgres-storage.js';
import { SqliteStorage } from '../src/sqlite-storage.js';
import type { Storage } from '../src/storage.js';
import type { StoredEvent } from '../src/stored-event.js';
import { backends, mid, postgresUrl, startCollector, storedEvent, type TestStore } from './helpers.js';

const event = storedEvent;

/** The columns of `events` before migration 11 (no `kept_from`), and an event's values for them. */
const keptAt = eventColumnNames.indexOf('kept_from');
const v7Columns = eventColumnNames.filter((c) => c !== 'kept_from');
const v7Values = (e: StoredEvent, bool: (b: boolean) => unknown): unknown[] =>
  eventValues(e, bool).filter((_, i) => i !== keptAt);

const receipt = (
  subject: string,
  purposes: Record<string, boolean>,
  members: Record<string, Record<string, boolean>> = {},
): ConsentReceipt => ({
  subject,
  consentId: mid('c'),
  policy: { id: 'edx', version: '2026-11', hash: 'abc' },
  purposes,
  members,
  source: 'banner',
  decidedAt: new Date().toISOString(),
  gpc: false,
});

describe.each(backends)('storage ($name)', ({ skip, open }) => {
  let store: TestStore;
  let storage: Storage;
  beforeEach(async () => {
    if (skip) return;
    store = open();
    storage = store.storage;
    await storage.migrate();
  });
  afterEach(async () => {
    if (!skip) await store.dispose();
  });

  it.skipIf(skip)('applies versioned migrations once', async () => {
    expect(await storage.migrate()).toBe(migrations[migrations.length - 1]!.version);
    expect(await storage.migrate()).toBe(migrations.length);
    expect(await storage.counts()).toEqual({ events: 0, receipts: 0 });
  });

  it.skipIf(skip)('stores events once per messageId and round-trips every field', async () => {
    const e = event('HarvardX', {
      campaign: { source: 'news' },
      isBot: true,
      asn: 15169,
      sessionSeq: 3,
      properties: { nested: { ok: [1, 'two'] } },
    });
    expect(await storage.insertEvents([e, e])).toBe(1);
    expect(await storage.insertEvents([e])).toBe(0);
    const page = await storage.memberEvents('HarvardX', { limit: 10 });
    expect(page.events).toEqual([e]);
  });

  it.skipIf(skip)('recognises a retry by its messageId alone, whatever its timestamp', async () => {
    const sent = event('HarvardX');
    expect(await storage.insertEvents([sent])).toBe(1);
    // A retry arrives later: same message, new receive time.
    const later = new Date(Date.now() + 5000).toISOString();
    expect(await storage.insertEvents([{ ...sent, receivedAt: later }])).toBe(0);
    // A message sent without a timestamp is timed by its arrival; its retry arrives at another time.
    const untimed = event('HarvardX', { clientTimestamp: null });
    expect(await storage.insertEvents([untimed])).toBe(1);
    expect(await storage.insertEvents([{ ...untimed, timestamp: later, receivedAt: later }])).toBe(0);
    // A client that stamps its retry anew (or drops the stamp) still sends the same message.
    expect(await storage.insertEvents([{ ...sent, clientTimestamp: later, timestamp: later }])).toBe(0);
    expect(await storage.insertEvents([{ ...sent, clientTimestamp: null }])).toBe(0);
    const page = await storage.memberEvents('HarvardX', { limit: 10 });
    expect(page.events).toEqual([sent, untimed]);
  });

  it.skipIf(skip)('migrates version 7 events: of the copies stored under one messageId, the first stays', async () => {
    const v7 = open();
    const raw = v7.storage as unknown as {
      exec(sql: string): Promise<void>;
      query(sql: string, p?: unknown[]): Promise<Record<string, unknown>[]>;
    };
    const schema = (v7.storage as unknown as { schema?: string }).schema;
    try {
      await raw.exec(
        `${schema ? `CREATE SCHEMA ${schema};` : ''}
CREATE TABLE optin_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
${migrations
  .filter((m) => m.version <= 7)
  .map(
    (m) =>
      `${v7.storage.kind === 'sqlite' ? m.sqlite : m.postgres};
INSERT INTO optin_migrations (version, name, applied_at) VALUES (${m.version}, 'v${m.version}', '2026-11-01T00:00:00.000Z')`,
  )
  .join(';\n')}`,
      );
      const first = event('HarvardX', {
        timestamp: '2026-11-20T10:00:00.000Z',
        clientTimestamp: '2026-11-20T10:00:00.000Z',
      });
      const copy = { ...first, timestamp: '2026-11-20T10:00:05.000Z', clientTimestamp: '2026-11-20T10:00:05.000Z' };
      const other = event('HarvardX');
      for (const e of [first, copy, other])
        await raw.query(
          `INSERT INTO events (${v7Columns.join(', ')}) VALUES (${v7Columns.map(() => '?').join(', ')})`,
          v7Values(e, (b) => (v7.storage.kind === 'sqlite' ? (b ? 1 : 0) : b)),
        );
      expect(await v7.storage.migrate()).toBe(migrations.length);
      expect((await v7.storage.memberEvents('HarvardX', { limit: 10 })).events).toEqual([first, other]);
      expect(await v7.storage.insertEvents([{ ...copy, receivedAt: new Date().toISOString() }])).toBe(0);
    } finally {
      await v7.dispose();
    }
  });

  it.skipIf(skip)('migrates version 1 events in place: same rows, same order, retries still recognised', async () => {
    const v1 = open();
    const raw = v1.storage as unknown as {
      exec(sql: string): Promise<void>;
      query(sql: string, p?: unknown[]): Promise<Record<string, unknown>[]>;
    };
    // PostgreSQL test stores live in a schema of their own, which migrate() would create.
    const schema = (v1.storage as unknown as { schema?: string }).schema;
    try {
      const first = migrations[0]!;
      await raw.exec(
        `${schema ? `CREATE SCHEMA ${schema};` : ''}
CREATE TABLE optin_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
${v1.storage.kind === 'sqlite' ? first.sqlite : first.postgres};
INSERT INTO optin_migrations (version, name, applied_at) VALUES (1, 'v1', '2026-11-01T00:00:00.000Z')`,
      );
      const columns = v7Columns.filter((c) => c !== 'client_timestamp');
      const timed = event('HarvardX', { timestamp: '2026-11-20T10:00:00.000Z' });
      const untimed = event('HarvardX', { clientTimestamp: null });
      for (const e of [timed, untimed]) {
        const values = v7Values(e, (b) => (v1.storage.kind === 'sqlite' ? (b ? 1 : 0) : b));
        values.splice(1, 1);
        await raw.query(
          `INSERT INTO events (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
          values,
        );
      }
      expect(await v1.storage.migrate()).toBe(migrations.length);
      const page = await v1.storage.memberEvents('HarvardX', { limit: 10 });
      expect(page.events).toEqual([{ ...timed, clientTimestamp: timed.timestamp }, untimed]);
      const later = new Date(Date.now() + 5000).toISOString();
      expect(await v1.storage.insertEvents([{ ...timed, clientTimestamp: timed.timestamp, receivedAt: later }])).toBe(
        0,
      );
      expect(await v1.storage.insertEvents([{ ...untimed, timestamp: later, receivedAt: later }])).toBe(0);
      expect(await v1.storage.insertEvents([event('HarvardX')])).toBe(1);
    } finally {
      await v1.dispose();
    }
  });

  it.skipIf(skip)('answers each of many concurrent callers with how many of its events were new', async () => {
    const groups = Array.from({ length: 20 }, () => Array.from({ length: 5 }, () => event('HarvardX')));
    const shared = event('HarvardX');
    const counts = await Promise.all(groups.map((g) => storage.insertEvents([...g, g[0]!, shared])));
    // Its own five each, and the event they all sent for exactly one of them.
    expect(counts.filter((c) => c === 6)).toHaveLength(1);
    expect(counts.filter((c) => c === 5)).toHaveLength(19);
    expect((await storage.counts()).events).toBe(101);
    expect(await storage.insertEvents([shared, ...groups[3]!])).toBe(0);
  });

  it.skipIf(skip)(
    'refuses an event holding a NUL or an unpaired surrogate, alike on every backend, failing only its caller',
    async () => {
      const fine = event('HarvardX', {
        properties: { emoji: '😀', text: 'printf("\\u0000 \\ud800")' },
        campaign: { source: `${'a'.repeat(199)}😀` },
      });
      const lone = event('HarvardX', { properties: { note: 'a\ud800b' } });
      const nul = event('HarvardX', { event: 'a\u0000b' });
      const key = event('HarvardX', { campaign: { ['k\udc00']: 'x' } });
      const [ok, withLone, withNul, withKey] = await Promise.allSettled([
        storage.insertEvents([fine]),
        storage.insertEvents([event('HarvardX'), lone]),
        storage.insertEvents([nul]),
        storage.insertEvents([key]),
      ]);
      expect(ok).toEqual({ status: 'fulfilled', value: 1 });
      const refused = (path: string) => ({
        status: 'rejected',
        reason: expect.objectContaining({ code: 'unstorable_text', issues: [{ path, message: expect.any(String) }] }),
      });
      expect(withLone).toEqual(refused('events[1].properties.note'));
      expect(withNul).toEqual(refused('events[0].event'));
      expect(withKey).toEqual(refused('events[0].campaign["k\\udc00"]'));
      expect((await storage.memberEvents('HarvardX', { limit: 10 })).events).toEqual([fine]);
    },
  );

  it.skipIf(skip)("answers the other callers of a transaction one caller's row fails", async () => {
    // Enough callers at once to share transactions (PostgreSQL starts four, then groups the rest).
    const callers = Array.from({ length: 20 }, () => [event('HarvardX'), event('MITx')]);
    callers[10] = [event('HarvardX'), event('HarvardX', { type: null as unknown as StoredEvent['type'] })];
    const results = await Promise.allSettled(callers.map((c) => storage.insertEvents(c)));
    expect(results.map((r) => r.status)).toEqual(callers.map((_, i) => (i === 10 ? 'rejected' : 'fulfilled')));
    expect(results.filter((r) => r.status === 'fulfilled').map((r) => r.value)).toEqual(
      Array.from({ length: 19 }, () => 2),
    );
    expect((await storage.counts()).events).toBe(38);
  });

  it.skipIf(skip)('keeps receipts append-only and returns the latest', async () => {
    await storage.appendReceipt(receipt('learner-1', { analytics: true }), new Date().toISOString());
    await storage.appendReceipt(receipt('learner-1', { analytics: false }), new Date().toISOString());
    expect((await storage.latestReceipt('learner-1'))?.purposes).toEqual({ analytics: false });
    expect(await storage.latestReceipt('learner-1')).not.toHaveProperty('implied');
    expect(await storage.latestReceipt('nobody')).toBeUndefined();
    // Grants that are opt-out mode's defaults are marked so, and the mark is kept with the proof.
    await storage.appendReceipt(
      { ...receipt('learner-5', { analytics: true }), implied: true },
      new Date().toISOString(),
    );
    expect(await storage.latestReceipt('learner-5')).toMatchObject({ purposes: { analytics: true }, implied: true });
    const raw = storage as unknown as { query(sql: string, p?: unknown[]): Promise<unknown> };
    await expect(raw.query('UPDATE consent_receipts SET subject = ?', ['x'])).rejects.toThrow(/append-only/);
    await expect(raw.query('DELETE FROM consent_receipts')).rejects.toThrow(/append-only/);
    expect((await storage.counts()).receipts).toBe(3);
  });

  it.skipIf(skip)(
    'returns the latest decision, not the last receipt to arrive; one instant in two forms is one decision',
    async () => {
      const refusal = { ...receipt('learner-4', { analytics: false }), decidedAt: '2026-11-20T12:00:00Z' };
      const grant = { ...receipt('learner-4', { analytics: true }), decidedAt: '2026-11-20T11:00:00.000Z' };
      await storage.appendReceipt(refusal, '2026-11-20T12:00:01.000Z');
      // An older decision posted late (a tab that was asleep, a retry queue).
      await storage.appendReceipt(grant, '2026-11-20T12:05:00.000Z');
      expect(await storage.latestReceipt('learner-4')).toMatchObject({
        consentId: refusal.consentId,
        purposes: { analytics: false },
        decidedAt: '2026-11-20T12:00:00.000Z',
      });
      await storage.appendReceipt({ ...refusal, decidedAt: '2026-11-20T12:00:00.000Z' }, '2026-11-20T12:06:00.000Z');
      expect((await storage.counts()).receipts).toBe(2);
      const stats = await storage.memberStats(null, '2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z', [
        'analytics',
      ]);
      expect(stats.consentRates.analytics).toEqual({ granted: 0, implied: 0, total: 1, rate: 0 });
      await expect(storage.appendReceipt({ ...refusal, decidedAt: 'noon' }, refusal.decidedAt)).rejects.toMatchObject({
        code: 'invalid_receipt',
      });
    },
  );

  it.skipIf(skip)('migrates version 6 receipts: decision times in one form, one key a decision', async () => {
    const v6 = open();
    const raw = v6.storage as unknown as {
      exec(sql: string): Promise<void>;
      query(sql: string, p?: unknown[]): Promise<Record<string, unknown>[]>;
    };
    const schema = (v6.storage as unknown as { schema?: string }).schema;
    try {
      await raw.exec(
        `${schema ? `CREATE SCHEMA ${schema};` : ''}
CREATE TABLE optin_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
${migrations
  .filter((m) => m.version <= 6)
  .map(
    (m) =>
      `${v6.storage.kind === 'sqlite' ? m.sqlite : m.postgres};
INSERT INTO optin_migrations (version, name, applied_at) VALUES (${m.version}, 'v${m.version}', '2026-11-01T00:00:00.000Z')`,
  )
  .join(';\n')}`,
      );
      // As version 6 stored them: the decision time as sent, in the key too; one decision twice.
      const stored = [
        ['l1', 'c1', '2026-11-20T12:00:00Z', false],
        ['l1', 'c1', '2026-11-20T12:00:00.000Z', false],
        ['l1', 'c2', '2026-11-20T11:00:00.5Z', true],
        ['l2', 'c3', '2026-11-20T09:30:00.000Z', true],
        // Read as JavaScript reads them: year 0000 (no date type takes it everywhere), the fraction cut.
        ['l3', 'c4', '0000-01-01T00:00:00Z', true],
        ['l3', 'c5', '2026-11-20T12:00:00.9999995Z', false],
      ] as const;
      for (const [subject, consentId, decidedAt, analytics] of stored)
        await raw.query(
          'INSERT INTO consent_receipts (subject, consent_id, policy_id, policy_version, policy_hash, purposes, members, source, decided_at, gpc, received_at, decision_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [
            subject,
            consentId,
            'edx',
            '2026-11',
            'abc',
            JSON.stringify({ analytics }),
            '{}',
            'banner',
            decidedAt,
            v6.storage.kind === 'sqlite' ? 0 : false,
            '2026-11-20T13:00:00.000Z',
            JSON.stringify([subject, consentId, decidedAt]),
          ],
        );
      expect(await v6.storage.migrate()).toBe(migrations.length);
      const rows = await raw.query('SELECT decided_at, decision_key FROM consent_receipts ORDER BY seq');
      expect(rows).toEqual([
        { decided_at: '2026-11-20T12:00:00.000Z', decision_key: '["l1","c1","2026-11-20T12:00:00.000Z"]' },
        { decided_at: '2026-11-20T12:00:00.000Z', decision_key: null },
        { decided_at: '2026-11-20T11:00:00.500Z', decision_key: '["l1","c2","2026-11-20T11:00:00.500Z"]' },
        { decided_at: '2026-11-20T09:30:00.000Z', decision_key: '["l2","c3","2026-11-20T09:30:00.000Z"]' },
        { decided_at: '0000-01-01T00:00:00.000Z', decision_key: '["l3","c4","0000-01-01T00:00:00.000Z"]' },
        { decided_at: '2026-11-20T12:00:00.999Z', decision_key: '["l3","c5","2026-11-20T12:00:00.999Z"]' },
      ]);
      expect((await v6.storage.latestReceipt('l1'))?.purposes).toEqual({ analytics: false });
      // The decision sent again in either form is known; the table is append-only again.
      await v6.storage.appendReceipt(
        { ...receipt('l1', { analytics: false }), consentId: 'c1', decidedAt: '2026-11-20T12:00:00Z' },
        '2026-11-20T14:00:00.000Z',
      );
      // So is one sent in its long form: the key the migration wrote is the one the runtime writes.
      await v6.storage.appendReceipt(
        { ...receipt('l3', { analytics: false }), consentId: 'c5', decidedAt: '2026-11-20T12:00:00.9999995Z' },
        '2026-11-20T14:00:00.000Z',
      );
      expect((await v6.storage.counts()).receipts).toBe(6);
      await expect(raw.query('UPDATE consent_receipts SET subject = ?', ['x'])).rejects.toThrow(/append-only/);
    } finally {
      await v6.dispose();
    }
  });

  it.skipIf(skip)('stores one decision once, whichever tab or retry sends it again', async () => {
    const decision = receipt('learner-2', { analytics: true });
    await Promise.all([1, 2, 3].map(() => storage.appendReceipt(decision, new Date().toISOString())));
    await storage.appendReceipt({ ...decision }, new Date().toISOString());
    expect((await storage.counts()).receipts).toBe(1);
    // A later decision of the same consent id, and the same decision of another subject, are new.
    await storage.appendReceipt(
      { ...decision, decidedAt: new Date(Date.now() + 1000).toISOString(), purposes: { analytics: false } },
      new Date().toISOString(),
    );
    await storage.appendReceipt({ ...decision, subject: 'learner-3' }, new Date().toISOString());
    expect((await storage.counts()).receipts).toBe(3);
    expect((await storage.latestReceipt('learner-2'))?.purposes).toEqual({ analytics: false });
  });

  it.skipIf(skip)(
    'keeps a proved copy of a decision beside an unproved one, and reads the proved one everywhere',
    async () => {
      const now = new Date().toISOString();
      await storage.insertEvents(
        ['late-proof', 'early-proof'].map((anonymousId) => event('HarvardX', { anonymousId })),
      );
      const late = receipt('late-proof', { analytics: true });
      await storage.appendReceipt(late, now);
      await storage.appendReceipt(late, now, 'edx-2026');
      await storage.appendReceipt(late, now, 'edx-2025');
      const early = receipt('early-proof', { analytics: true });
      await storage.appendReceipt(early, now, 'edx-2026');
      await storage.appendReceipt(early, now);
      // Append-only: the unproved copy stays, as evidence, and the proved one is added once.
      expect((await storage.counts()).receipts).toBe(3);
      expect(await storage.latestReceipt('late-proof')).toMatchObject({ subjectProvedBy: 'edx-2026' });
      expect(await storage.latestReceipt('early-proof')).toMatchObject({ subjectProvedBy: 'edx-2026' });
      const period = ['2026-11-01T00:00:00.000Z', new Date(Date.now() + 1000).toISOString()] as const;
      for (const memberId of ['HarvardX', null]) {
        const stats = await storage.memberStats(memberId, ...period, ['analytics'], { provedGrantsOnly: true });
        expect(stats.consentRates.analytics, String(memberId)).toEqual({ granted: 2, implied: 0, total: 2, rate: 1 });
      }
    },
  );

  it.skipIf(skip)("pages through a Member's events with filters and never returns another Member's", async () => {
    const mine = Array.from({ length: 25 }, (_, i) =>
      event('HarvardX', { type: i % 2 ? 'track' : 'page', event: i % 2 ? 'edx.ui.lms.link_clicked' : 'Course' }),
    );
    await storage.insertEvents([...mine, event('MITx'), event(null)]);
    const seen: string[] = [];
    let after: number | undefined;
    for (;;) {
      const page = await storage.memberEvents('HarvardX', { limit: 10, after });
      seen.push(...page.events.map((e) => e.messageId));
      if (!page.hasMore) break;
      after = page.last ?? undefined;
    }
    expect(seen).toEqual(mine.map((e) => e.messageId));
    const tracks = await storage.memberEvents('HarvardX', { limit: 100, type: 'track' });
    expect(tracks.events).toHaveLength(12);
    const future = await storage.memberEvents('HarvardX', {
      limit: 100,
      from: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(future.events).toHaveLength(0);
  });

  it.skipIf(skip)('computes Member stats: views per day, top pages, clicks, email, consent rates', async () => {
    const day = '2026-11-20T10:00:00.000Z';
    await storage.insertEvents([
      // The learners of the receipts below: l1 by its anonymousId, l2 signed in (its userId).
      event('HarvardX', { timestamp: day, path: '/a', anonymousId: 'l1' }),
      event('HarvardX', { timestamp: day, path: '/a', anonymousId: 'device-2', userId: 'l2' }),
      event('HarvardX', { timestamp: '2026-11-21T10:00:00.000Z', path: '/b' }),
      event('HarvardX', { timestamp: day, path: '/bot', isBot: true }),
      event('HarvardX', { timestamp: day, type: 'track', event: 'edx.ui.lms.link_clicked' }),
      event('HarvardX', { timestamp: day, type: 'track', event: 'optin.ui.control_used' }),
      event('HarvardX', { timestamp: day, type: 'track', event: 'edx.social.share_clicked', isBot: true }),
      event('HarvardX', { timestamp: day, type: 'track', event: 'optin.email.opened' }),
      event('HarvardX', { timestamp: day, type: 'track', event: 'optin.email.clicked' }),
      event('MITx', { timestamp: day, path: '/mit' }),
    ]);
    const now = new Date().toISOString();
    await storage.appendReceipt(receipt('l1', { analytics: true, marketing: true }), now);
    await storage.appendReceipt(
      receipt('l2', { analytics: true, marketing: true }, { HarvardX: { marketing: false } }),
      now,
    );
    // A learner never seen on HarvardX's courses is none of its figures.
    await storage.appendReceipt(receipt('l3', { analytics: false, marketing: false }), now);
    const stats = await storage.memberStats(
      'HarvardX',
      '2026-11-01T00:00:00.000Z',
      new Date(Date.now() + 1000).toISOString(),
      ['analytics', 'marketing'],
    );
    expect(stats.pageViewsPerDay).toEqual([
      { day: '2026-11-20', views: 2 },
      { day: '2026-11-21', views: 1 },
    ]);
    expect(stats.topPages).toEqual([
      { path: '/a', views: 2 },
      { path: '/b', views: 1 },
    ]);
    // A link and a control used count; a bot's click and the email click do not.
    expect(stats).toMatchObject({ clicks: 2, emailOpens: 1, emailClicks: 1 });
    expect(stats.consentRates.analytics).toEqual({ granted: 2, implied: 0, total: 2, rate: 1 });
    expect(stats.consentRates.marketing).toEqual({ granted: 1, implied: 0, total: 2, rate: 0.5 });
  });

  it.skipIf(skip)('counts a click by its exact event name, on SQLite as on PostgreSQL', async () => {
    const day = '2026-11-20T10:00:00.000Z';
    const track = (name: string) => event('HarvardX', { timestamp: day, type: 'track', event: name });
    await storage.insertEvents([
      track('edx.ui.lms.link_clicked'),
      track('_clicked'),
      // Not `*_clicked`, `optin.ui.control_used` or the email click as written: none is a click.
      track('edx.ui.lms.LINK_CLICKED'),
      track('edx.ui.lms.link_Clicked'),
      track('Optin.UI.Control_Used'),
      track('OPTIN.EMAIL.CLICKED'),
      track('edx.ui.lms.linkXclicked'),
      track('clicked'),
    ]);
    const stats = await storage.memberStats('HarvardX', '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z', [
      'analytics',
    ]);
    expect(stats).toMatchObject({ clicks: 2, emailOpens: 0, emailClicks: 0 });
  });

  it.skipIf(skip)("counts an implied decision's grants apart, never as consent; its refusals as refusals", async () => {
    const now = new Date().toISOString();
    await storage.insertEvents(
      ['chose', 'defaulted', 'narrowed'].map((anonymousId) => event('HarvardX', { anonymousId })),
    );
    await storage.appendReceipt(receipt('chose', { analytics: true, marketing: true }), now);
    // Opt-out mode's defaults carried along (the learner refused marketing and chose nothing else).
    await storage.appendReceipt({ ...receipt('defaulted', { analytics: true, marketing: false }), implied: true }, now);
    await storage.appendReceipt(
      {
        ...receipt('narrowed', { analytics: true, marketing: true }, { HarvardX: { analytics: false } }),
        implied: true,
      },
      now,
    );
    const period = ['2026-11-01T00:00:00.000Z', new Date(Date.now() + 1000).toISOString()] as const;
    const harvard = await storage.memberStats('HarvardX', ...period, ['analytics', 'marketing']);
    expect(harvard.consentRates.analytics).toEqual({ granted: 1, implied: 1, total: 3, rate: 1 / 3 });
    expect(harvard.consentRates.marketing).toEqual({ granted: 1, implied: 1, total: 3, rate: 1 / 3 });
    const platform = await storage.memberStats(null, ...period, ['analytics']);
    expect(platform.consentRates.analytics).toEqual({ granted: 1, implied: 2, total: 3, rate: 1 / 3 });
  });
  it.skipIf(skip)('aggregates consent rates in the database: one row back, however many receipts', async () => {
    const now = new Date().toISOString();
    const learners = Array.from({ length: 40 }, (_, i) => `many-${i}`);
    await storage.insertEvents(learners.slice(0, 10).map((anonymousId) => event('HarvardX', { anonymousId })));
    for (const [i, subject] of learners.entries())
      await storage.appendReceipt(receipt(subject, { analytics: i % 2 === 0, marketing: i % 4 === 0 }), now);
    const raw = storage as unknown as { query(sql: string, p?: readonly unknown[]): Promise<unknown[]> };
    const run = raw.query.bind(storage);
    const answered: number[] = [];
    raw.query = async (sql, p) => {
      const rows = await run(sql, p);
      if (/consent_receipts/.test(sql)) answered.push(rows.length);
      return rows;
    };
    const period = ['2026-11-01T00:00:00.000Z', new Date(Date.now() + 1000).toISOString()] as const;
    const platform = await storage.memberStats(null, ...period, ['analytics', 'marketing']);
    const harvard = await storage.memberStats('HarvardX', ...period, ['analytics', 'marketing']);
    expect(answered).toEqual([1, 1]);
    expect(platform.consentRates).toEqual({
      analytics: { granted: 20, implied: 0, total: 40, rate: 0.5 },
      marketing: { granted: 10, implied: 0, total: 40, rate: 0.25 },
    });
    expect(harvard.consentRates).toEqual({
      analytics: { granted: 5, implied: 0, total: 10, rate: 0.5 },
      marketing: { granted: 3, implied: 0, total: 10, rate: 0.3 },
    });
  });

  it.skipIf(skip)('refuses Member and purpose ids no config takes, before any query', async () => {
    const period = ['2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z'] as const;
    await expect(storage.memberStats('HarvardX', ...period, ['analytics', 'ana"lytics'])).rejects.toMatchObject({
      code: 'invalid_option',
      issues: [{ path: 'purposes', message: expect.stringContaining('ana"lytics') }],
    });
    await expect(storage.memberStats("Harvard'X", ...period, ['analytics'])).rejects.toMatchObject({
      code: 'invalid_option',
      issues: [{ path: 'memberId' }],
    });
  });
});

describe.each(backends)('concurrent migrators ($name)', ({ name, skip }) => {
  it.skipIf(skip)('several collectors starting at once on a new database all migrate it', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'optin-migrate-'));
      const schema = `optin_mig_${process.pid}_${Date.now()}_${round}`;
      const storages: Storage[] = Array.from({ length: 5 }, () =>
        name === 'sqlite'
          ? new SqliteStorage(join(dir, 'optin.db'))
          : new PostgresStorage({ connectionString: postgresUrl, schema, max: 3 }),
      );
      try {
        const versions = await Promise.allSettled(storages.map((s) => s.migrate()));
        expect(versions).toEqual(storages.map(() => ({ status: 'fulfilled', value: migrations.length })));
        expect(await storages[0]!.insertEvents([event('HarvardX')])).toBe(1);
      } finally {
        if (storages[0] instanceof PostgresStorage) await storages[0].dropSchema();
        await Promise.all(storages.map((s) => s.close()));
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});

/** Runs `fn` on a migrated SQLite storage in a file of its own, then closes it and removes the file. */
async function withSqliteFile(fn: (storage: SqliteStorage, file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'optin-writer-'));
  const file = join(dir, 'optin.db');
  const storage = new SqliteStorage(file);
  await storage.migrate();
  try {
    await fn(storage, file);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SQLite event writes', () => {
  it('groups concurrent inserts, answers each caller after the commit, and survives a failed transaction', async () => {
    await withSqliteFile(async (storage) => {
      const groups = Array.from({ length: 20 }, () => Array.from({ length: 5 }, () => event('HarvardX')));
      const counts = await Promise.all(groups.map((g) => storage.insertEvents([...g, g[0]!])));
      expect(counts).toEqual(groups.map(() => 5));
      expect((await storage.counts()).events).toBe(100);
      // A row the table refuses (NOT NULL type) fails its transaction; the next one goes through.
      const bad = event('HarvardX', { type: null as unknown as StoredEvent['type'] });
      await expect(storage.insertEvents([bad])).rejects.toMatchObject({ code: 'storage_failed' });
      expect(await storage.insertEvents([event('HarvardX')])).toBe(1);
      expect(await storage.insertEvents(groups[0]!)).toBe(0);
      // The writer thread builds exactly the row `eventValues` describes (same JSON text, key order).
      const e = event('HarvardX', { campaign: { source: 'news' }, isBot: true, properties: { b: [1], a: 'x' } });
      await storage.insertEvents([e]);
      const raw = storage as unknown as { query(sql: string, p?: unknown[]): Promise<Record<string, unknown>[]> };
      const [row] = await raw.query(`SELECT ${eventColumnNames.join(', ')} FROM events WHERE message_id = ?`, [
        e.messageId,
      ]);
      expect(eventColumnNames.map((c) => row?.[c])).toEqual(eventValues(e, (b) => (b ? 1 : 0)));
    });
  });

  it('takes new groups while a transaction commits, counts each in order, and closes after them', async () => {
    await withSqliteFile(async (storage, file) => {
      const first = Array.from({ length: 2000 }, () => event('HarvardX'));
      const writes = [storage.insertEvents(first)];
      // Each later group is handed over on its own event-loop turn, while earlier ones are written.
      for (let turn = 0; turn < 5; turn++) {
        await new Promise((resolve) => setImmediate(resolve));
        writes.push(storage.insertEvents([first[turn]!, event(null), event('HarvardX')]));
      }
      const last = event('HarvardX');
      writes.push(storage.insertEvents([last]));
      const closed = storage.close(); // with writes still in flight
      expect(await Promise.all(writes)).toEqual([2000, 2, 2, 2, 2, 2, 1]);
      await closed;
      const reopened = new SqliteStorage(file);
      expect((await reopened.counts()).events).toBe(2011);
      // Committed in the order handed over: the last group's event has the highest position.
      expect((await reopened.memberEvents('HarvardX', { limit: 3000 })).events.at(-1)).toEqual(last);
      await reopened.close();
    });
  });

  it('answers time-bounded queries from an index by the hour, not a scan', async () => {
    const storage = new SqliteStorage(':memory:');
    await storage.migrate();
    const raw = storage as unknown as {
      query(sql: string, p?: readonly unknown[]): Promise<Record<string, unknown>[]>;
    };
    const run = raw.query.bind(storage);
    const issued: [string, readonly unknown[]][] = [];
    raw.query = (sql, p = []) => (issued.push([sql, p]), run(sql, p));
    await storage.memberStats('HarvardX', '2026-11-01T00:00:00.000Z', '2026-11-29T00:00:00.000Z', ['analytics']);
    await storage.memberEvents('HarvardX', {
      limit: 10,
      from: '2026-11-20T00:00:00.000Z',
      to: '2026-11-21T00:00:00.000Z',
    });
    // The platform token's: every Member's events in the period.
    await storage.memberStats(null, '2026-11-01T00:00:00.000Z', '2026-11-29T00:00:00.000Z', ['analytics']);
    const onEvents = issued.filter(([sql]) => /FROM events WHERE/.test(sql));
    // Per stats: views per day, top pages, clicks and email; a Member's consent rates too.
    expect(onEvents).toHaveLength(8);
    for (const [sql, p] of onEvents) {
      const plan = (await run(`EXPLAIN QUERY PLAN ${sql}`, p)).map((r) => String(r.detail)).join('; ');
      expect(plan, sql).toMatch(/member_id/.test(sql) ? /USING INDEX events_member_hour/ : /USING INDEX events_hour/);
    }
    await storage.close();
  });

  it('answers a write on the next writer thread by its own commit after a thread dies', async () => {
    await withSqliteFile(async (storage) => {
      const raw = storage as unknown as { query(sql: string): Promise<unknown> };
      // The writer thread dies at start (its INSERT cannot be prepared): its write fails.
      await raw.query('ALTER TABLE events RENAME TO events_gone');
      const first = storage.insertEvents([event('HarvardX')]);
      await expect(first).rejects.toMatchObject({ code: 'storage_failed' });
      // Fixed at once; the next write goes to a new thread while the dead one may still be exiting.
      await raw.query('ALTER TABLE events_gone RENAME TO events');
      expect(await storage.insertEvents([event('HarvardX')])).toBe(1);
      expect((await storage.counts()).events).toBe(1);
    });
  });

  it('fails only the write holding a value it cannot hand over, and still closes', async () => {
    await withSqliteFile(async (storage) => {
      const odd = event('HarvardX', { userId: (() => 'x') as unknown as string });
      await expect(storage.insertEvents([odd])).rejects.toMatchObject({ code: 'storage_failed' });
      expect(await storage.insertEvents([event('HarvardX')])).toBe(1);
    }); // used to wait forever for the failed write
  });

  it('warns and goes on when the background checkpointer fails', async () => {
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    const checkpointer = new SqliteCheckpointer(join(tmpdir(), 'optin-no-such-dir', 'x', 'optin.db'));
    const warning = await warned;
    expect(warning.name).toBe('OptinWarning');
    expect(warning.message).toMatch(/checkpointer of .*optin\.db stopped/);
    await checkpointer.close(); // resolves though the thread is gone
  });

  it("runs the database file in WAL mode: the file's mode, commits in its log", async () => {
    await withSqliteFile(async (storage, file) => {
      expect(await storage.insertEvents([event('HarvardX')])).toBe(1);
      const raw = storage as unknown as { query(sql: string): Promise<Record<string, unknown>[]> };
      expect(await raw.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      // The mode is the file's: another connection finds it, and the committed row in the log.
      expect(existsSync(`${file}-wal`)).toBe(true);
      const other = new Database(file, { readonly: true });
      try {
        expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
        expect(other.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 1 });
      } finally {
        other.close();
      }
    });
  });

  it('writes in-memory databases on their own connection', async () => {
    const storage = new SqliteStorage(':memory:');
    await storage.migrate();
    const e = event('HarvardX');
    expect(await Promise.all([storage.insertEvents([e]), storage.insertEvents([e, event(null)])])).toEqual([1, 1]);
    expect((await storage.memberEvents('HarvardX', { limit: 10 })).events).toEqual([e]);
    await storage.close();
  });
});

describe('PostgreSQL event pages with several writers', () => {
  const postgres = backends.find((b) => b.name === 'postgres')!;

  it.skipIf(postgres.skip)('never pass an event whose transaction commits after a later one', async () => {
    const store = postgres.open();
    const schema = (store.storage as unknown as { schema: string }).schema;
    const slowWriter = new pg.Client({ connectionString: postgresUrl, options: `-c search_path=${schema}` });
    try {
      await store.storage.migrate();
      await slowWriter.connect();
      // A writer that takes its seq first (as every writer does: under the lock) and commits last.
      const slow = event('HarvardX');
      await slowWriter.query('BEGIN');
      await slowWriter.query('SELECT pg_advisory_lock(727002)');
      await slowWriter.query(
        `INSERT INTO events (${eventColumnNames.join(', ')}) VALUES (${eventColumnNames.map((_, i) => `$${i + 1}`).join(', ')})`,
        eventValues(slow, (b) => b),
      );
      await slowWriter.query('SELECT pg_advisory_unlock(727002)');
      const fast = event('HarvardX');
      expect(await store.storage.insertEvents([fast])).toBe(1);
      // The fast one has committed, but a reader taking it would then page past the slow one.
      expect((await store.storage.memberEvents('HarvardX', { limit: 10 })).events).toEqual([]);
      await slowWriter.query('COMMIT');
      expect((await store.storage.memberEvents('HarvardX', { limit: 10 })).events).toEqual([slow, fast]);
    } finally {
      await slowWriter.end().catch(() => undefined);
      await store.dispose();
    }
  });
});

describe('top pages in a PostgreSQL database of a linguistic collation', () => {
  const postgres = backends.find((b) => b.name === 'postgres')!;
  const sqlite = backends.find((b) => b.name === 'sqlite')!;

  it.skipIf(postgres.skip)('are the same pages, in the same order, as on SQLite', async () => {
    // Eleven pages of one view each: which ten are the top ones, and in which order, is the tie-break's.
    const day = '2026-11-20T10:00:00.000Z';
    const paths = ['/a', '/B', '/b', '/C', '/c', '/_x', '/-x', '/é', '/E', '/z', '/Z'];
    const events = paths.map((path) => event('HarvardX', { timestamp: day, path }));
    const stores = [sqlite.open(), postgres.open()];
    const schema = (stores[1]!.storage as unknown as { schema: string }).schema;
    const client = new pg.Client({ connectionString: postgresUrl, options: `-c search_path=${schema}` });
    try {
      await client.connect();
      const tops = [];
      for (const store of stores) {
        await store.storage.migrate();
        // As in a database created with a linguistic default collation (en_US.UTF-8, ICU).
        if (store === stores[1])
          await client.query('ALTER TABLE events ALTER COLUMN path TYPE text COLLATE "und-x-icu"');
        await store.storage.insertEvents(events);
        const stats = await store.storage.memberStats(
          'HarvardX',
          '2026-11-01T00:00:00.000Z',
          '2026-12-01T00:00:00.000Z',
          ['analytics'],
        );
        tops.push(stats.topPages.map((p) => p.path));
      }
      expect(tops[0]).toEqual([...paths].sort().slice(0, 10));
      expect(tops[1]).toEqual(tops[0]);
    } finally {
      await client.end().catch(() => undefined);
      for (const store of stores) await store.dispose();
    }
  });
});

describe('PostgreSQL migration 11 after its index was built by hand', () => {
  const postgres = backends.find((b) => b.name === 'postgres')!;

  it.skipIf(postgres.skip)(
    'applies over the column and the index made beforehand (CONCURRENTLY), as the README says to on a large table',
    async () => {
      const v10 = postgres.open();
      const raw = v10.storage as unknown as { exec(sql: string): Promise<void> };
      const schema = (v10.storage as unknown as { schema: string }).schema;
      try {
        await raw.exec(
          `CREATE SCHEMA ${schema};
CREATE TABLE optin_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
${migrations
  .filter((m) => m.version <= 10)
  .map(
    (m) => `${m.postgres};
INSERT INTO optin_migrations (version, name, applied_at) VALUES (${m.version}, 'v${m.version}', '2026-11-01T00:00:00.000Z')`,
  )
  .join(';\n')}`,
        );
        // By hand, as psql runs them: each statement on its own (CONCURRENTLY runs in no transaction).
        const client = new pg.Client({ connectionString: postgresUrl });
        await client.connect();
        try {
          await client.query(`SET search_path = ${schema}`);
          await client.query('ALTER TABLE events ADD COLUMN kept_from TEXT');
          await client.query(
            'CREATE INDEX CONCURRENTLY events_kept_hour ON events (kept_from, substr(timestamp, 1, 13)) WHERE kept_from IS NOT NULL',
          );
        } finally {
          await client.end();
        }
        expect(await v10.storage.migrate()).toBe(migrations.length);
        const kept = event(null, { keptFrom: 'HarvardX' });
        expect(await v10.storage.insertEvents([kept])).toBe(1);
        expect((await v10.storage.memberEvents(null, { limit: 10 })).events).toEqual([kept]);
      } finally {
        await v10.dispose();
      }
    },
  );
});

describe('PostgreSQL test stores', () => {
  const postgres = backends.find((b) => b.name === 'postgres')!;

  it.skipIf(postgres.skip)('drop their schema when thrown away, after a collector has closed the storage', async () => {
    const store = postgres.open();
    const schema = (store.storage as unknown as { schema: string }).schema;
    const { collector } = await startCollector(store.storage);
    await collector.close(); // closes the storage, as useCollector does before disposing
    await store.dispose();
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      expect(found.rowCount).toBe(0);
    } finally {
      await client.end();
    }
  });
});

describe('PostgreSQL without ICU', () => {
  const postgres = backends.find((b) => b.name === 'postgres')!;

  it.skipIf(postgres.skip)(
    'is refused at start with unsupported_database, rather than failing course filters later',
    async () => {
      // A SQL_ASCII database has no ICU collation, as a server built without ICU has none.
      const database = `optin_noicu_${process.pid}`;
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      try {
        await admin.query(
          `CREATE DATABASE ${database} ENCODING 'SQL_ASCII' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'`,
        );
        const url = new URL(postgresUrl);
        url.pathname = `/${database}`;
        const storage = new PostgresStorage({ connectionString: url.toString() });
        try {
          await expect(storage.migrate()).rejects.toMatchObject({
            code: 'unsupported_database',
            issues: [{ path: 'OPTIN_DB', message: expect.stringContaining('und-x-icu') }],
          });
        } finally {
          await storage.close();
        }
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${database}`);
        await admin.end();
      }
    },
  );
});
