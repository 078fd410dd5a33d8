import { policyHash, type Policy } from '@optin/consent';
import { withoutClickIdsIn } from './click-ids.js';
import { decidedUnderPolicy } from './policy-in-force.js';
import { memberOverrides, purposeChoices } from './purpose-names.js';
import type { SegmentMessage } from './segment-schema.js';

// A word is one between characters that are neither letters nor digits, of any script (`ad/clicked`,
// `promo|banner`, `ad–shown`), or at either end of the name.
const sep = '[^\\p{L}\\p{N}]';
const wordPattern = (words: string): RegExp => new RegExp(`(^|${sep})(${words})(${sep}|$)`, 'iu');
const performanceName = wordPattern(`perf|performance|web${sep}?vitals?|timing|lcp|cls|inp|fcp|ttfb`);
// `coupons`, `referrals` and attribution are Segment's e-commerce and mobile spec's own marketing
// events (`Coupon Applied`, `Referral Sent`, `Install Attributed`).
const marketingName = wordPattern(
  '(?:marketing|ads?|advert[\\p{L}\\p{N}_]*|campaign|conversion|upsell|remarketing|retargeting|promo[\\p{L}\\p{N}_]*|coupons?|referrals?|attribution|attributed)',
);

/**
 * The words of a camelCase name separated as the patterns above read words, in any script: a
 * lower-case letter or digit before an upper-case letter (`adClicked`, `caféAdShown`), an acronym
 * before a capitalised word (`ADClicked`), and a letter before a digit (`ad2Shown`) end a word.
 * Letters within a word are never split (`adjusted`, `loaded`, `header_clicked` stay as they are).
 */
const wordsOf = (name: string): string =>
  name.replace(/([\p{Ll}\p{N}])(?=\p{Lu})|(\p{Lu})(?=\p{Lu}\p{Ll})|(\p{L})(?=\p{N})/gu, '$1$2$3_');

/** Format characters (`\p{Cf}`: zero-width spaces and joiners, soft hyphens, BOMs): invisible in a name. */
const formatCharacters = /\p{Cf}/gu;

/** The purpose one reading of a name calls for. */
const purposeOfWords = (words: string): string =>
  marketingName.test(words) ? 'marketing' : performanceName.test(words) ? 'performance' : 'analytics';

/**
 * The purpose a name calls for, read as a learner sees it: in its compatibility form (NFKC:
 * full-width `ＡＤ` is `AD`), its invisible format characters read both as nothing (`a\u200bd` is
 * `ad`) and as separators (`Ad\u200bClicked`): the reading that needs the most wins.
 */
function namePurpose(event: string): string {
  const shown = event.normalize('NFKC');
  const readings = [wordsOf(shown), wordsOf(shown.replace(formatCharacters, ''))];
  const purposes = readings.map(purposeOfWords);
  return purposes.includes('marketing') ? 'marketing' : purposes.includes('performance') ? 'performance' : 'analytics';
}

// Event names repeat on every event of their kind: their purpose is remembered (bounded).
const trackPurposes = new Map<string, string>();

/** The purpose a `track` event's name calls for. */
function trackPurpose(event: string): string {
  let purpose = trackPurposes.get(event);
  if (purpose === undefined) {
    purpose = namePurpose(event);
    if (trackPurposes.size >= 10_000) trackPurposes.clear();
    trackPurposes.set(event, purpose);
  }
  return purpose;
}

/**
 * The purposes a message needs before it may be stored (server-side, whatever the client did):
 * - `page` and `screen`: `analytics` (which pages, in what order, when).
 * - `identify`: `functionality` (recognising a returning visitor and remembering preferences).
 * - `track`: `performance` when its name is about speed (`perf`, `web_vitals`, `timing`, LCP, ...),
 *   `marketing` when it is about ads or campaigns (`marketing`, `ad`, `campaign`, `conversion`,
 *   `upsell`, `coupon`, `referral`, `attribution`, ...), otherwise `analytics` (links and controls
 *   used, e.g. `edx.ui.lms.link_clicked`). A word is one between characters that are neither
 *   letters nor digits (`ad/clicked`, `ad–shown`, `ad\u200bclicked`) or a camelCase one in any script
 *   (`adClicked`, `webVitalsReported`, `ad2Shown`), read in the name's NFKC form (`ＡＤ_clicked`), never
 *   part of one (`adjusted`, `loaded`).
 * - plus any purposes the message itself declares in `context.purposes` (a sender can only add).
 * Purposes the policy does not know are kept: a message needing them is never granted.
 */
export function messagePurposes(message: SegmentMessage): string[] {
  let base: string;
  if (message.type === 'identify') base = 'functionality';
  else if (message.type === 'track') base = trackPurpose(message.event);
  else base = 'analytics';
  const declared = message.context?.purposes;
  return declared ? [...new Set([base, ...declared])] : [base];
}

/** Why the server refused to store a message. */
export type ConsentDropReason = 'no_consent' | 'policy_mismatch' | 'purpose_refused' | 'gpc';

/** How consent is read on the server. */
export interface ConsentRules {
  /** The policy: its `required` purposes are always granted, its `gpc` purposes refused by `Sec-GPC: 1` (but where granted explicitly under GPC). */
  readonly policy: Policy;
  /** `opt-in` (default): no `context.consent` means nothing but required purposes. `opt-out`: granted unless refused. */
  readonly mode: 'opt-in' | 'opt-out';
}

/**
 * Checks a message's `context.consent` against the purposes it needs. Returns `undefined` when it
 * may be stored, or the reason and purpose it is dropped for. A Member override (`members`) can
 * only narrow a grant. `Sec-GPC: 1` refuses every purpose the policy marks `gpc` (marketing), unless
 * the learner granted it explicitly while GPC was on: `context.consent.gpc` is `true` (the decision
 * in force was made under GPC, as `@optin/consent` marks it) and its `categoryPreferences` grant the
 * purpose. No default grants it then (not opt-out mode, not a stamp that leaves the purpose out).
 *
 * A stamp of another version of the policy (`policy.version`, or `policy.hash` when given, not the
 * configured policy's: {@link decidedUnderPolicy}, as receipts are read) grants nothing: in opt-in
 * mode its purposes are refused (`policy_mismatch`; `purpose_refused` for those it refuses), in
 * opt-out mode the mode's defaults apply (granted, as with no stamp; never what GPC refuses), and
 * its refusals, its Member overrides' too, still refuse.
 */
export function consentVerdict(
  message: SegmentMessage,
  purposes: readonly string[],
  rules: ConsentRules,
  gpc: boolean,
  memberId: string | undefined,
): { reason: ConsentDropReason; purpose: string } | undefined {
  const consent = message.context?.consent;
  const policyRef = consent?.policy;
  const policyId = typeof policyRef === 'string' ? policyRef : policyRef?.id;
  if (policyId !== undefined && policyId !== rules.policy.id)
    return { reason: 'policy_mismatch', purpose: purposes[0] ?? '' };
  // Decided under another version of the policy: its grants are none (the learner is asked again).
  const outdated =
    typeof policyRef === 'object' &&
    !decidedUnderPolicy(policyRef, { version: rules.policy.version, hash: policyHash(rules.policy) });
  const prefs = consent ? purposeChoices(consent.categoryPreferences, rules.policy.purposes) : undefined;
  const overrides =
    memberId === undefined ? undefined : memberOverrides(consent?.members, memberId, rules.policy.purposes);
  for (const purpose of purposes) {
    const def = rules.policy.purposes.find((p) => p.id === purpose);
    if (!def) return { reason: 'purpose_refused', purpose };
    if (def.required) continue;
    // Under GPC, only the learner's explicit grant made while GPC was on counts, never a default.
    const choice = prefs?.get(purpose);
    if (gpc && def.gpc && !(consent?.gpc === true && choice === true && !outdated)) return { reason: 'gpc', purpose };
    if (!consent && rules.mode === 'opt-in') return { reason: 'no_consent', purpose };
    // Of another version, only its refusals count: the rest is the mode's default.
    if (outdated && choice !== false && rules.mode === 'opt-in') return { reason: 'policy_mismatch', purpose };
    const granted = outdated ? choice !== false : (choice ?? rules.mode === 'opt-out');
    if (!granted || overrides?.get(purpose) === false) return { reason: 'purpose_refused', purpose };
  }
  return undefined;
}

/** The parts of a message that may hold URLs: its `properties`, `traits` and `context` (`page`, `referrer`, ...). */
const urlParts = ['properties', 'traits', 'context'] as const;

/**
 * The message as it may be stored: a device's advertising id (`context.device.advertisingId`, the
 * IDFA or AAID Segment's mobile libraries send, an identifier for advertising alone) and ad click ids
 * (`gclid`, `fbclid`, ...: `clickIds` of `click-ids.ts`) in any URL in its `properties`, `traits` or
 * `context` (the page's `url`, `search`, `referrer` and `hash`, a link's `target_url`, a deep link)
 * or text that holds one (`www.edx.org/?gclid=…`), and any field of them named like a click id (`properties.gclid`,
 * `traits.MSCLKID`, at any depth; see `withoutClickIdsIn`), are removed unless marketing is granted for the
 * message, as {@link consentVerdict} reads its consent (GPC and the Member's overrides included); the
 * rest of the message (`utm_*` parameters included) is kept as it is.
 */
export function withAdIdsAllowed(
  message: SegmentMessage,
  rules: ConsentRules,
  gpc: boolean,
  memberId: string | undefined,
): SegmentMessage {
  const device: unknown = message.context?.device;
  const advertisingId = typeof device === 'object' && device !== null && 'advertisingId' in device;
  const stripped: Record<string, unknown> = {};
  for (const part of urlParts) {
    const kept = withoutClickIdsIn((message as Partial<Record<(typeof urlParts)[number], unknown>>)[part]);
    if (kept !== undefined) stripped[part] = kept;
  }
  if (!advertisingId && Object.keys(stripped).length === 0) return message;
  if (consentVerdict(message, ['marketing'], rules, gpc, memberId) === undefined) return message;
  const context = { ...((stripped.context ?? message.context) as Record<string, unknown>) };
  if (advertisingId) {
    const kept: Record<string, unknown> = { ...(context.device as object) };
    delete kept.advertisingId;
    context.device = kept;
  }
  return { ...message, ...stripped, context };
}
