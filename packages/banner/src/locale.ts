import { doc } from './dom.js';
import type { Catalog } from './messages.js';

/** Lazy catalogs by language code, e.g. `locales` from `@optin/banner/locales` or your own. */
export type LocaleLoaders = Readonly<Record<string, () => Promise<Catalog>>>;

/**
 * The first of `candidates` (`fr-CA`, `zh-Hant-TW`, …) whose language is English or one of
 * `available`, by exact code then by ever shorter prefixes (`zh-Hans-CN` → `zh-Hans` → `zh`, the
 * lookup of RFC 4647); `en` when none is. Traditional Chinese (`zh-Hant-TW`, `zh-TW`, `zh-HK`) falls
 * back to `zh-Hant`, never to Simplified `zh`. Codes are compared case-insensitively, `_` as `-` (the
 * `pt_BR` of Open edX), and returned as spelled in `available` (`pt-br` → `pt-BR`).
 */
export function pickLocale(candidates: readonly (string | null | undefined)[], available: readonly string[]): string {
  const tagOf = (code: string) => code.toLowerCase().replace(/_/g, '-');
  // English is built in: found as `en`, unless a catalog spells it otherwise.
  const byLower = new Map([['en', 'en'], ...available.map((code) => [tagOf(code), code] as const)]);
  for (const candidate of candidates) {
    const tag = tagOf(candidate ?? '');
    // Traditional Chinese (zh-Hant, zh-TW, zh-HK, zh-MO) takes a zh-Hant catalog, never Simplified `zh`.
    const hant = /^zh-(hant|tw|hk|mo)\b/.test(tag);
    // The tag, then ever shorter prefixes (`zh-hant-tw`, `zh-hant`, `zh`).
    for (let prefix = tag; prefix; prefix = prefix.replace(/-?[^-]*$/, '')) {
      const found = byLower.get(hant && prefix == 'zh' ? 'zh-hant' : prefix);
      if (found) return found;
    }
  }
  return 'en';
}

/**
 * `code` (`en` when not given: a policy without `lang` is in English) as a BCP 47 language tag for
 * `lang` and `Intl` (`pt_BR` → `pt-BR`), or `''` (unknown) when it is none.
 */
export function languageTag(code = 'en'): string {
  try {
    return Intl.getCanonicalLocales(code.replace(/_/g, '-'))[0] ?? '';
  } catch {
    return '';
  }
}

/** The language to show: `locale` when given, else `<html lang>`, else the browser's languages. */
export function pageLocale(loaders: LocaleLoaders, locale?: string | null): string {
  return pickLocale([locale, doc('documentElement').lang, ...navigator.languages], Object.keys(loaders));
}

/**
 * Loads the catalog of `code`: none (`undefined`) for English, or when loading fails (English is the
 * fallback).
 */
export async function loadCatalog(loaders: LocaleLoaders, code: string): Promise<Catalog | undefined> {
  try {
    return await loaders[code]?.();
  } catch {
    // (English.)
  }
}
