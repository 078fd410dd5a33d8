// Runs in plain Node: no window, no document — where `optin declare` and `optin audit` read configs.
import { describe, expect, it } from 'vitest';
import { declareFirstParty } from '../src/index.js';

describe('declareFirstParty', () => {
  it('declares both first-party trackers, their cookies and localStorage keys and the collector host, outside any page', () => {
    expect(typeof document).toBe('undefined');
    const declared = declareFirstParty({ endpoint: 'https://collector.edx.org:8443/base' });
    expect(
      declared.map((t) => [
        t.id,
        t.purposes,
        t.party,
        t.hosts,
        t.cookies.map((c) => `${String(c.name)} ${c.lifetime} ${c.storage ?? 'cookie'}`),
      ]),
    ).toEqual([
      ['optin-analytics', ['analytics'], 'first', ['collector.edx.org'], []],
      [
        'optin-functionality',
        ['functionality'],
        'first',
        ['collector.edx.org'],
        [
          'optin_id 13mo cookie',
          'optin_ses 30min cookie',
          // Kept in localStorage: the list of third parties says so, not "cookie".
          'optin_touch 13mo localStorage',
          'optin_prefs 13mo localStorage',
          'optin_queue 13mo localStorage',
        ],
      ],
    ]);
    expect(declared.every((t) => t.load === undefined && t.page === undefined)).toBe(true);
  });

  it('needs an absolute endpoint outside a page, and says so with a typed error', () => {
    expect(() => declareFirstParty({ endpoint: '/collector' })).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'endpoint' }),
    );
  });
});
