/**
 * Stable codes of every error `@optin/members` throws: `invalid_config` (by `defineConfig`; by
 * `createRegistry` and `createScopedHub` given what is no config or registry),
 * `unknown_member` (a declaration asked for a Member the config does not have).
 */
export type MembersErrorCode = 'invalid_config' | 'unknown_member';

/**
 * Stable code of one problem in a config (a {@link ConfigIssue}), for CI scripts and editors to act
 * on without reading the message. The README's table says what each means and what to do.
 */
export type ConfigIssueCode =
  /** A value of the wrong kind: the config, a list, a Member, a tracker or a field (of the policy or a tracker too) that is not what it must be (a cookie's `storage` that is not `cookie`, `localStorage` or `sessionStorage`). */
  | 'invalid_type'
  /**
   * Something the config must have is missing or empty: the policy, a list, a Member's name or orgs, a
   * field of the policy or a tracker; or a text learners read (a Member's or vendor's name, a purpose's
   * label or description) with no letter, digit or symbol that shows.
   */
  | 'required'
  /** A field the config, `platform`, a Member or its `email`, the policy or a purpose, a tracker, its vendor or a cookie does not have (misspelt?). */
  | 'unknown_field'
  /** An empty slot in a list (a stray comma: `[a, , b]`). */
  | 'empty_slot'
  /**
   * A problem in the policy that `definePolicy` of `@optin/consent` reports and no other code names (a
   * check of a later release of it); problems inside the policy otherwise have the codes of what they are.
   * `optin validate` gives it to what `definePolicy` throws as the config file is imported.
   */
  | 'invalid_policy'
  /**
   * A problem in a tracker's declaration that `defineTracker` of `@optin/trackers` reports and no other
   * code names (a check of a later release of it); problems inside a declaration otherwise have the codes of what they are.
   * `optin validate` gives it to what `defineTracker` throws as the config file is imported.
   */
  | 'invalid_tracker'
  /**
   * An id not in its form: a Member's (1–64 letters, digits, `.`, `-` or `_`, and none of the names every
   * JavaScript object has, `constructor`, `toString`, `valueOf`…, in any case), the policy's or a purpose's
   * (letters, digits, `-` or `_`, at most 64), a tracker's, its owner, or a purpose a tracker or cookie names.
   */
  | 'invalid_id'
  /**
   * An id another one already has: a tracker's, a purpose's in the policy, a Member's (compared in
   * capitals, punctuation as `_`; `platform` is taken), or a tracker's `vendorId` that another owner's
   * tracker on the same hosts names (`optin audit` tells their traffic apart by it), compared as the audit
   * compares them: trimmed, a GA4 or GTM id in capitals.
   */
  | 'duplicate_id'
  /** A policy version over 64 characters: a consent receipt carries it. */
  | 'too_long'
  /** A policy `lang` that is not a BCP 47 language tag (`en`, `pt-BR`). */
  | 'invalid_lang'
  /** A required purpose with `gpc: true`: Global Privacy Control cannot refuse a purpose that is never asked. */
  | 'gpc_on_required'
  /** A vendor's `privacyUrl` or `optOutUrl` that is not an `https://` URL. */
  | 'invalid_url'
  /** An entry of a tracker's `hosts` that is not a lower-case host name (optionally `*.`): a scheme, port or path. */
  | 'invalid_host'
  /** A cookie `name` that browsers do not take (a space, `=`, `;` or `,`). */
  | 'invalid_cookie_name'
  /** A cookie `lifetime` that is not `session` or a count and unit (`30min`, `24h`, `90d`, `13mo`, `2y`). */
  | 'invalid_lifetime'
  /** A `party` (a tracker's or a cookie's) that is not `first` or `third`. */
  | 'invalid_party'
  /** A Member tracker whose id is not `memberId/…` (not declared through `defineMember`); one with no id is `required`. */
  | 'not_namespaced'
  /** A tracker whose `owner` is not the owner of the list it is in. */
  | 'wrong_owner'
  /** A purpose the policy does not have, named by a tracker or one of its cookies. */
  | 'unknown_purpose'
  /** A Member tracker in a required purpose (`necessary`): never asked, it would run without consent. */
  | 'required_purpose'
  /** A cookie whose purpose is not one of its tracker's purposes. */
  | 'cookie_purpose_mismatch'
  /** A first-party cookie that names the consent cookie (`optin`): a withdrawal would delete the decision. */
  | 'names_consent_cookie'
  /** A first-party cookie that names a cookie of Open edX itself (`csrftoken`, `sessionid`…): a refusal would delete it. */
  | 'reserved_cookie'
  /** A tracker that loads a script or is a third party but declares no host. */
  | 'missing_hosts'
  /** A Member cookie name that the platform's or another Member's cookie also names. */
  | 'cookie_collision'
  /** A Member cookie pattern with a lookaround or back-reference that may collide with another owner's and cannot be checked name by name. */
  | 'uncheckable_cookie_pattern'
  /** An org that is not an Open edX org. */
  | 'invalid_org'
  /** An entry of `courses` that is not a course run key. */
  | 'invalid_course'
  /** A CCX key in `courses`: a CCX belongs to its org's Member. */
  | 'ccx_course'
  /** An org or course run another Member already owns. */
  | 'already_owned'
  /** Email tracking under a policy without `analytics`, the purpose the collector records it under. */
  | 'no_email_purpose'
  /** A Member's `email` that names no signing key. */
  | 'no_email_key'
  /** An email key id that `@optin/email` does not take (never shown: it may be a secret; one in `email.keys` named by its position). */
  | 'invalid_key_id'
  /** An email key two owners (Members, or a Member and the platform) read from one place: one reference, or key ids making one environment variable name. */
  | 'shared_email_key'
  /** A secret given where its reference belongs (`env:NAME` or `file:/path`): an email key or a `tokenRef`. */
  | 'invalid_secret_ref'
  /** A declaration asked for a Member the config does not have. */
  | 'unknown_member';

/** One problem in a config, with the path of what was wrong: `members[1].trackers[0].id`. */
export interface ConfigIssue {
  /** Where the problem is. */
  path: string;
  /** What kind of problem it is, stable across releases. */
  code: ConfigIssueCode;
  /** What is wrong there, and what to do. */
  message: string;
}

/**
 * The one error class of `@optin/members`: thrown by `defineConfig` with **every** problem of the
 * config, each with its path and code, and by `buildDeclaration` for an unknown Member. `code` is
 * stable across releases, as is each issue's.
 */
export class MembersError extends Error {
  /** Stable machine-readable code. */
  readonly code: MembersErrorCode;
  /** Every problem found, each with its path and code. */
  readonly issues: readonly ConfigIssue[];
  /** What to do about it. */
  readonly hint: string;

  constructor(code: MembersErrorCode, issues: readonly ConfigIssue[], hint: string) {
    super(
      `${code}: ${issues.length} problem(s)\n${issues.map((i) => `  ${i.path} [${i.code}]: ${i.message}`).join('\n')}\n${hint}`,
    );
    this.name = 'MembersError';
    this.code = code;
    this.issues = issues;
    this.hint = hint;
  }
}
