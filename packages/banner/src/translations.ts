import type { Policy } from '@optin/consent';
import { BannerError } from './errors.js';
import { purposeFingerprint } from './fingerprint.js';
import type { Catalog } from './messages.js';

/** A purpose's label and description in the language shown, by purpose id. */
export type Translations = Readonly<Record<string, readonly [label: string, description: string, ...rest: string[]]>>;

// The catalog entries already reported (path and fingerprint): each once a page, not every time a
// banner starts again.
const reported = new Set<string>();

/**
 * The translations of `policy`'s purposes in `catalog` (the one of key `locale` in the banner's
 * `locales`) that translate the policy's text as it is now: each entry's fingerprint is that of the
 * purpose's label and description. An entry of another text (the policy changed it since) or that
 * does not say which (no fingerprint) is left out, so that the learner reads, and consents to, what
 * the policy says; it is reported once with `console.warn` as a {@link BannerError}
 * (`stale_translation`) naming the entry and the fingerprint of the text now.
 */
export function translations(catalog: Catalog | null | undefined, policy: Policy, locale: string): Translations {
  const entries = catalog?.purposes?.[policy.id] ?? {};
  // (No prototype: a purpose not translated is none, even where a polluted Object.prototype has its id.)
  const fitting = Object.create(null) as Record<string, readonly [string, string, string]>;
  for (const p of policy.purposes) {
    const entry = entries[p.id];
    const now = purposeFingerprint(p);
    const path = `locales.${locale}.purposes.${policy.id}.${p.id}`;
    if (entry?.[2] == now) fitting[p.id] = entry;
    // Reported unless it was already (the set grows only with a new one).
    else if (entry && reported.size < reported.add(`${path} ${entry[2]}`).size)
      console.warn(
        new BannerError(
          'stale_translation',
          path,
          // (An entry written for an earlier version of the banner has none.)
          entry[2] ? `translates ${entry[2]}` : 'no fingerprint',
          `Translate ${now}.`,
        ),
      );
  }
  return fitting;
}
