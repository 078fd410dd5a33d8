export { createEmailSigner } from './signer.js';
export type { EmailSigner, EmailSignerOptions, MessageMeta } from './signer.js';
export { createEmailVerifier } from './verifier.js';
export type {
  EmailVerifier,
  EmailVerifierOptions,
  Verification,
  VerificationFailure,
  VerificationFailureReason,
  VerifiedClick,
  VerifiedOpen,
  VerifiedToken,
} from './verifier.js';
export type { EmailKeys } from './keys.js';
export type { MemberKeys, PrincipalKeys } from './principals.js';
export { createSubjectVerifier, maxSubjectProofChars, sealSubject } from './subject-proof.js';
export type {
  SealSubjectOptions,
  SubjectProofFailureReason,
  SubjectProofVerification,
  SubjectVerifier,
  SubjectVerifierOptions,
} from './subject-proof.js';
export { maxTokenChars, type EmailTokenKind } from './token.js';
export { noTrackAttribute } from './rewrite-html.js';
export { isMachineClick, isMachineOpen } from './machine-traffic.js';
export type {
  EmailRequest,
  HeaderReader,
  HumanProxy,
  MachineReason,
  MachineTrafficOptions,
  MachineVerdict,
} from './machine-traffic.js';
export {
  invalidLinkPage,
  invalidLinkResponse,
  pixelResponse,
  redirectResponse,
  transparentGif,
  type EmailResponse,
} from './responses.js';
export { EmailError, type EmailErrorCode } from './errors.js';
