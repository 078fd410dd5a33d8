import type { Policy } from '@optin/consent';
import * as z from 'zod';
import { maxMinLearnersForRates } from './consent-rates-threshold.js';
import { courseOwnerKey, foldCase } from '@optin/consent/course-key';
import { parseCourseKey, parseCourseRun } from './course-owner.js';
import { CollectorError, formatPath } from './errors.js';

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Where a secret lives: `env:NAME` (an environment variable) or `file:/path` (a file whose trimmed
 * content is the secret). Secrets are never written in the config itself.
 */
export const secretRefSchema = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, 'must be "env:NAME" or "file:/path", never the secret itself');

const kidPattern = /^[A-Za-z0-9._:-]{1,64}$/;
const refPattern = /^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/;

/**
 * Where the key `kid` of a key map (`{ [kid]: 'env:…' }`) at `path` is, as `@optin/email` names
 * keys: by its id, or by its position in the map when the id may be a secret (a map written the
 * wrong way round): malformed, as long as a secret, or of 16 bytes or more with no reference as
 * its value.
 */
export function keyPath(path: string, keys: unknown, kid: string): string {
  const entries = typeof keys === 'object' && keys !== null ? Object.entries(keys) : [];
  const index = entries.findIndex(([k]) => k === kid);
  const ref: unknown = entries[index]?.[1];
  const bytes = Buffer.byteLength(kid);
  const named = kidPattern.test(kid) && (bytes < 16 || (bytes < 32 && typeof ref === 'string' && refPattern.test(ref)));
  return named || index < 0 ? `${path}.${kid}` : `${path}[${index}]`;
}

const purposeSchema = z.looseObject({
  id: z.string().regex(idPattern, 'must be letters, digits, "-", "_" or "."'),
  label: z.string().min(1),
  description: z.string().min(1),
  required: z.boolean().optional(),
  gpc: z.boolean().optional(),
  group: z.string().min(1).optional(),
});

const memberSchema = z
  .looseObject({
    id: z.string().regex(idPattern, 'must be letters, digits, "-", "_" or "."').max(64),
    // As @optin/members validates them: a Member may own only single runs (`courses`), and orgs are
    // Open edX key parts (letters of any script, at most 255).
    orgs: z.array(z.string().min(1).max(255)).default([]),
    courses: z
      .array(
        z
          .string()
          // (A key naming its course by a version alone, of no org, names no run: refused as
          // @optin/members refuses it.)
          .refine(
            (key) => !!parseCourseKey(key)?.run.org,
            'must be a course run key, e.g. "course-v1:HarvardX+CS50+2026_T1"',
          )
          // As @optin/members reports it: a CCX is its org's Member's, whoever lists its parent run.
          .refine((key) => !parseCourseKey(key)?.run.org || parseCourseKey(key)?.ccx === null, {
            error: (issue) => {
              const ccx = parseCourseKey(String(issue.input));
              return `"${ccx?.key ?? ''}" is a CCX, which is its org's Member's (${ccx?.run.org ?? ''}), whoever owns the run it is built on: list course runs only, or give the Member the org`;
            },
          }),
      )
      .optional(),
    tokenRef: secretRefSchema.optional(),
  })
  .refine((m) => m.orgs.length + (m.courses?.length ?? 0) > 0, {
    path: ['orgs'],
    error: 'a Member owns at least one org or course run (`courses`)',
  });

/**
 * What the collector needs from `optin.config.ts`: the policy (purposes) and the Members (ids, the
 * orgs they own, where their API token is). Loose objects: the full `defineConfig()` result of
 * `@optin/members` (trackers, email keys, ...) satisfies it as it is.
 */
export const collectorConfigSchema = z.looseObject({
  policy: z.looseObject({
    id: z.string().regex(idPattern),
    version: z.string().min(1),
    purposes: z.array(purposeSchema).min(1),
  }),
  members: z.array(memberSchema).default([]),
  collector: z
    .looseObject({
      /** `opt-in`: a message without consent is dropped; `opt-out`: granted unless refused. */
      mode: z.enum(['opt-in', 'opt-out']).optional(),
      platformTokenRef: secretRefSchema.optional(),
      metricsTokenRef: secretRefSchema.optional(),
      writeKeysRef: secretRefSchema.optional(),
      /** The platform's subject-proof keys by kid (`sealSubject` of `@optin/email`): receipts must prove their subject. */
      subjectKeys: z.record(z.string().min(1), secretRefSchema).optional(),
      /** How many learners a Member's period must hold for its consent rates to be answered (default 10). */
      minLearnersForRates: z
        .number()
        .int('must be a whole number of learners')
        .min(0, 'must be 0 (never withheld) or more')
        .max(maxMinLearnersForRates, `must be at most ${maxMinLearnersForRates}`)
        .optional(),
    })
    .optional(),
});

/** Every setting of the config's `collector` section (`email` is checked with the email keys). */
const collectorSettings = [
  'mode',
  'platformTokenRef',
  'metricsTokenRef',
  'writeKeysRef',
  'email',
  'subjectKeys',
  'minLearnersForRates',
];

/** How many single-character edits turn `a` into `b` (case-insensitive). */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++)
      next[j] = Math.min(
        (row[j] ?? 0) + 1,
        (next[j - 1] ?? 0) + 1,
        (row[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    row = next;
  }
  return row[y.length] ?? 0;
}

/**
 * An issue for each key of the `collector` section that is no setting (the section belongs to the
 * collector alone, so a misspelt `writeKeyRef` must not quietly leave events unauthenticated),
 * with the setting it is closest to.
 */
function unknownCollectorSettings(section: object | undefined): { path: string; message: string }[] {
  return Object.keys(section ?? {})
    .filter((key) => !collectorSettings.includes(key))
    .map((key) => {
      const near = collectorSettings.find((setting) => editDistance(key, setting) <= 2);
      return {
        path: `collector.${key}`,
        message: `not a collector setting${near ? `; did you mean "${near}"?` : ''} (settings: ${collectorSettings.join(', ')}; switches such as OPTIN_REQUIRE_WRITE_KEY are environment variables)`,
      };
    });
}

/** One Member as the collector sees it. */
export interface CollectorMember {
  /** Stable Member id, e.g. `HarvardX`. */
  readonly id: string;
  /** The Open edX orgs the Member owns (the org in `course-v1:{org}+...`); none when it owns single `courses` only. */
  readonly orgs?: readonly string[] | undefined;
  /** Single course runs it owns under orgs it does not (`course-v1:…`): these are its events, not the org owner's. */
  readonly courses?: readonly string[] | undefined;
  /** Where the Member's API token is (`env:NAME` or `file:/path`); default `env:OPTIN_TOKEN_<ID>`. */
  readonly tokenRef?: string | undefined;
}

/** The validated config the collector runs on. */
export interface CollectorConfig {
  /** The consent policy (its purposes decide what each message needs). */
  readonly policy: Policy;
  /** Every Member. */
  readonly members: readonly CollectorMember[];
  /** Collector-only settings. */
  readonly collector?:
    | {
        readonly mode?: 'opt-in' | 'opt-out' | undefined;
        readonly platformTokenRef?: string | undefined;
        /** Where the token that reads `/metrics` (and nothing else) is; default `env:OPTIN_METRICS_TOKEN`. */
        readonly metricsTokenRef?: string | undefined;
        readonly writeKeysRef?: string | undefined;
        /**
         * Where the platform's subject-proof secrets are, by kid (`env:NAME` or `file:/path`): with
         * them, a receipt's grants count only when its subject is proved (see the README).
         */
        readonly subjectKeys?: Readonly<Record<string, string>> | undefined;
        /**
         * How many learners a Member's period must hold for `/stats` to answer its consent rates
         * (fewer: withheld); 0 to a million, default 10. `OPTIN_MIN_LEARNERS_FOR_RATES` wins over it.
         */
        readonly minLearnersForRates?: number | undefined;
      }
    | undefined;
}

/**
 * Validates a config (a `defineConfig()` result or a plain object) and returns what the collector
 * needs. Throws a {@link CollectorError} `invalid_config` naming every wrong path, including a
 * `collector` key that is no setting (with the nearest one), duplicate Member ids (also ids that
 * differ only in letter case and punctuation, or that read `platform`, which would share
 * environment names and event subjects) and an org or a course run claimed by two Members (in any
 * letter case).
 */
export function parseCollectorConfig(input: unknown): CollectorConfig {
  const parsed = collectorConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new CollectorError(
      'invalid_config',
      parsed.error.issues.map((i) => {
        const [section, setting, kid, ...rest] = i.path;
        // A subject-proof key id may be a secret (a map written the wrong way round): never printed.
        const path =
          section === 'collector' && setting === 'subjectKeys' && typeof kid === 'string'
            ? keyPath(
                'collector.subjectKeys',
                (input as { collector?: { subjectKeys?: unknown } }).collector?.subjectKeys,
                kid,
              ) + (rest.length ? `.${formatPath(rest)}` : '')
            : formatPath(i.path);
        return { path, message: i.message };
      }),
      'Fix optin.config at the paths listed.',
    );
  }
  const issues = unknownCollectorSettings(parsed.data.collector);
  // Environment names (`OPTIN_TOKEN_<ID>`, `OPTIN_EMAIL_<ID>_<KID>`) and JetStream subjects are made
  // from Member ids: ids that make the same name would share secrets and subjects.
  const names = new Map<string, string>([
    ['PLATFORM', 'the platform'],
    ['_PLATFORM', 'the platform'],
  ]);
  // Orgs and course runs are matched in any letter case (as @optin/members does).
  const orgOwner = new Map<string, string>();
  const runOwner = new Map<string, string>();
  parsed.data.members.forEach((m, i) => {
    const name = m.id.toUpperCase().replace(/[^A-Z0-9]/g, '_');
    const taken = names.get(name);
    if (taken !== undefined)
      issues.push({
        path: `members[${i}].id`,
        message:
          taken === m.id
            ? `duplicate Member id "${m.id}"`
            : `"${m.id}" and ${taken === 'the platform' ? taken : `"${taken}"`} would share environment names (${name}) and event subjects`,
      });
    else names.set(name, m.id);
    m.orgs.forEach((org, j) => {
      const owner = orgOwner.get(foldCase(org));
      if (owner !== undefined && owner !== m.id)
        issues.push({ path: `members[${i}].orgs[${j}]`, message: `org "${org}" already belongs to ${owner}` });
      orgOwner.set(foldCase(org), m.id);
    });
    m.courses?.forEach((key, j) => {
      const run = parseCourseRun(key);
      const owner = run && runOwner.get(courseOwnerKey(run));
      if (owner !== undefined && owner !== m.id)
        issues.push({
          path: `members[${i}].courses[${j}]`,
          message: `course run "${key}" already belongs to ${owner}`,
        });
      if (run) runOwner.set(courseOwnerKey(run), m.id);
    });
  });
  if (issues.length)
    throw new CollectorError(
      'invalid_config',
      issues,
      'Fix optin.config at the paths listed: each Member id, org and course run must be unique (orgs and runs in any letter case), ids must differ in more than letter case and punctuation, and collector holds only its settings.',
    );
  return parsed.data as CollectorConfig;
}
