import { toGoogleConsentMode, type ConsentStore, type GoogleConsentMode } from '@optin/consent';
import { gtag } from './gtag.js';

/** A Google Consent Mode default for some regions (ISO 3166-1 / 3166-2 codes, e.g. `US-CA`). */
export interface RegionDefault extends Partial<GoogleConsentMode> {
  /** Where this default applies. */
  readonly region: readonly string[];
}

/** Google Consent Mode v2 options of the hub. */
export interface GoogleConsentModeOptions {
  /** Milliseconds Google tags wait for an `update` before using the default. Default 500. */
  readonly waitForUpdate?: number;
  /** Defaults for some regions, pushed before the global default (which follows the consent store). */
  readonly regions?: readonly RegionDefault[];
}

/**
 * Pushes `gtag('consent', 'default', …)`: the regional defaults, each granting only what the store
 * allows now (a signal it refuses, by GPC say, is denied there too), then the global one from what the
 * consent store allows now, with `wait_for_update`, then an `update` when the learner had already
 * decided. Call it before any Google tag is on the page. Returns the function that pushes
 * `gtag('consent', 'update', …)` with what the store allows: call it on every change.
 */
export function startConsentMode(consent: ConsentStore, options: GoogleConsentModeOptions): () => void {
  const signals = () => toGoogleConsentMode(consent.grants());
  const update = () => gtag('consent', 'update', signals());
  const now = signals() as unknown as Record<string, string>;
  for (const region of options.regions ?? []) {
    const narrowed: Record<string, unknown> = { ...region };
    // `< 'e'`: 'denied' (not 'granted', nor undefined for `region`), shorter for the size budget.
    for (const key in narrowed) if ((now[key] as string) < 'e') narrowed[key] = now[key];
    gtag('consent', 'default', narrowed);
  }
  gtag('consent', 'default', { ...now, wait_for_update: options.waitForUpdate ?? 500 });
  if (consent.decision) update();
  return update;
}
