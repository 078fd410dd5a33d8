import * as z from 'zod/mini';
import { ConsentError, type ConsentIssue } from './errors.js';
import type { Policy } from './policy.js';
import { unknownFields } from './unknown-fields.js';

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
// Every decision's receipt carries the policy id and version and each purpose id: the collector's
// receiptSchema takes at most 64 characters each, so a longer one would have every receipt refused.
const fits = z.maxLength(64, 'must be at most 64 characters (a consent receipt carries it)');
const id = z.string().check(z.regex(idPattern, 'must be letters, digits, "-" or "_"'), fits);

const purposeSchema = z.object({
  id,
  label: z.string().check(z.minLength(1, 'must not be empty')),
  description: z.string().check(z.minLength(1, 'must not be empty: learners read it')),
  required: z.optional(z.boolean()),
  gpc: z.optional(z.boolean()),
  group: z.optional(z.string().check(z.minLength(1))),
});

// What `lang` of HTML takes: a well-formed BCP 47 tag (`en`, `pt-BR`, `zh-Hant`).
const isTag = (tag: string) => {
  try {
    return Intl.getCanonicalLocales(tag).length == 1;
  } catch {
    return false;
  }
};

const policySchema = z.object({
  id,
  version: z.string().check(z.minLength(1, 'must not be empty'), fits),
  lang: z.optional(z.string().check(z.refine(isTag, 'must be a BCP 47 language tag, e.g. "en" or "pt-BR"'))),
  purposes: z.array(purposeSchema).check(z.minLength(1, 'a policy needs at least one purpose')),
});

/** Formats a zod path as `purposes[2].id`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${String(key)}`)).join('');
}

/**
 * Validates a policy and returns it frozen. Throws a {@link ConsentError} (`invalid_policy`) that
 * lists every problem with its path: a field it does not know (a misspelt `gcp` for `gpc`, with the
 * field meant), malformed ids, an id or version over 64 characters (what a
 * consent receipt carries), empty descriptions, duplicate purpose ids, a required purpose that GPC
 * would refuse.
 *
 * @example
 * const policy = definePolicy({ id: 'acme', version: '1', purposes: [
 *   { id: 'necessary', label: 'Necessary', description: 'Keeps the site working.', required: true },
 *   { id: 'analytics', label: 'Analytics', description: 'How the site is used.' },
 * ] });
 */
export function definePolicy(input: Policy): Policy {
  const parsed = policySchema.safeParse(input);
  const issues: ConsentIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  // A field the schema does not know is an error, not ignored: a misspelt flag (`gcp: true`,
  // `requierd: true`) would otherwise leave the policy meaning something else.
  issues.push(...unknownFields(input, Object.keys(policySchema.shape), '', 'a policy'));
  const purposes: unknown = (input as { purposes?: unknown } | null)?.purposes;
  if (Array.isArray(purposes)) {
    const seen = new Set<unknown>();
    purposes.forEach((p: { id?: unknown; required?: unknown; gpc?: unknown } | null, i) => {
      issues.push(...unknownFields(p, Object.keys(purposeSchema.shape), `purposes[${i}]`, 'a purpose'));
      if (seen.has(p?.id))
        issues.push({ path: `purposes[${i}].id`, message: `duplicate purpose id "${String(p?.id)}"` });
      seen.add(p?.id);
      if (p?.required && p.gpc)
        issues.push({ path: `purposes[${i}].gpc`, message: 'a required purpose cannot be refused by GPC' });
    });
  }
  if (issues.length) throw new ConsentError('invalid_policy', issues, 'Fix the policy definition at the paths listed.');
  return deepFreeze(input);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
