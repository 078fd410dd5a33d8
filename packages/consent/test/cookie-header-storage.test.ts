import { describe, expect, it } from 'vitest';
import { cookieHeaderStorage, createConsent, edxPolicy, encodeDecision, fromCookieHeader } from '../src/index.js';

/** What a browser stores after `decide(choice)` under `mode`, with or without GPC, as a Cookie header. */
function browserCookie(
  mode: 'opt-in' | 'opt-out',
  gpc: boolean,
  choice: Parameters<ReturnType<typeof createConsent>['decide']>[0],
): string {
  const store = createConsent({ policy: edxPolicy, mode, storage: 'memory', signals: { gpc } });
  return `theme=dark; optin=${encodeDecision(store.decide(choice, 'banner'), edxPolicy)}; other=1`;
}

/** The server's store for a request. */
const serverStore = (header: string | undefined, mode: 'opt-in' | 'opt-out', gpc: boolean) =>
  createConsent({ policy: edxPolicy, mode, storage: cookieHeaderStorage(header), signals: { gpc } });

describe('cookieHeaderStorage: a server answers as the browser will', () => {
  it('an opt-out page without a decision, under GPC: marketing is refused (fromCookieHeader has no decision to say so)', () => {
    expect(fromCookieHeader(undefined, edxPolicy, { mode: 'opt-out', gpc: true })).toBeNull();
    const server = serverStore(undefined, 'opt-out', true);
    expect(server.allows('marketing')).toBe(false);
    expect(server.allows('analytics')).toBe(true);
    expect(serverStore(undefined, 'opt-out', false).allows('marketing')).toBe(true);
    expect(serverStore(undefined, 'opt-in', false).allows('analytics')).toBe(false);
  });

  it('reads the decision and the Member overrides of the header, as the browser does', () => {
    const header = browserCookie('opt-out', false, {
      purposes: { analytics: false },
      members: { HarvardX: { marketing: false } },
    });
    const server = serverStore(header, 'opt-out', false);
    const browser = createConsent({ policy: edxPolicy, mode: 'opt-out', storage: 'memory', signals: { gpc: false } });
    browser.decide({ purposes: { analytics: false }, members: { HarvardX: { marketing: false } } });
    for (const member of [undefined, 'HarvardX', 'MITx'])
      for (const p of edxPolicy.purposes) expect(server.allows(p.id, member)).toBe(browser.allows(p.id, member));
    expect(server.allows('marketing', 'HarvardX')).toBe(false);
    expect(server.allows('marketing', 'MITx')).toBe(true);
    expect(server.needsPrompt).toBe(false);
  });

  it('a marketing grant the learner made under GPC holds; a cookie of another name, or a damaged one, is no decision', () => {
    const granted = browserCookie('opt-in', true, { purposes: { marketing: true } });
    expect(serverStore(granted, 'opt-in', true).allows('marketing')).toBe(true);
    expect(serverStore(granted.replace('optin=', 'optout='), 'opt-in', true).needsPrompt).toBe(true);
    expect(serverStore(granted.replace(/optin=(.)/, 'optin=x$1'), 'opt-in', true).allows('marketing')).toBe(false);
  });

  it('writes nothing to the request: a decision made on the server lasts for the store only', () => {
    const server = serverStore(undefined, 'opt-in', false);
    server.acceptAll('api');
    expect(server.storageKind).toBe('memory');
    expect(server.allows('analytics')).toBe(true);
    expect(cookieHeaderStorage(undefined).read()).toEqual([]);
  });
});
