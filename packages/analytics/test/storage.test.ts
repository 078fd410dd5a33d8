// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { local } from '../src/storage.js';

const day = 864e5;
const written = Date.parse('2026-01-15T10:00:00Z');

beforeEach(() => {
  vi.useFakeTimers({ now: written });
});
afterEach(() => {
  vi.useRealTimers();
  localStorage.clear();
});

describe('local', () => {
  it('reads a value for 13 months (395 days, as the id cookie lasts) after it was written', () => {
    local('optin_prefs', { theme: 'dark' });
    vi.setSystemTime(written + 395 * day - 1);
    expect(local('optin_prefs')).toEqual({ theme: 'dark' });
  });

  it('reads an expired value as absent, and removes it', () => {
    local('optin_prefs', { theme: 'dark' });
    vi.setSystemTime(written + 395 * day);
    expect(local('optin_prefs')).toBeUndefined();
    expect(localStorage.getItem('optin_prefs')).toBeNull();
  });

  it('starts the 13 months again on every write', () => {
    local('optin_touch', { n: 1 });
    vi.setSystemTime(written + 300 * day);
    local('optin_touch', { n: 2 });
    vi.setSystemTime(written + 600 * day);
    expect(local('optin_touch')).toEqual({ n: 2 });
  });

  it('reads a value stored without its expiry (by hand, or damaged) as absent, and removes it', () => {
    for (const stored of ['{"theme":"dark"}', '[1,2]', '7', '{"v":"x"}', '{"v":"x","e":"9999"}']) {
      localStorage.setItem('optin_prefs', stored);
      expect(local('optin_prefs'), stored).toBeUndefined();
      expect(localStorage.getItem('optin_prefs'), stored).toBeNull();
    }
  });

  it('removes a value when given null, and reads an absent one as undefined', () => {
    local('optin_queue', [1]);
    local('optin_queue', null);
    expect(localStorage.getItem('optin_queue')).toBeNull();
    expect(local('optin_queue')).toBeUndefined();
  });
});
