export { createCollector, type Collector, type CollectorOptions } from './collector.js';
export {
  parseCollectorConfig,
  collectorConfigSchema,
  type CollectorConfig,
  type CollectorMember,
} from './collector-config.js';
export { resolveCredentials, memberTokenEnv, type Credentials, type Principal, type SecretEnv } from './credentials.js';
export { CollectorError, type CollectorErrorCode, type CollectorIssue } from './errors.js';
export type { Storage, EventQuery, EventPage, MemberStats, StatsOptions, StoredReceipt } from './storage.js';
export type { StoredEvent } from './stored-event.js';
export {
  defaultMinLearnersForRates,
  type ConsentRatesWithheld,
  type MemberStatsAnswer,
} from './consent-rates-threshold.js';
export type { NamedPurposes } from './purpose-names.js';
export { SqliteStorage, type SqliteOptions } from './sqlite-storage.js';
export { PostgresStorage, type PostgresOptions } from './postgres-storage.js';
export { openStorage, defaultDatabaseUrl } from './open-storage.js';
export { storageSink, type EventSink } from './event-sink.js';
export { jetStreamSink, eventSubject, jetStreamDefaults, type JetStreamOptions } from './jetstream-sink.js';
export {
  createJetStreamLoader,
  loaderMaxDeliver,
  type Loader,
  type LoaderOptions,
  type LoaderRefusal,
} from './jetstream-loader.js';
export { MemberRepository } from './member-repository.js';
export { loadDbIpGeo, type GeoProvider, type GeoInfo } from './geo.js';
export { emailEvents } from './sql-storage.js';
export { openApiDocument } from './openapi.js';
export { Metrics, type MetricName } from './metrics.js';
export { HttpProblem } from './http-problem.js';
export type { IngestResponse, MessageError, DroppedMessage } from './ingest.js';
export {
  batchSchema,
  trackSchema,
  pageSchema,
  screenSchema,
  identifySchema,
  contextSchema,
  consentContextSchema,
  limits,
  type SegmentMessage,
  type MessageType,
} from './segment-schema.js';
