export { firstParty, type FirstParty, type FirstPartyOptions, type Prefs } from './first-party.js';
export { declareFirstParty, batchUrl } from './first-party-declaration.js';
export { autotrack } from './autotrack.js';
export { controlName } from './control-name.js';
export { shareNetwork } from './share-network.js';
export { classifyReferrer, referrerHost, type ReferrerClass } from './referrer-class.js';
export { attribute, campaignOf, campaignParam, type Attribution, type Touch } from './attribution.js';
export { courseOf, type CourseRef } from './course-ref.js';
export { nextSession, encodeSession, decodeSession, sessionTimeout, type Session } from './session.js';
export {
  createTransport,
  backoff,
  maxAttempts,
  type Message,
  type Transport,
  type TransportOptions,
} from './transport.js';
export { randomId } from './random-id.js';
export { AnalyticsError, type AnalyticsErrorCode } from './errors.js';
