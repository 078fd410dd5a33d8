import type { Policy } from '@optin/consent';
import type { Tracker } from '@optin/trackers';

/**
 * A Member's own email tracking: its signing keys, by id and by reference (the secrets come from the
 * environment or files, never the config). Give `keyId`, `keys`, or both, as `@optin/collector` reads them.
 */
export interface MemberEmail {
  /**
   * Id of the Member's active signing key, e.g. `hx-2026`: 1–64 letters, digits, `.`, `_`, `:` or
   * `-` (the kids `@optin/email` accepts). The collector reads its secret from
   * `OPTIN_EMAIL_<MEMBER>_<KID>` unless `keys` names it.
   */
  readonly keyId?: string;
  /**
   * Keys by id, each `env:NAME` or `file:/path` where the collector reads the secret: to keep
   * retired kids verifying after a rotation, e.g. `{ 'hx-2026': 'env:HX_EMAIL_2026' }`.
   */
  readonly keys?: Readonly<Record<string, string>>;
}

/** Every field of a Member's `email`: `validateConfig` reports any other as misspelt (or a secret). */
export const emailFields: Readonly<Record<keyof MemberEmail, true>> = { keyId: true, keys: true };

/** A course provider: the orgs (and single course runs) it owns, and its own trackers. */
export interface Member {
  /** Stable id, e.g. `HarvardX`. Letters, digits, `.`, `-` and `_`. */
  readonly id: string;
  /** Name learners read, e.g. "Harvard University". */
  readonly name: string;
  /** The Open edX orgs it owns: every course under them is the Member's. `orgs` or `courses` (or both). */
  readonly orgs?: readonly string[];
  /** Single course runs it owns under orgs it does not (`course-v1:…`). `orgs` or `courses` (or both). */
  readonly courses?: readonly string[];
  /** Its trackers, with ids namespaced `memberId/trackerId` and owner set to the Member. */
  readonly trackers: readonly Tracker[];
  /** Its email tracking, when it has any. */
  readonly email?: MemberEmail;
  /**
   * Where `@optin/collector` finds this Member's API token: `env:NAME` or `file:/path` (default
   * `env:OPTIN_TOKEN_<ID>`), never the token itself. Read by the collector only.
   */
  readonly tokenRef?: string;
}

/** The one source of truth (`optin.config.ts`) for the browser, the collector and the CLI. */
export interface OptinConfig {
  /** The consent policy every tracker is held to. */
  readonly policy: Policy;
  /** The platform's own trackers (owner `platform`). */
  readonly platform: { readonly trackers: readonly Tracker[] };
  /** The Members and their trackers. */
  readonly members: readonly Member[];
  /**
   * Settings of `@optin/collector` (`mode`, `platformTokenRef`, `metricsTokenRef`, `writeKeysRef`,
   * `email`), read and checked by the collector at start: see its README.
   */
  readonly collector?: Readonly<Record<string, unknown>>;
}

/** Every field of a Member: `validateConfig` reports any other as misspelt. */
export const memberFields: Readonly<Record<keyof Member, true>> = {
  id: true,
  name: true,
  orgs: true,
  courses: true,
  trackers: true,
  email: true,
  tokenRef: true,
};

/** Every field of the config object: `validateConfig` reports any other as misspelt. */
export const configFields: Readonly<Record<keyof OptinConfig, true>> = {
  policy: true,
  platform: true,
  members: true,
  collector: true,
};

/** Every field of `platform`: `validateConfig` reports any other as misspelt. */
export const platformFields: Readonly<Record<keyof OptinConfig['platform'], true>> = { trackers: true };
