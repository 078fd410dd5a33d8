export { createHub, type Hub, type HubOptions } from './hub.js';
export { defineTracker } from './define-tracker.js';
export { loadScript, type LoadScriptOptions } from './load-script.js';
export { onNavigate } from './on-navigate.js';
export { deleteCookies, declares } from './delete-cookies.js';
export type { GoogleConsentModeOptions, RegionDefault } from './google-consent-mode.js';
export type { AdapterOptions } from './adapter-options.js';
export { TrackerError, type TrackerErrorCode, type TrackerIssue } from './errors.js';
export type {
  CookieDeclaration,
  CookieStorage,
  EventBase,
  HubEvent,
  IdentifyEvent,
  PageEvent,
  PageProperties,
  Party,
  ScriptOptions,
  TrackEvent,
  Tracker,
  TrackerContext,
  TrackerOwner,
  Vendor,
} from './tracker.js';
