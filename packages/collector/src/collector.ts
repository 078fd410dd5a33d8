import Fastify, { type FastifyInstance } from 'fastify';
import { parseCollectorConfig, type CollectorConfig } from './collector-config.js';
import type { CollectorContext } from './collector-context.js';
import { defaultMinLearnersForRates, minLearnersForRatesOption } from './consent-rates-threshold.js';
import { resolveCredentials, type Credentials } from './credentials.js';
import { maxTokenChars, type EmailVerifier, type SubjectVerifier } from '@optin/email';
import { emailVerifierFromConfig } from './email-keys.js';
import { registerContentDecoding } from './content-encoding.js';
import { createMemberResolver } from './course-owner.js';
import { createEnricher } from './enrich.js';
import { frameworkErrorOptions, registerErrorAnswers } from './error-answers.js';
import { CollectorError } from './errors.js';
import { storageSink, type EventSink } from './event-sink.js';
import type { GeoProvider } from './geo.js';
import { createIngest } from './ingest.js';
import { createClientIpResolver, trustedProxyList } from './ip-address.js';
import { Metrics } from './metrics.js';
import { packageVersion } from './package-version.js';
import { registerConsentRoutes } from './routes/consent-routes.js';
import { allowedOriginList, registerCors } from './routes/cors.js';
import { registerEmailRoutes } from './routes/email-routes.js';
import { registerIngestRoutes } from './routes/ingest-routes.js';
import { registerMemberRoutes } from './routes/member-routes.js';
import { registerOpsRoutes } from './routes/ops-routes.js';
import { limits } from './segment-schema.js';
import type { Storage } from './storage.js';
import { subjectVerifierFromConfig } from './subject-keys.js';
import { registerJsonParsers } from './unstorable-text.js';

/** How long `close()` lets requests in flight finish before cutting their connections. */
export const closeGraceMs = 3000;

/** Options of {@link createCollector}. */
export interface CollectorOptions {
  /** The config (a `defineConfig()` result or a plain object); validated here. */
  readonly config: unknown;
  /** Storage, migrated by `createCollector`. */
  readonly storage: Storage;
  /** Where events go; default: `storage`. */
  readonly sink?: EventSink | undefined;
  /** Tokens and write keys; default: resolved from the config's references and `process.env`. */
  readonly credentials?: Credentials | undefined;
  /** Peers allowed to set `X-Forwarded-For` (CIDRs, `loopback`, `private`); default none. */
  readonly trustedProxies?: readonly string[] | undefined;
  /** Store raw IP addresses instead of anonymised ones (off by default). */
  readonly storeRawIp?: boolean | undefined;
  /** Offline geo/ASN provider (see `loadDbIpGeo`); default none. */
  readonly geo?: GeoProvider | undefined;
  /**
   * Accept events only with a valid Segment write key; default false (browsers send none). On with
   * no write key configured: `CollectorError` `invalid_option` at start.
   */
  readonly requireWriteKey?: boolean | undefined;
  /** Extra hosts whose referrers count as internal. */
  readonly internalHosts?: readonly string[] | undefined;
  /** Version reported in the OpenAPI document; default: this package's. */
  readonly version?: string | undefined;
  /**
   * Verifies email tokens (`createEmailVerifier` of `@optin/email`, with each Member's keys): enables
   * `GET /e/o/:token` (open pixel) and `GET /e/c/:token` (click redirect). Default: built from the
   * config's `members[].email` and `collector.email` keys, read from the environment.
   */
  readonly email?: EmailVerifier | undefined;
  /**
   * Verifies the subject proofs posted with consent receipts (`createSubjectVerifier` of
   * `@optin/email`, with the platform's subject keys). With it, a receipt whose subject is not proved
   * is stored but grants nothing: its grants are never consent (per-recipient email tracking,
   * `GET /v1/consent`), its refusals still count; decided after the learner's latest proved receipt,
   * it narrows that one's grants, which still count, rather than hiding them. Default: built from the config's
   * `collector.subjectKeys`, read from the environment; none configured, receipts are taken on their word.
   */
  readonly subjectProofs?: SubjectVerifier | undefined;
  /**
   * Page origins allowed to post events and receipts from browsers (`https://www.edx.org`, as browsers
   * send `Origin`, or `*`); default none. One no browser sends (`https://www.edx.org/`, upper case):
   * `CollectorError` `invalid_option` at `allowedOrigins[i]`.
   */
  readonly allowedOrigins?: readonly string[] | undefined;
  /**
   * How many learners a Member's period must hold for `/stats` to answer its consent rates; fewer,
   * and they are withheld (`consentRates: null`, `consentRatesWithheld: { reason, minLearners }`),
   * so that a rate never is the choice of one learner. A whole number from 0 (never withheld) to a
   * million; default: the config's `collector.minLearnersForRates`, else 10. The platform's own
   * `/v1/stats` is never withheld. Anything else: `CollectorError` `invalid_option`.
   */
  readonly minLearnersForRates?: number | undefined;
  /** Fastify's logger (off by default). */
  readonly logger?: boolean | undefined;
}

/** A collector ready to listen. */
export interface Collector {
  /** The Fastify instance (for `inject` in tests, or to add routes such as the email ones). */
  readonly app: FastifyInstance;
  /** The validated config. */
  readonly config: CollectorConfig;
  /** Counters and latency. */
  readonly metrics: Metrics;
  /** Starts listening; resolves to the address, e.g. `http://127.0.0.1:8787`. */
  listen(port: number, host?: string): Promise<string>;
  /**
   * Stops accepting requests, answers those in flight with `Connection: close` (idle keep-alive
   * connections are closed; a request still unanswered after `closeGraceMs`, 3 s, is cut), waits for
   * email recordings still running, then closes the sink and storage. Calling it again returns the
   * same promise.
   */
  close(): Promise<void>;
}

/**
 * Builds the collector: checks the config and reads its secrets (a `CollectorError` then, the
 * storage untouched), migrates the storage, then wires validation, consent, enrichment, the
 * sink and every route on Fastify. Bad input always gets a 4xx: 400 (invalid JSON or no valid
 * message), 401, 403, 404, 413 (over 500 messages or 500 KB), 415 (not JSON).
 */
export async function createCollector(options: CollectorOptions): Promise<Collector> {
  const config = parseCollectorConfig(options.config);
  const minLearnersForRates =
    options.minLearnersForRates === undefined
      ? (config.collector?.minLearnersForRates ?? defaultMinLearnersForRates)
      : minLearnersForRatesOption(options.minLearnersForRates);
  const allowedOrigins = allowedOriginList(options.allowedOrigins ?? []);
  const credentials = options.credentials ?? resolveCredentials(config);
  if (options.requireWriteKey && !credentials.hasWriteKeys)
    throw new CollectorError(
      'invalid_option',
      [{ path: 'requireWriteKey', message: 'events need a write key, and no write key is configured' }],
      'Configure the write keys (collector.writeKeysRef, default env:OPTIN_WRITE_KEYS), or turn requireWriteKey off.',
    );
  // Every secret is read and checked before the database is touched: a start that fails on the
  // config leaves it as it was.
  const subjectProofs = options.subjectProofs ?? subjectVerifierFromConfig(config);
  const email = options.email ?? emailVerifierFromConfig(config);
  const storage = options.storage;
  await storage.migrate();
  const sink = options.sink ?? storageSink(storage);
  const metrics = new Metrics();
  const clientIpOf = createClientIpResolver(trustedProxyList(options.trustedProxies ?? []));
  const enrich = createEnricher({
    members: config.members,
    geo: options.geo,
    storeRawIp: options.storeRawIp,
    internalHosts: options.internalHosts,
  });
  const ctx: CollectorContext = {
    config,
    storage,
    sink,
    credentials,
    metrics,
    enrich,
    ingest: createIngest({
      rules: { policy: config.policy, mode: config.collector?.mode ?? 'opt-in' },
      enrich,
      memberOf: createMemberResolver(config.members),
      sink,
      metrics,
    }),
    principalOf: (authorization) => {
      const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
      return match?.[1] ? credentials.authenticate(match[1]) : undefined;
    },
    clientIpOf,
    requireWriteKey: options.requireWriteKey ?? false,
    subjectProofs,
    minLearnersForRates,
  };

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: limits.maxBodyBytes,
    trustProxy: false,
    return503OnClosing: true,
    // Email tokens sit in the path (`/e/c/:token`) and carry their signed URL: every token the
    // signer makes must route (Fastify's default allows 100 characters).
    routerOptions: { maxParamLength: maxTokenChars },
    ...frameworkErrorOptions(metrics),
  });
  registerJsonParsers(app, limits.maxBodyBytes);
  registerContentDecoding(app, limits.maxBodyBytes, metrics);

  app.addHook('onResponse', (request, reply, done) => {
    metrics.observe(
      request.routeOptions.url ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
  registerErrorAnswers(app, metrics);
  // While closing, every answer ends its connection: a keep-alive client is not kept waiting for
  // Fastify's 72 s keep-alive timeout, nor the process with it.
  let closing = false;
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  registerCors(app, allowedOrigins);
  registerIngestRoutes(app, ctx);
  registerConsentRoutes(app, ctx);
  registerMemberRoutes(app, ctx);
  registerOpsRoutes(app, ctx, options.version ?? packageVersion());
  if (email) registerEmailRoutes(app, ctx, email);
  await app.ready();

  let closed: Promise<void> | undefined;
  return {
    app,
    config,
    metrics,
    async listen(port, host = '127.0.0.1') {
      return app.listen({ port, host });
    },
    close() {
      closed ??= (async () => {
        closing = true;
        // Idle connections are closed as they become idle, and whatever is still open after a short
        // grace (a request whose body never ends) is cut.
        const idle = setInterval(() => app.server.closeIdleConnections(), 100);
        const cut = setTimeout(() => app.server.closeAllConnections(), closeGraceMs);
        try {
          await app.close();
        } finally {
          clearInterval(idle);
          clearTimeout(cut);
        }
        await sink.close();
        await storage.close();
      })();
      return closed;
    },
  };
}
