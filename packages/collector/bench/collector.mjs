// Collector benchmark: autocannon on loopback, one run, servers in child processes (autocannon
// keeps this process's core). Prints a table: single-event requests/s of the collector vs a bare
// node:http server (goal >= 50%), batched events/s with enrichment on SQLite (goal >= 50,000/s),
// p50/p99 latency. Usage: node bench/collector.mjs [seconds per run, default 10]
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { benchMessage } from './bench-message.mjs';

const seconds = Number(process.argv[2] ?? 10);
// `BENCH_DB=postgres://user@host:5432/db` benchmarks PostgreSQL instead of SQLite.
const postgresUrl = process.env.BENCH_DB?.startsWith('postgres') ? process.env.BENCH_DB : undefined;
const backend = postgresUrl ? 'PostgreSQL' : 'SQLite';
const here = (file) => fileURLToPath(new URL(file, import.meta.url));
if (!existsSync(here('../dist/index.js'))) {
  console.error('bench: build first (pnpm --filter @optin/collector build)');
  process.exit(1);
}

function startServer(script, args = [], env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [here(script), ...args], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      env: { ...process.env, ...env },
    });
    child.stdout.on('data', (chunk) => {
      const match = /(?:ready|listening on) (\S+)/.exec(chunk.toString());
      if (match) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    // A bench that stops early (an error, Ctrl-C) never leaves a server running.
    process.once('exit', () => child.kill('SIGKILL'));
  });
}

const ua =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
/** CPU microseconds the server process has used so far. */
const cpuOf = (child) =>
  new Promise((resolve) => {
    child.once('message', (u) => resolve(u.user + u.system));
    child.send('cpu');
  });

const run = async (name, server, path, makeBody, perRequest, measureCpu = true) => {
  const before = measureCpu ? await cpuOf(server.child) : 0;
  const out = await runLoad(name, server.url, path, makeBody, perRequest);
  out.cpu = measureCpu ? (await cpuOf(server.child)) - before : undefined;
  return out;
};
const runLoad = (name, url, path, makeBody, perRequest) =>
  new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}${path}`,
        method: 'POST',
        connections: perRequest > 1 ? 16 : 64,
        duration: seconds,
        headers: { 'content-type': 'application/json', 'user-agent': ua, 'x-forwarded-for': '81.2.69.142' },
        requests: [{ setupRequest: (req) => ({ ...req, body: makeBody() }) }],
      },
      (err, result) => (err ? reject(err) : resolve({ name, perRequest, result })),
    );
  });

// Every message carries its own time and id, made when the event happened. Single events are sent
// as they happen (as Segment's analytics.js sends them); batched ones up to `BENCH_DELAY_MS`
// (default 10,000: Segment's analytics-node flushes every 10 s, our tracker every 5 s) before their
// batch is sent, so they arrive out of order, as from many clients. Ids are made as our browser
// tracker makes them: time-ordered (48-bit milliseconds of the event, then 80 random bits).
// `BENCH_IDS=v4` sends random UUIDs instead, as Segment's libraries do. The collector recognises
// retries by messageId alone: time-ordered ids land in the recent end of its unique index, random
// ones anywhere in it.
const ids = process.env.BENCH_IDS === 'v4' ? 'random UUIDv4' : 'time-ordered';
const delayMs = Number(process.env.BENCH_DELAY_MS ?? 10_000);
const idAt =
  ids === 'time-ordered'
    ? (ms) => ms.toString(16).padStart(12, '0') + randomUUID().replaceAll('-', '').slice(12)
    : () => randomUUID();
const eventTime = () => Date.now() - Math.floor(Math.random() * delayMs);
const single = () => {
  const at = Date.now();
  return JSON.stringify({ ...benchMessage(idAt(at)), timestamp: new Date(at).toISOString() });
};
// messageId comes before timestamp in each message: each __ID__ picks the time its __TS__ gets.
const batchTemplate = JSON.stringify({
  batch: Array.from({ length: 100 }, () => ({ ...benchMessage('__ID__'), timestamp: '__TS__' })),
});
const batch = () => {
  let at = 0;
  return batchTemplate.replace(/__ID__|__TS__/g, (slot) => {
    if (slot === '__TS__') return new Date(at).toISOString();
    at = eventTime();
    return idAt(at);
  });
};

const rows = [];
const bare = await startServer('./bare-http-server.mjs');
const loadBefore = loadavg()[0];
rows.push(await run('bare node:http, single event', bare, '/', single, 1));
bare.child.kill('SIGTERM');
const collector = await startServer('./collector-server.mjs');
// Warm-up: JIT, user agent and geo caches.
await run('warm-up', collector, '/v1/track', single, 1).catch(() => undefined);
rows.push(await run('collector, single event (/v1/track)', collector, '/v1/track', single, 1));
rows.push(await run('collector, batches of 100 (/v1/batch)', collector, '/v1/batch', batch, 100));
collector.child.kill('SIGTERM');
await new Promise((resolve) => collector.child.once('exit', resolve)); // it removes its database
// The CLI with one process per core (OPTIN_WORKERS=2), same database, same enrichment.
const clusterDir = mkdtempSync(join(tmpdir(), 'optin-bench-cluster-'));
const clusterSchema = `optin_bench_cluster_${process.pid}`;
const clustered = await startServer('../dist/cli.js', ['serve'], {
  PORT: '0',
  OPTIN_WORKERS: '2',
  OPTIN_DB: postgresUrl ? `${postgresUrl}?schema=${clusterSchema}` : `sqlite:${join(clusterDir, 'optin.db')}`,
  OPTIN_TRUSTED_PROXIES: 'loopback',
});
await new Promise((r) => setTimeout(r, 3000)); // both workers load the geo databases
rows.push(await run('collector x2 processes, batches of 100', clustered, '/v1/batch', batch, 100, false));
clustered.child.kill('SIGTERM');
await new Promise((resolve) => clustered.child.once('exit', resolve));
rmSync(clusterDir, { recursive: true, force: true });
if (postgresUrl) {
  const { PostgresStorage } = await import('../dist/index.js');
  const dropper = new PostgresStorage({ connectionString: postgresUrl, schema: clusterSchema });
  await dropper.dropSchema();
  await dropper.close();
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const table = rows.map(({ name, perRequest, result, cpu }) => ({
  run: name,
  'requests/s': fmt(result.requests.average),
  'events/s': fmt(result.requests.average * perRequest),
  'p50 ms': result.latency.p50,
  'p99 ms': result.latency.p99,
  'non-2xx': result.non2xx + result.errors,
  'server CPU µs/event': cpu === undefined ? 'n/a' : (cpu / (result.requests.total * perRequest)).toFixed(1),
}));
console.table(table);
console.log(
  `load average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores (other work on the machine lowers every figure)`,
);
const [b, s, m, c] = rows;
const ratio = s.result.requests.average / b.result.requests.average;
const eventsPerSecond = Math.max(m.result.requests.average, c.result.requests.average) * 100;
console.log(
  `single event: collector at ${(ratio * 100).toFixed(0)}% of bare node:http (goal >= 50%): ${ratio >= 0.5 ? 'met' : 'NOT met'}`,
);
console.log(
  `batched: ${fmt(eventsPerSecond)} events/s with enrichment on ${backend}, ${ids} message ids, events up to ${fmt(delayMs / 1000)} s old (goal >= 50,000): ${eventsPerSecond >= 50_000 ? 'met' : 'NOT met'} (one process: ${fmt(m.result.requests.average * 100)}, two processes: ${fmt(c.result.requests.average * 100)})`,
);
console.log(
  `batched: ${fmt((m.result.requests.total * 100) / (m.cpu / 1e6))} events per second of collector CPU (all threads)`,
);
