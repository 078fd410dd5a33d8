// What the consent rates of `GET /v1/stats` and `GET /v1/members/:member/stats` cost, on the storage
// alone (no HTTP): a database holding `receipts` consent receipts (default 200,000; one learner in
// ten decided twice) received in the last 30 days, and 40,000 events of HarvardX's courses from
// 20,000 of those learners (half known by their anonymousId, half by their userId). A child
// process opens the database afresh and asks for the platform's statistics five times, another
// HarvardX's; each prints the median time of a call, the CPU time of a call in that process (the
// collector's own, which other load on the machine disturbs far less; PostgreSQL's server is not
// counted) and how much the process's peak memory (maxRSS) grew while it answered them. Nine
// receipts in ten were proved (`subjectProvedBy`); the rows marked "proofs required" ask as a
// collector with `collector.subjectKeys` does, where an unproved receipt grants nothing (a learner
// whose latest receipt is unproved counts with their latest proved one, narrowed by its refusals).
// The platform also stored 100,000 page views of no course and 4,000 of HarvardX's courses kept from
// HarvardX (stored for the platform alone, `keptFrom: 'HarvardX'`: 2,000 of the learners refused it
// analytics), which name HarvardX's learners too.
// Usage (after `pnpm build`): node bench/consent-rates.mjs [receipts]
// `BENCH_DB=postgres://user@host:5432/db` measures PostgreSQL instead of SQLite (a schema of its own,
// dropped after).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PostgresStorage, SqliteStorage } from '../dist/index.js';

const postgresUrl = process.env.BENCH_DB?.startsWith('postgres') ? process.env.BENCH_DB : undefined;
const purposes = ['analytics', 'performance', 'functionality', 'marketing'];
// Every purpose of the policy, as the stats routes give them (receipts name `necessary` too).
const policyPurposes = [{ id: 'necessary' }, ...purposes.map((id) => ({ id }))];
const day = 86_400_000;

/** The storage the child and the parent open: a SQLite file or a PostgreSQL schema. */
const open = (where) =>
  postgresUrl ? new PostgresStorage({ connectionString: postgresUrl, schema: where }) : new SqliteStorage(where);

if (process.argv[2] === '--measure') {
  // The child: a fresh process for each statistics, so that its peak memory is theirs alone.
  const storage = open(process.argv[3]);
  const member = process.argv[4] === 'platform' ? null : process.argv[4];
  // As the stats routes ask: with the policy in force (every receipt here is of it).
  const currentPolicy = { version: '2026-11', hash: 'k3j2' };
  const options = { provedGrantsOnly: process.argv[5] === 'proved', policyPurposes, currentPolicy };
  const to = new Date(Date.now() + 1000).toISOString();
  const from = new Date(Date.parse(to) - 30 * day).toISOString();
  await storage.counts();
  const before = process.resourceUsage().maxRSS;
  const times = [];
  const cpu = process.cpuUsage();
  let rates;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    rates = (await storage.memberStats(member, from, to, purposes, options)).consentRates;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const { user, system } = process.cpuUsage(cpu);
  const maxRssGrowthMiB = (process.resourceUsage().maxRSS - before) / 1024;
  await storage.close();
  console.log(
    JSON.stringify({ ms: times[2], cpuMs: (user + system) / 5000, maxRssGrowthMiB, analytics: rates.analytics }),
  );
  process.exit(0);
}

const receipts = Number(process.argv[2] ?? 200_000);
const dir = postgresUrl ? undefined : mkdtempSync(join(tmpdir(), 'optin-consent-rates-'));
const where = dir ? join(dir, 'optin.db') : `optin_bench_rates_${process.pid}`;
const storage = open(where);
await storage.migrate();

// Receipts: learner i decided at a random time of the last 30 days; one in ten decided again later.
const now = Date.now();
const learners = Math.round(receipts / 1.1);
const rng = (() => {
  let s = 42;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
})();
const receiptOf = (i, n) => {
  const choice = () => rng() < 0.6;
  const decidedAt = new Date(now - 29 * day + Math.floor(rng() * 28 * day) + n * 3_600_000).toISOString();
  return {
    receipt: {
      subject: `learner-${i}`,
      consentId: `c-${i}-${n}`,
      policy: { id: 'edx', version: '2026-11', hash: 'k3j2' },
      purposes: Object.fromEntries([['necessary', true], ...purposes.map((p) => [p, choice()])]),
      members: rng() < 0.2 ? { HarvardX: { marketing: false } } : {},
      source: 'banner',
      decidedAt,
      gpc: false,
      ...(rng() < 0.1 && { implied: true }),
    },
    receivedAt: new Date(Date.parse(decidedAt) + 1000).toISOString(),
  };
};
const writes = [];
for (let i = 0; i < learners; i++) {
  writes.push(receiptOf(i, 0));
  if (writes.length < receipts && i % 10 === 0) writes.push(receiptOf(i, 1));
}
while (writes.length < receipts) writes.push(receiptOf(writes.length, 0));
const started = performance.now();
for (let i = 0; i < writes.length; i += 500)
  await Promise.all(
    writes
      .slice(i, i + 500)
      .map((w, k) => storage.appendReceipt(w.receipt, w.receivedAt, (i + k) % 10 ? 'edx-2026' : undefined)),
  );

// HarvardX's events: 20,000 of the learners, two page views each.
const event = (i, n, kept = false) => {
  const timestamp = new Date(now - 20 * day + i * 60_000 + n).toISOString();
  const learner = `learner-${i * 5 + (kept ? 1 : 0)}`;
  return {
    messageId: `bench-${kept ? 'kept-' : ''}${i}-${n}`,
    clientTimestamp: timestamp,
    type: 'page',
    event: null,
    memberId: kept ? null : 'HarvardX',
    keptFrom: kept ? 'HarvardX' : null,
    anonymousId: i % 2 ? learner : `anon-${i}`,
    userId: i % 2 ? null : learner,
    timestamp,
    receivedAt: timestamp,
    courseId: 'course-v1:HarvardX+CS50+2026_T1',
    org: 'HarvardX',
    sessionId: null,
    sessionSeq: null,
    path: '/learning/course/x',
    url: null,
    referrerClass: 'direct',
    referrerHost: null,
    campaign: null,
    browser: 'Chrome',
    browserVersion: '130',
    os: 'Linux',
    osVersion: null,
    deviceType: 'desktop',
    app: null,
    appVersion: null,
    isBot: false,
    ip: '203.0.113.0',
    country: null,
    region: null,
    city: null,
    asn: null,
    isp: null,
    purposes: ['analytics'],
    properties: {},
    context: {},
  };
};
for (let i = 0; i < 20_000; i += 1000)
  await storage.insertEvents(Array.from({ length: 2000 }, (_, k) => event(i + (k >> 1), k & 1)));
// Kept from HarvardX: 2,000 learners' page views of its course, stored for the platform alone.
for (let i = 0; i < 2_000; i += 1000)
  await storage.insertEvents(Array.from({ length: 2000 }, (_, k) => event(i + (k >> 1), k & 1, true)));
// The platform's own pages (no course): 100,000 of them.
for (let i = 0; i < 100_000; i += 2000)
  await storage.insertEvents(
    Array.from({ length: 2000 }, (_, k) => ({
      ...event(i + k, 0),
      messageId: `bench-platform-${i + k}`,
      memberId: null,
      timestamp: new Date(now - 20 * day + (i + k) * 15_000).toISOString(),
      receivedAt: new Date(now - 20 * day + (i + k) * 15_000).toISOString(),
      courseId: null,
      org: null,
      path: '/dashboard',
    })),
  );
const counts = await storage.counts();
console.log(
  `${storage.kind}: ${counts.receipts.toLocaleString('en-US')} receipts, ${counts.events.toLocaleString('en-US')} events stored in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
await storage.close();

const measure = (who, proofs) =>
  JSON.parse(
    execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--measure', where, who, proofs], {
      encoding: 'utf8',
    }),
  );
console.table(
  [
    ['platform', 'any'],
    ['HarvardX', 'any'],
    ['platform', 'proved'],
    ['HarvardX', 'proved'],
  ].map(([who, proofs]) => {
    const m = measure(who, proofs);
    return {
      stats: proofs === 'proved' ? `${who}, proofs required` : who,
      'median ms': m.ms.toFixed(1),
      'CPU ms (this process)': m.cpuMs.toFixed(1),
      'maxRSS growth MiB': m.maxRssGrowthMiB.toFixed(1),
      'analytics total': m.analytics.total,
      'analytics granted': m.analytics.granted,
      'analytics implied': m.analytics.implied,
    };
  }),
);
console.log(
  `load average (1 min): ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores (other work on the machine slows every figure)`,
);
if (dir) rmSync(dir, { recursive: true, force: true });
else {
  const dropper = new PostgresStorage({ connectionString: postgresUrl, schema: where });
  await dropper.dropSchema();
  await dropper.close();
}
