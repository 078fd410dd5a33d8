/**
 * Stable codes of every error `@optin/members` throws: `invalid_config` (by `defineConfig`),
 * `unknown_member` (a declaration asked for a Member the config does not have).
 */
export type MembersErrorCode = 'invalid_config' | 'unknown_member';

/**
 * Stable code of one problem in a config (a {@link ConfigIssue}), for CI scripts and editors to act
 * on without reading the message. The README's table says what each means and what to do.
 */
export type ConfigIssueCode =
  /** A value of the wrong kind: the config, a list, a Member, a tracker or a field that is not what it must be. */
  | 'invalid_type'
  /** Something the config must have is missing or empty: the policy, a list, a Member's name or orgs. */
  | 'required'
  /** A field the config, `platform`, a Member or its `email` does not have (misspelt?). */
  | 'unknown_field'
  /** An empty slot in a list (a stray comma: `[a, , b]`). */
  | 'empty_slot'
  /** The policy itself is malformed, as `definePolicy` of `@optin/consent` reports it (the path is under `policy`). */
  | 'invalid_policy'
  /** A tracker's declaration is malformed, as `defineTracker` of `@optin/trackers` reports it (a field, a URL, a lifetime). */
  | 'invalid_tracker'
  /** A Member id that is not 1–64 letters, digits, `.`, `-` or `_`. */
  | 'invalid_id'
  /** An id another tracker or Member already has (Member ids compared in capitals, punctuation as `_`; `platform` is taken). */
  | 'duplicate_id'
  /** A Member tracker whose id is not `memberId/…` (not declared through `defineMember`). */
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
  /** An email key id that `@optin/email` does not take. */
  | 'invalid_key_id'
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
