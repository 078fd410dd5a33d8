/** Every text the banner shows besides the policy's own purpose labels and descriptions. `{name}`, `{link}` and `{purposes}` are replaced. */
export interface Messages {
  /** Heading of the first layer. */
  title: string;
  /** The short notice of the first layer. */
  notice: string;
  /** Link text to the cookie policy (when `policyUrl` is given). */
  policy: string;
  /** Grants every purpose. */
  acceptAll: string;
  /** Refuses every purpose but the required ones. */
  rejectAll: string;
  /** Opens the preferences. */
  preferences: string;
  /**
   * Added to the first layer's notice while a privacy signal the store honours (Global Privacy
   * Control, or Do Not Track: see `gpc` and `dnt`) keeps a purpose off: `{purposes}` (the labels of
   * the purposes it keeps off, as the preferences show them: "Marketing") stay off, "Accept all"
   * included, unless the learner turns them on in the preferences. Word it for a list (one or
   * more purposes), and quote no button: a page may rename them.
   */
  signal: string;
  /** Heading of the preferences. */
  prefsTitle: string;
  /** Introduction of the preferences. */
  prefsIntro: string;
  /** Follows the introduction of the preferences: cookies can also be controlled in the browser's settings. */
  browser: string;
  /** Shown beside a required purpose's locked switch. */
  alwaysOn: string;
  /** Added to the description of purposes Global Privacy Control refuses, when the browser sends it. */
  gpc: string;
  /**
   * Said instead of `gpc` where Do Not Track alone refuses: the store honours it (created with
   * `signals: { dnt: true }`) and Global Privacy Control is not in force.
   */
  dnt: string;
  /** Saves the switches. */
  save: string;
  /** Leaves the preferences without saving. */
  close: string;
  /** The persistent control that reopens the preferences. */
  settings: string;
  /** Heading of a Member's section; `{name}` is the Member's name. */
  member: string;
  /** Introduction of a Member's section; `{name}` is the Member's name. */
  memberIntro: string;
  /** Heading of the list of third parties. */
  thirdParties: string;
  /**
   * Under that heading, where a listed third party has an opt-out link: a third party's own opt-out
   * is the learner's to use, and neither edX nor any Member answers for it.
   */
  optOuts: string;
  /** Names a sender's email tracking in that list and in a Member's section: whether its emails are opened and their links clicked. */
  email: string;
  /** Link text to a vendor's privacy policy. */
  privacy: string;
  /** Link text to a vendor's opt-out. */
  optOut: string;
  /**
   * Name screen readers give a vendor's privacy or opt-out link, which opens in a new tab: `{link}`
   * is the link's text (`privacy` or `optOut`), `{name}` the vendor's name.
   */
  vendorLink: string;
}

/** A language: its messages (missing ones fall back to English), direction, and purpose translations. */
export interface Catalog {
  /** Text direction; `ltr` when absent. */
  readonly dir?: 'ltr' | 'rtl';
  /** The messages of the language. */
  readonly messages: Partial<Messages>;
  /**
   * Translations of a policy's purposes, by policy id then purpose id: `[label, description,
   * fingerprint]`, where `fingerprint` is `purposeFingerprint(purpose)` of the text translated. A
   * purpose without one, or whose text has changed since (its fingerprint differs), shows the
   * policy's own text (and a `stale_translation` warning names the entry).
   */
  readonly purposes?: Readonly<
    Record<string, Readonly<Record<string, readonly [label: string, description: string, fingerprint: string]>>>
  >;
}

/** English, built in. */
export const en: Messages = {
  title: 'Cookies and tracking',
  notice:
    'We and the course providers (Members) whose courses you visit use cookies and similar technologies for analytics, performance, functionality and marketing. Necessary ones are always on. You can change your choice at any time in Cookie settings.',
  policy: 'Cookie policy',
  acceptAll: 'Accept all',
  rejectAll: 'Reject all',
  preferences: 'Preferences',
  signal:
    'Your browser sends a privacy signal, so even if you accept all, these stay off unless you turn them on: {purposes}.',
  prefsTitle: 'Cookie preferences',
  prefsIntro:
    'Choose what may be used. Turning a purpose off stops it everywhere; a choice for a Member applies to that Member only.',
  browser: "You can also control cookies in your browser's privacy settings.",
  alwaysOn: 'Always on',
  gpc: 'Your browser sends Global Privacy Control: this stays off unless you turn it on here.',
  dnt: 'Your browser sends Do Not Track: this stays off unless you turn it on here.',
  save: 'Save choices',
  close: 'Close',
  settings: 'Cookie settings',
  member: 'On {name} courses',
  memberIntro: '{name} uses these on its courses. Turning one off stops it for {name} only.',
  thirdParties: 'Third parties',
  optOuts:
    'To stop their tracking, use their opt-outs: neither we nor any Member is responsible for how well they work.',
  email: 'Email opens and clicks',
  privacy: 'Privacy policy',
  optOut: 'Opt out',
  vendorLink: '{link}: {name} (opens in a new tab)',
};
