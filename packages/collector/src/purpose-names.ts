/** The purposes a key may name: a policy's (`policy.purposes` of `@optin/consent`), by id. */
export type NamedPurposes = readonly { readonly id: string }[];

// Names consent tools other than Optin's stamp in `categoryPreferences` (Segment Consent
// Management, OneTrust, Cookiebot), mapped to the edX purposes, in lower case.
const aliases: Readonly<Record<string, string>> = {
  advertising: 'marketing',
  targeting: 'marketing',
  'targeting cookies': 'marketing',
  statistics: 'analytics',
  'performance cookies': 'performance',
  preferences: 'functionality',
  'functional cookies': 'functionality',
  functional: 'functionality',
  'strictly necessary': 'necessary',
};

/**
 * The purpose a key of choices names (in `categoryPreferences`, or in a Member's overrides): the
 * purpose whose id it is in any letter case (as `toLowerCase` lowers it), else the one its alias
 * names (`Advertising`: `marketing`), else the key itself.
 */
export function purposeNamed(key: string, purposes: NamedPurposes): string {
  const lower = key.toLowerCase();
  return purposes.find((p) => p.id.toLowerCase() === lower)?.id ?? aliases[lower] ?? key;
}

/**
 * Every key, in lower case, that {@link purposeNamed} reads as `purpose` (one of `purposes`): what a
 * database compares a lowered key with to read choices as the collector does.
 */
export function purposeKeys(purpose: string, purposes: NamedPurposes): string[] {
  return [purpose.toLowerCase(), ...Object.keys(aliases)].filter((key) => purposeNamed(key, purposes) === purpose);
}

/**
 * Choices by purpose, from keys naming purposes as {@link purposeNamed} reads them. When several
 * keys name one purpose, a refusal by any of them wins (`{ Marketing: false, advertising: true }`
 * refuses marketing).
 */
export function purposeChoices(
  choices: Readonly<Record<string, boolean>>,
  purposes: NamedPurposes,
): Map<string, boolean> {
  const byPurpose = new Map<string, boolean>();
  for (const [key, value] of Object.entries(choices)) {
    const purpose = purposeNamed(key, purposes);
    byPurpose.set(purpose, (byPurpose.get(purpose) ?? true) && value);
  }
  return byPurpose;
}

/**
 * A Member's overrides in a decision's `members`, under its id in any letter case (as Member ids are
 * matched everywhere else; config ids never differ in case alone): choices by purpose as
 * {@link purposeChoices} reads them, a refusal under any spelling winning. `undefined`: none.
 */
export function memberOverrides(
  members: Readonly<Record<string, Readonly<Record<string, boolean>>>> | undefined,
  memberId: string,
  purposes: NamedPurposes,
): Map<string, boolean> | undefined {
  if (!members) return undefined;
  const wanted = memberId.toLowerCase();
  let merged: Map<string, boolean> | undefined;
  for (const [id, choices] of Object.entries(members)) {
    if (id.toLowerCase() !== wanted) continue;
    merged ??= new Map();
    for (const [purpose, granted] of purposeChoices(choices, purposes))
      merged.set(purpose, (merged.get(purpose) ?? true) && granted);
  }
  return merged;
}
