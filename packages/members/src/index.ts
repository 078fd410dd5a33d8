export type { Member, MemberEmail, OptinConfig } from './config.js';
export { defineMember, type MemberInput } from './define-member.js';
export { defineConfig } from './define-config.js';
export { validateConfig } from './validate-config.js';
export { MembersError, type ConfigIssue, type ConfigIssueCode, type MembersErrorCode } from './errors.js';
export { courseFromUrl, parseCourseKey, parseUsageKey, type CourseKey, type UsageKey } from '@optin/consent/course-key';
export { createRegistry, type Registry, type Scope } from './registry.js';
export {
  buildDeclaration,
  cookiePattern,
  type Declaration,
  type DeclaredCookie,
  type DeclaredTracker,
} from './declaration.js';
export type { DeclaredEmail, EmailRecord } from './declared-email.js';
export type { DeclaredSiteCookie } from './consent-cookie.js';
export { declarationToHtml, declarationToJson, declarationToMarkdown } from './render-declaration.js';
export { declarationCss } from './declaration-css.js';
export { createScopedHub, type ScopedHub, type ScopedHubOptions } from './scoped-hub.js';
