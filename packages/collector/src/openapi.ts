import { receiptSchema } from '@optin/consent';
import * as z from 'zod';
import type { IngestEndpoint } from './ingest.js';
import { ingestPaths } from './routes/ingest-routes.js';
import {
  consentQuerySchema,
  errorResponseSchema,
  eventsQuerySchema,
  ingestResponseSchema,
  statsQuerySchema,
} from './query-schemas.js';
import {
  batchSchema,
  identifySchema,
  pageSchema,
  screenSchema,
  trackSchema,
  anyMessageSchema,
} from './segment-schema.js';

type JsonSchema = Record<string, unknown>;

const schema = (s: z.core.$ZodType, io: 'input' | 'output' = 'input'): JsonSchema =>
  z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'openapi-3.0' });

function queryParameters(s: z.core.$ZodType): JsonSchema[] {
  const json = schema(s);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, p]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: p,
  }));
}

const json = (s: JsonSchema): JsonSchema => ({ content: { 'application/json': { schema: s } } });
const error = (description: string): JsonSchema => ({ description, ...json({ $ref: '#/components/schemas/Error' }) });
const bearer = [{ bearer: [] }];

/**
 * The OpenAPI 3 document of the collector, generated from the same zod schemas that validate
 * requests (so native app teams get exactly what the server checks).
 */
export function openApiDocument(version: string): JsonSchema {
  const ingestResponses = {
    200: {
      description: 'At least one message was valid: accepted, duplicates, dropped by consent and errors listed',
      ...json({ $ref: '#/components/schemas/IngestResponse' }),
    },
    400: {
      description: 'Invalid JSON, or no valid message (each error with its index and path)',
      ...json({ $ref: '#/components/schemas/IngestResponse' }),
    },
    401: error('Unknown write key'),
    413: error('More than 500 messages or 500 KB (once decoded)'),
    415: error('Content-Type is not application/json or text/plain, or Content-Encoding not gzip or deflate'),
  };
  const encoding = {
    name: 'Content-Encoding',
    in: 'header',
    required: false,
    schema: { type: 'string', enum: ['gzip', 'deflate', 'identity'] },
  };
  const gpc = {
    name: 'Sec-GPC',
    in: 'header',
    required: false,
    description:
      "Global Privacy Control: refuses the purposes the policy marks gpc (marketing), unless a message's context.consent.gpc is true (the learner's decision was made under GPC) and its categoryPreferences grant them",
    schema: { type: 'string', enum: ['1'] },
  };
  const single = (type: string, ref: string): JsonSchema => ({
    post: {
      summary: `One ${type} message (Segment Spec), at most 32 KB`,
      security: [{}, { writeKey: [] }],
      parameters: [gpc, encoding],
      requestBody: { required: true, ...json({ $ref: `#/components/schemas/${ref}` }) },
      responses: ingestResponses,
    },
  });
  const operations: Record<IngestEndpoint, JsonSchema> = {
    batch: {
      post: {
        summary:
          'Up to 500 messages (500 KB), each at most 32 KB with the batch context (at most 4 KB); the valid ones are accepted',
        security: [{}, { writeKey: [] }],
        parameters: [gpc, encoding],
        requestBody: { required: true, ...json({ $ref: '#/components/schemas/Batch' }) },
        responses: ingestResponses,
      },
    },
    track: single('track', 'Track'),
    page: single('page', 'Page'),
    screen: single('screen', 'Screen'),
    identify: single('identify', 'Identify'),
  };
  const memberParam = { name: 'member', in: 'path', required: true, schema: { type: 'string' } };
  return {
    openapi: '3.0.3',
    info: {
      title: 'Optin collector',
      version,
      description: 'Segment-compatible ingestion with consent enforcement, consent receipts and Member-scoped queries.',
    },
    components: {
      securitySchemes: {
        writeKey: { type: 'http', scheme: 'basic', description: 'Segment write key as the user name, empty password' },
        bearer: { type: 'http', scheme: 'bearer', description: 'A Member token or the platform token' },
        metricsBearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'The metrics token (OPTIN_METRICS_TOKEN): reads /metrics and nothing else',
        },
      },
      schemas: {
        Batch: schema(batchSchema.extend({ batch: z.array(anyMessageSchema).max(500) })),
        Track: schema(trackSchema),
        Page: schema(pageSchema),
        Screen: schema(screenSchema),
        Identify: schema(identifySchema),
        ConsentReceipt: schema(receiptSchema),
        IngestResponse: schema(ingestResponseSchema, 'output'),
        Error: schema(errorResponseSchema, 'output'),
      },
    },
    paths: {
      ...Object.fromEntries(Object.entries(ingestPaths).map(([path, endpoint]) => [path, operations[endpoint]])),
      '/v1/consent': {
        post: {
          summary: 'Append a consent receipt',
          requestBody: {
            required: true,
            ...json({
              allOf: [
                { $ref: '#/components/schemas/ConsentReceipt' },
                {
                  type: 'object',
                  properties: {
                    subjectProof: {
                      type: 'string',
                      description:
                        "The platform server's proof of the subject (@optin/email sealSubject): when the collector requires proofs (collector.subjectKeys), a receipt without a valid one is stored but grants nothing",
                    },
                    sentAt: {
                      type: 'string',
                      format: 'date-time',
                      description:
                        "The device's clock as the receipt left (sendReceipts sends it): the decision time is corrected by it as events' times are (a clock minutes slow, or fast at all), so a later decision from a device whose clock is off is the latest",
                    },
                  },
                },
              ],
            }),
          },
          responses: {
            201: {
              description: 'Stored (every receipt is: an unproved one still refuses)',
              ...json({
                type: 'object',
                required: ['stored'],
                properties: {
                  stored: { const: true },
                  subjectProved: { type: 'boolean', description: 'Only when the collector requires subject proofs' },
                  reason: {
                    enum: ['missing', 'malformed', 'unknown_kid', 'bad_signature', 'expired'],
                    description: 'Why the subject was not proved',
                  },
                },
              }),
            },
            400: error('Not a valid receipt'),
          },
        },
        get: {
          summary:
            'The latest receipt of any subject, percent-encoded in the query string (platform token only); reads also the subjects no path carries: ".", "..", and those holding "/", "?" or "#"',
          security: bearer,
          parameters: queryParameters(consentQuerySchema),
          responses: {
            200: {
              description:
                'The latest receipt; when the collector requires subject proofs, with `subjectProved` (an unproved receipt grants nothing); and `inEffect`, what the collector applies: `{ receipt, purposes, members }`, the receipt whose grants count (the latest proved one; `null`: none grants), each purpose of the policy granted or not (narrowed by every refusal decided after that receipt), and the purposes refused to each Member (`{ HarvardX: { analytics: false } }`)',
              ...json({ $ref: '#/components/schemas/ConsentReceipt' }),
            },
            400: error('No subject, a subject given twice, or another parameter'),
            401: error('No token'),
            403: error('Not the platform token'),
            404: error('No receipt'),
          },
        },
      },
      '/v1/consent/{subject}': {
        get: {
          summary:
            'The latest receipt of a subject a URL path carries (platform token only); any subject: GET /v1/consent?subject=',
          security: bearer,
          parameters: [{ name: 'subject', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: {
              description:
                'The latest receipt; when the collector requires subject proofs, with `subjectProved` (an unproved receipt grants nothing); and `inEffect`, what the collector applies: `{ receipt, purposes, members }`, the receipt whose grants count (the latest proved one; `null`: none grants), each purpose of the policy granted or not (narrowed by every refusal decided after that receipt), and the purposes refused to each Member (`{ HarvardX: { analytics: false } }`)',
              ...json({ $ref: '#/components/schemas/ConsentReceipt' }),
            },
            401: error('No token'),
            403: error('Not the platform token'),
            404: error('No receipt'),
          },
        },
      },
      '/v1/members/{member}/events': {
        get: {
          summary: "A Member's events, oldest first, with cursor pagination",
          description:
            '`nextCursor` is given on every page that has events, the last one too: passed as `cursor` later, it returns only the events stored since (an export continues where it stopped); on an empty page it is `null` (nothing new: keep the `cursor` sent, and try it again later). `hasMore` says whether more events follow now: read on while it is `true`.',
          security: bearer,
          parameters: [memberParam, ...queryParameters(eventsQuerySchema)],
          responses: {
            200: { description: '`{ member, events, nextCursor, hasMore }`' },
            400: error('Invalid query'),
            401: error('No token'),
            403: error("Another Member's token"),
            404: error('Unknown Member'),
          },
        },
      },
      '/v1/members/{member}/stats': {
        get: {
          summary: 'Page views per day, top pages, clicks, email opens and clicks, consent rates per purpose',
          security: bearer,
          description:
            "Consent rates are over the learners named by the events of the Member's courses dated and received in the period: its own, and those stored for the platform alone because the learner refused the Member a purpose, the Member recorded with them when they were stored, whatever the config says of the course later (counted in the rates only, as learners not granting it what they refused). When the period holds fewer learners than the minimum (`collector.minLearnersForRates`, `OPTIN_MIN_LEARNERS_FOR_RATES`, default 10), they are withheld whole: `consentRates: null`, `consentRatesWithheld: { reason: 'too_few_learners', minLearners }`; otherwise `consentRatesWithheld: null`.",
          parameters: [memberParam, ...queryParameters(statsQuerySchema)],
          responses: {
            200: {
              description:
                '`{ member, from, to, pageViewsPerDay, topPages, clicks, emailOpens, emailClicks, consentRates, consentRatesWithheld }`',
            },
            400: error('Invalid query'),
            401: error('No token'),
            403: error("Another Member's token"),
            404: error('Unknown Member'),
          },
        },
      },
      '/v1/events': {
        get: {
          summary: "The whole platform's events (every Member's and the platform's own), platform token only",
          security: bearer,
          parameters: queryParameters(eventsQuerySchema),
          responses: {
            200: { description: '`{ member: null, events, nextCursor, hasMore }`' },
            400: error('Invalid query'),
            401: error('No token'),
            403: error('Not the platform token'),
          },
        },
      },
      '/v1/stats': {
        get: {
          summary: "The whole platform's statistics, platform token only",
          security: bearer,
          description:
            'Consent rates over every learner whose latest decision was received in the period, never withheld (`consentRatesWithheld: null`).',
          parameters: queryParameters(statsQuerySchema),
          responses: {
            200: { description: 'The statistics, `member: null`' },
            400: error('Invalid query'),
            401: error('No token'),
            403: error('Not the platform token'),
          },
        },
      },
      '/healthz': {
        get: {
          summary: 'Storage and event sink reachable',
          responses: { 200: { description: 'Healthy' }, 503: { description: 'Storage or event sink unreachable' } },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus text exposition, to the metrics token or the platform token',
          security: [{ metricsBearer: [] }, { bearer: [] }],
          responses: {
            200: { description: 'Metrics (text/plain; version=0.0.4)' },
            401: error('No valid token'),
            403: error("A Member's token"),
          },
        },
      },
    },
  };
}
