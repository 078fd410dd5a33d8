import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { parseCollectorConfig } from './collector-config.js';
import { defaultMinLearnersForRates, maxMinLearnersForRates } from './consent-rates-threshold.js';
import { createCollector } from './collector.js';
import { resolveCredentials } from './credentials.js';
import { loadConfigFile } from './config-file.js';
import { parseDuration } from './duration.js';
import { envFlag, envWholeNumber } from './env-options.js';
import { CollectorError } from './errors.js';
import { loadDbIpGeo } from './geo.js';
import { createJetStreamLoader } from './jetstream-loader.js';
import { jetStreamDefaults, jetStreamSink } from './jetstream-sink.js';
import { trustedProxyList } from './ip-address.js';
import { emailVerifierFromConfig } from './email-keys.js';
import { listenFailure, openDatabase } from './start-failures.js';
import { subjectVerifierFromConfig } from './subject-keys.js';
import { allowedOriginList } from './routes/cors.js';

const usage = `optin-collector [serve|load|migrate]

  serve        (default) run the HTTP collector
  load [--once] drain NATS JetStream (OPTIN_NATS_URL) into OPTIN_DB (PostgreSQL); --once stops when empty
  migrate      apply database migrations and exit

Environment:
  PORT=8787  HOST=127.0.0.1
  OPTIN_DB=sqlite:./.optin/optin.db | postgres://user@host:5432/db
  OPTIN_NATS_URL=nats://127.0.0.1:4222   (events go to JetStream, acknowledged before 2xx; receipts stay in OPTIN_DB)
  OPTIN_NATS_STREAM=OPTIN_EVENTS  OPTIN_NATS_SUBJECT_PREFIX=optin.events  OPTIN_NATS_DURABLE=optin-loader
  OPTIN_NATS_MAX_AGE=7d                   (how long the stream keeps events, loaded or not: 7d, 36h, 90m...)
  OPTIN_NATS_DUPLICATE_WINDOW=24h         (how long a retry is answered as a duplicate; at most the max age)
  OPTIN_CONFIG=./optin.config.mjs         (default: optin.config.{mjs,js,cjs,json,ts} in the working directory)
  OPTIN_TRUSTED_PROXIES=loopback,10.0.0.0/8  (who may set X-Forwarded-For; default none)
  OPTIN_ALLOWED_ORIGINS=https://www.edx.org,https://learning.edx.org   (pages that may post from browsers; * for any)
  OPTIN_GEO=on|off                        (offline geo/ASN; default on when its packages are installed)
  OPTIN_STORE_RAW_IP=1                    (store raw IP addresses; default off: anonymised)
  OPTIN_REQUIRE_WRITE_KEY=1               (accept events only with a write key)
                                          (switches take 1/0, true/false, yes/no, on/off; anything else stops the start)
  OPTIN_WORKERS=2                         (processes sharing the port, one per core; default 1)
  OPTIN_MIN_LEARNERS_FOR_RATES=10         (a Member's consent rates are withheld over fewer learners;
                                           default collector.minLearnersForRates of the config, else 10)
  OPTIN_PLATFORM_TOKEN, OPTIN_TOKEN_<MEMBER>, OPTIN_WRITE_KEYS  (secrets; or references in the config)
  OPTIN_METRICS_TOKEN                     (the bearer token that reads /metrics, and nothing else)
  OPTIN_CURSOR_SECRET                     (keeps event cursors across restarts when no platform token and one
                                           Member token at most are set; workers share one made at start)
                                          (tokens are one word of visible ASCII; any other stops the start)
`;

const env = process.env;
const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Stream, subject prefix, max age and duplicate window from the environment (defaults:
 * `OPTIN_EVENTS`, `optin.events`, 7 days, 24 hours).
 */
function stream(): {
  stream: string | undefined;
  subjectPrefix: string | undefined;
  maxAgeMs: number | undefined;
  duplicateWindowMs: number | undefined;
} {
  const duration = (name: string) => (env[name] === undefined ? undefined : parseDuration(env[name], name));
  const maxAgeMs = duration('OPTIN_NATS_MAX_AGE');
  const duplicateWindowMs = duration('OPTIN_NATS_DUPLICATE_WINDOW');
  const keptMs = maxAgeMs ?? jetStreamDefaults.maxAgeMs;
  if (duplicateWindowMs !== undefined && (duplicateWindowMs < 1000 || duplicateWindowMs > keptMs))
    throw new CollectorError(
      'invalid_option',
      [
        {
          path: 'OPTIN_NATS_DUPLICATE_WINDOW',
          message: `"${env.OPTIN_NATS_DUPLICATE_WINDOW}" is not from a second to the stream's max age (OPTIN_NATS_MAX_AGE, ${keptMs / 1000}s)`,
        },
      ],
      'Recognise retries for as long as clients retry (24h by default), and no longer than the stream keeps events.',
    );
  return {
    stream: env.OPTIN_NATS_STREAM,
    subjectPrefix: env.OPTIN_NATS_SUBJECT_PREFIX,
    maxAgeMs,
    duplicateWindowMs,
  };
}

/**
 * The settings of `serve`, each checked before anything opens (a wrong one stops the start with a
 * `CollectorError` naming its variable or config path, the database untouched), the validated
 * config and the verifiers of its secrets (email and subject-proof keys).
 */
async function serveSettings() {
  const config = parseCollectorConfig(await loadConfigFile(env.OPTIN_CONFIG));
  const settings = {
    port: envWholeNumber(env, 'PORT', 8787, 0, 65_535),
    storeRawIp: envFlag(env, 'OPTIN_STORE_RAW_IP', false),
    requireWriteKey: envFlag(env, 'OPTIN_REQUIRE_WRITE_KEY', false),
    geo: envFlag(env, 'OPTIN_GEO', true),
    trustedProxies: list(env.OPTIN_TRUSTED_PROXIES),
    allowedOrigins: allowedOriginList(list(env.OPTIN_ALLOWED_ORIGINS), 'OPTIN_ALLOWED_ORIGINS'),
    minLearnersForRates: envWholeNumber(
      env,
      'OPTIN_MIN_LEARNERS_FOR_RATES',
      config.collector?.minLearnersForRates ?? defaultMinLearnersForRates,
      0,
      maxMinLearnersForRates,
    ),
    config,
  };
  trustedProxyList(settings.trustedProxies, 'OPTIN_TRUSTED_PROXIES');
  resolveCredentials(settings.config);
  return { ...settings, email: emailVerifierFromConfig(config), subjectProofs: subjectVerifierFromConfig(config) };
}

async function serve(): Promise<void> {
  const {
    port,
    storeRawIp,
    requireWriteKey,
    trustedProxies,
    allowedOrigins,
    minLearnersForRates,
    config,
    ...settings
  } = await serveSettings();
  const storage = await openDatabase(env.OPTIN_DB);
  const geo = settings.geo ? loadDbIpGeo(process.cwd()) : undefined;
  const sink = env.OPTIN_NATS_URL
    ? await jetStreamSink({ url: env.OPTIN_NATS_URL, ...stream(), members: config.members })
    : undefined;
  const collector = await createCollector({
    config,
    storage,
    sink,
    geo,
    trustedProxies,
    storeRawIp,
    requireWriteKey,
    minLearnersForRates,
    allowedOrigins,
    email: settings.email,
    subjectProofs: settings.subjectProofs,
  });
  const host = env.HOST ?? '127.0.0.1';
  const address = await collector.listen(port, host).catch(async (error: unknown) => {
    await collector.close().catch(() => undefined);
    throw listenFailure(error, port, host);
  });
  process.stdout.write(
    `optin-collector listening on ${address} (storage: ${storage.kind}, events: ${sink ? 'jetstream' : storage.kind}, geo: ${geo ? 'on' : 'off'})\n`,
  );
  const stop = (): void => {
    void collector.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // A worker whose primary is gone (even killed with SIGKILL) stops too.
  if (cluster.isWorker) process.once('disconnect', () => process.exit(0));
}

/**
 * Several collector processes on one port (node:cluster), one per core: validation and enrichment
 * are CPU-bound, and SQLite (WAL) and PostgreSQL take writes from several processes. Settings and
 * config are checked and migrations run once, here, before the workers start; a worker that dies
 * after listening is replaced, one that dies before stops them all (exit code 1), rather than being
 * started again forever.
 */
async function serveCluster(workers: number): Promise<void> {
  await serveSettings();
  const storage = await openDatabase(env.OPTIN_DB);
  await storage.close();
  // One cursor secret for every worker (and any that replaces one), when the tokens give none a
  // Member cannot derive (see resolveCredentials): a cursor of one worker continues on another.
  process.env.OPTIN_CURSOR_SECRET ||= randomBytes(32).toString('base64');
  let stopping = false;
  const listened = new Set<number>();
  const stop = (): void => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  cluster.on('listening', (worker) => listened.add(worker.id));
  cluster.on('exit', (worker) => {
    if (stopping) return;
    if (listened.has(worker.id)) return void cluster.fork();
    process.stderr.write('optin-collector: a worker stopped before listening (its error is above); stopping\n');
    process.exitCode = 1;
    stop();
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function load(once: boolean): Promise<void> {
  const url = env.OPTIN_NATS_URL ?? 'nats://127.0.0.1:4222';
  const storage = await openDatabase(env.OPTIN_DB);
  const loader = await createJetStreamLoader({
    url,
    storage,
    ...stream(),
    durable: env.OPTIN_NATS_DURABLE,
    onRefused: ({ subject, streamSequence, error }) =>
      process.stderr.write(`optin-collector load: refused message ${streamSequence} of ${subject}: ${error.message}\n`),
  });
  if (once) {
    const n = await loader.drain();
    process.stdout.write(`loaded ${n} events into ${storage.kind}\n`);
  } else {
    const controller = new AbortController();
    process.once('SIGTERM', () => controller.abort());
    process.once('SIGINT', () => controller.abort());
    process.stdout.write(`optin-collector load: draining ${url} into ${storage.kind}\n`);
    await loader.run(controller.signal);
  }
  await loader.close();
  await storage.close();
}

async function main(): Promise<void> {
  const command = process.argv[2] ?? 'serve';
  if (command === 'serve') {
    const workers = envWholeNumber(env, 'OPTIN_WORKERS', 1, 1, 256);
    return workers > 1 && cluster.isPrimary ? serveCluster(workers) : serve();
  }
  if (command === 'load') return load(process.argv.includes('--once'));
  if (command === 'migrate') {
    const storage = await openDatabase(env.OPTIN_DB);
    const version = await storage.migrate();
    await storage.close();
    process.stdout.write(`schema at version ${version}\n`);
    return;
  }
  process.stdout.write(usage);
  if (command !== 'help' && command !== '--help') process.exitCode = 2;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof CollectorError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
