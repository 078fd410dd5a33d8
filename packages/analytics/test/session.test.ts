import { describe, expect, it } from 'vitest';
import { campaignOf } from '../src/attribution.js';
import { decodeSession, encodeSession, nextSession, sessionTimeout } from '../src/session.js';

describe('session rules', () => {
  const t0 = 1_800_000_000_000;
  it('starts at seq 1 and adds one with every message', () => {
    const a = nextSession(undefined, t0);
    expect(a).toMatchObject({ seq: 1, at: t0, c: '' });
    expect(a.id).toMatch(/^[0-9a-f]{32}$/);
    const b = nextSession(a, t0 + 1000);
    expect(b).toEqual({ ...a, seq: 2, at: t0 + 1000 });
    expect(nextSession(b, t0 + 2000).seq).toBe(3);
  });

  it('starts a new session after 30 minutes idle, not before', () => {
    const a = nextSession(undefined, t0);
    expect(nextSession(a, t0 + sessionTimeout - 1).id).toBe(a.id);
    const b = nextSession(a, t0 + sessionTimeout);
    expect(b.id).not.toBe(a.id);
    expect(b.seq).toBe(1);
    expect(sessionTimeout).toBe(30 * 60 * 1000);
  });

  it('starts a new session on a new campaign, but not on the same one or on a page without one', () => {
    const a = nextSession(undefined, t0, 'utm_source=nl');
    expect(nextSession(a, t0 + 1, 'utm_source=nl').id).toBe(a.id);
    expect(nextSession(a, t0 + 1, '').id).toBe(a.id);
    const b = nextSession(a, t0 + 1, 'gclid=x');
    expect(b.id).not.toBe(a.id);
    expect(b.c).toBe('gclid=x');
  });

  it('keeps its cookie small whatever the campaign (a 3,000-character utm_content), and still knows a new campaign', () => {
    const long = campaignOf(new URL(`https://www.edx.org/?utm_source=nl&utm_content=${'a'.repeat(3000)}`));
    const a = nextSession(undefined, t0, long);
    expect(encodeSession(a).length).toBeLessThan(300);
    expect(decodeSession(encodeSession(a))).toEqual(a);
    // The same campaign again: the same session, read back from its cookie too.
    expect(nextSession(decodeSession(encodeSession(a)), t0 + 1, long).id).toBe(a.id);
    expect(nextSession(a, t0 + 1, 'utm_source=other').id).not.toBe(a.id);
  });

  it('round-trips through its cookie value, and rejects malformed ones', () => {
    const a = nextSession(undefined, t0, 'utm_source=a.b&utm_medium=email');
    expect(decodeSession(encodeSession(a))).toEqual(a);
    for (const bad of [undefined, '', 'x', 'id.0.1', 'id.1', 'id.one.2']) expect(decodeSession(bad)).toBeUndefined();
  });

  it('gives no session, rather than throwing, for a cookie value that is damaged or not its own', () => {
    const bad = [
      'abc.1700000000000', // too few fields, or an empty one
      '.1.1700000000000',
      'abc..1700000000000',
      'abc.1.',
      'abc.x.1700000000000', // fields that are not positive integers
      'abc.1.now',
      'abc.Infinity.Infinity',
      'abc.1e3.1700000000000',
      'abc.0x10.1700000000000',
      'abc.-1.1700000000000',
      'abc.1. 1700000000000',
      'abc.1.1700000000000x',
    ];
    for (const value of bad) expect(decodeSession(value), value).toBeUndefined();
    // A campaign that is not what campaignOf writes is only another campaign: never an exception.
    for (const campaign of ['%E0', 'utm_source=%', '%C3%28'])
      expect(decodeSession(`abc.2.1700000000000.${campaign}`)).toEqual({
        id: 'abc',
        seq: 2,
        at: 1_700_000_000_000,
        c: campaign,
      });
  });

  it('writes the campaign of any landing URL into a cookie value the browser keeps whole', () => {
    const url = new URL('https://www.edx.org/?utm_source=news; letter&utm_campaign="été", 2026\\x&gclid=a.b');
    const campaign = campaignOf(url);
    const value = encodeSession(nextSession(undefined, t0, campaign));
    expect(value).toMatch(/^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/); // RFC 6265 cookie-octets
    expect(decodeSession(value)?.c).toBe(campaign);
    expect(new URLSearchParams(campaign).get('utm_campaign')).toBe('"été", 2026\\x');
  });
});
