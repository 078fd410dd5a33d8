import type { Policy } from '@optin/consent';
import * as z from 'zod';
import { CollectorError, formatPath } from './errors.js';

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Where a secret lives: `env:NAME` (an environment variable) or `file:/path` (a file whose trimmed
 * content is the secret). Secrets are never written in the config itself.
 */
export const secretRefSchema = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, 'must be "env:NAME" or "file:/path", never the secret itself');

const purposeSchema = z.looseObject({
  id: z.string().regex(idPattern, 'must be letters, digits, "-", "_" or "."'),
  label: z.string().min(1),
  description: z.string().min(1),
  required: z.boolean().optional(),
  gpc: z.boolean().optional(),
  group: z.string().min(1).optional(),
});

const memberSchema = z.looseObject({
  id: z.string().regex(idPattern, 'must be letters, digits, "-", "_" or "."').max(64),
  orgs: z.array(z.string().min(1).max(128)).min(1, 'a Member owns at least one org'),
  tokenRef: secretRefSchema.optional(),
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
      writeKeysRef: secretRefSchema.optional(),
    })
    .optional(),
});

/** One Member as the collector sees it. */
export interface CollectorMember {
  /** Stable Member id, e.g. `HarvardX`. */
  readonly id: string;
  /** The Open edX orgs the Member owns (the org in `course-v1:{org}+...`). */
  readonly orgs: readonly string[];
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
        readonly writeKeysRef?: string | undefined;
      }
    | undefined;
}

/**
 * Validates a config (a `defineConfig()` result or a plain object) and returns what the collector
 * needs. Throws a {@link CollectorError} `invalid_config` naming every wrong path, including
 * duplicate Member ids (also ids that differ only in letter case and punctuation, or that read
 * `platform`, which would share environment names and event subjects) and an org claimed by two
 * Members.
 */
export function parseCollectorConfig(input: unknown): CollectorConfig {
  const parsed = collectorConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new CollectorError(
      'invalid_config',
      parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
      'Fix optin.config at the paths listed.',
    );
  }
  const issues: { path: string; message: string }[] = [];
  // Environment names (`OPTIN_TOKEN_<ID>`, `OPTIN_EMAIL_<ID>_<KID>`) and JetStream subjects are made
  // from Member ids: ids that make the same name would share secrets and subjects.
  const names = new Map<string, string>([
    ['PLATFORM', 'the platform'],
    ['_PLATFORM', 'the platform'],
  ]);
  const orgOwner = new Map<string, string>();
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
      const owner = orgOwner.get(org);
      if (owner !== undefined && owner !== m.id)
        issues.push({ path: `members[${i}].orgs[${j}]`, message: `org "${org}" already belongs to ${owner}` });
      orgOwner.set(org, m.id);
    });
  });
  if (issues.length)
    throw new CollectorError(
      'invalid_config',
      issues,
      'Each Member id and org must be unique, and ids must differ in more than letter case and punctuation.',
    );
  return parsed.data as CollectorConfig;
}
