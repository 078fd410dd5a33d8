import { own } from './own.js';

/** One purpose of a policy: why a tracking technology may be used. */
export interface Purpose {
  /** Stable id, e.g. `analytics`. Letters, digits, `-` and `_`. */
  readonly id: string;
  /** Short name a learner reads, e.g. "Analytics". */
  readonly label: string;
  /** What the purpose covers, in words a learner can read. */
  readonly description: string;
  /** Always on and never asked (e.g. `necessary`). */
  readonly required?: boolean;
  /** Refused by Global Privacy Control (and by DNT where configured); no default can grant it. */
  readonly gpc?: boolean;
  /** Purposes with the same group are shown under one heading (they stay separately switchable). */
  readonly group?: string;
}

/** A consent policy: an id, a version and its purposes, in display order. */
export interface Policy {
  /** Stable id, e.g. `edx`. */
  readonly id: string;
  /** Version of the policy text, e.g. `2026-11`. */
  readonly version: string;
  /**
   * The language its labels and descriptions are written in, a BCP 47 tag (`fr`, `pt-BR`); `en` when
   * absent. A banner in another language marks the text it shows untranslated with it, so that
   * screen readers read it in that language. Not part of {@link policyHash}: it changes nothing consented to.
   */
  readonly lang?: string;
  /** The purposes, in display order. */
  readonly purposes: readonly Purpose[];
}

/**
 * Whether `purpose` is required (always on): only when its own `required` is `true`, never by a flag
 * inherited from a polluted `Object.prototype`.
 */
export const isRequired = (purpose: Purpose): boolean => own(purpose, 'required') === true;

/** Whether Global Privacy Control refuses `purpose`: its own `gpc` flag (an inherited one is none). */
export const isGpc = (purpose: Purpose): boolean => !!own(purpose, 'gpc');

/**
 * A short, stable fingerprint of everything a learner consented to: the policy id, version and
 * each purpose's id, flags, label and description (the text they read). When it changes, stored
 * decisions no longer apply and the learner is asked again (their refusals stay).
 */
export function policyHash(policy: Policy): string {
  let hash = hashes.get(policy);
  if (!hash)
    hashes.set(
      policy,
      (hash = checksum(
        JSON.stringify([
          policy.id,
          policy.version,
          policy.purposes.map((p) => [p.id, isRequired(p), isGpc(p), p.label, p.description]),
        ]),
      )),
    );
  return hash;
}

// Policies are immutable: each is hashed once (the hash is on every cookie read's hot path).
const hashes = new WeakMap<Policy, string>();

/**
 * FNV-1a (32-bit) of a string's UTF-16 code units, in base 36. Every single-character change of a
 * string changes it (each step is a bijection of the state), so an edited cookie is detected.
 */
export function checksum(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}
