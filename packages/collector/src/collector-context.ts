import type { Enricher } from './enrich.js';
import type { CollectorConfig } from './collector-config.js';
import type { Credentials, Principal } from './credentials.js';
import type { EventSink } from './event-sink.js';
import type { IngestEndpoint, IngestResult } from './ingest.js';
import type { RequestFacts } from './enrich.js';
import type { Metrics } from './metrics.js';
import type { Storage } from './storage.js';
import type { SubjectVerifier } from '@optin/email';

/** What every route module gets: the parts of a running collector. */
export interface CollectorContext {
  /** The validated config. */
  readonly config: CollectorConfig;
  /** Storage (receipts, Member queries; events too unless a sink takes them). */
  readonly storage: Storage;
  /** Where events go. */
  readonly sink: EventSink;
  /** Tokens and write keys. */
  readonly credentials: Credentials;
  /** Counters and latency. */
  readonly metrics: Metrics;
  /** Turns a validated message and its request into the row that is stored. */
  readonly enrich: Enricher;
  /** The ingestion pipeline. */
  readonly ingest: (
    endpoint: IngestEndpoint,
    body: unknown,
    request: RequestFacts,
    gpc: boolean,
    checkText: boolean,
  ) => Promise<IngestResult>;
  /** Who a request is, from `Authorization: Bearer <token>`. */
  readonly principalOf: (authorization: string | undefined) => Principal | undefined;
  /** The client's IP address (trusted proxies applied), raw, in memory only. */
  readonly clientIpOf: (peer: string | undefined, forwardedFor: string | string[] | undefined) => string | undefined;
  /** Accept events only with a valid Segment write key. */
  readonly requireWriteKey: boolean;
  /**
   * Verifies receipts' subject proofs; `undefined`: none required (every receipt is taken on its
   * word). With it, a receipt whose subject is not proved grants nothing (its refusals still count).
   */
  readonly subjectProofs: SubjectVerifier | undefined;
  /** How many learners a Member's period must hold for its consent rates to be answered (else withheld). */
  readonly minLearnersForRates: number;
}
