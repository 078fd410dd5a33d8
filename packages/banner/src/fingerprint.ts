import { checksum, type Purpose } from '@optin/consent';

/**
 * The fingerprint of a purpose's text, its label and description, as the policy has it: a catalog's
 * translation of the purpose carries the fingerprint of the text it translates
 * (`[label, description, fingerprint]`). When the policy's text changes, so does its fingerprint, and
 * the banner shows the policy's own text rather than the translation of an earlier one (with a
 * warning naming the catalog entry and the fingerprint of the text now).
 *
 * @example
 * purposeFingerprint(edxPolicy.purposes[1]); // the fingerprint the French catalog's `analytics` carries
 */
export function purposeFingerprint(purpose: Pick<Purpose, 'label' | 'description'>): string {
  return checksum(`${purpose.label}\n${purpose.description}`);
}
