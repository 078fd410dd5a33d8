export { firstParty, type FirstParty, type FirstPartyOptions, type Prefs } from './first-party.js';
export { declareFirstParty } from './first-party-declaration.js';
export { AnalyticsError, type AnalyticsErrorCode } from './errors.js';
