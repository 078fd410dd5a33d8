export { audit, type AuditOptions, type AuditReport } from './audit.js';
export {
  findViolations,
  type Finding,
  type FindingKind,
  type Observation,
  type ObservedCookie,
  type ObservedRequest,
  type ObservedStorage,
  type StorageArea,
} from './audit-findings.js';
export { chromiumArgs, chromiumPath } from './chromium.js';
export {
  consentState,
  type AuditConsent,
  type AuditLearner,
  type ConsentState,
  type MemberRefusals,
} from './consent-state.js';
export { formatReport } from './format-report.js';
export type { Interaction } from './interact.js';
export { hostMatches, sameSite } from './host-pattern.js';
export { loadConfig, type LoadConfigOptions } from './load-config.js';
export { CliError, type CliErrorCode, type CliIssue, type ConfigProblemCode } from './errors.js';
