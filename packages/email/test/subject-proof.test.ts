import { describe, expect, it } from 'vitest';
import {
  createEmailSigner,
  createEmailVerifier,
  createSubjectVerifier,
  EmailError,
  maxSubjectProofChars,
  sealSubject,
} from '../src/index.js';
import { secret } from './support.js';

const old = secret();
const current = secret();
const keys = { 'edx-2025': old, 'edx-2026': current };

describe('sealSubject / createSubjectVerifier', () => {
  it('proves exactly the subject it was made for, under every kid the verifier holds (rotation)', () => {
    const verifier = createSubjectVerifier({ keys });
    const proof = sealSubject('lms-user-8842', { keys, activeKid: 'edx-2026' });
    const before = sealSubject('lms-user-8842', { keys: { 'edx-2025': old }, activeKid: 'edx-2025' });
    expect(verifier.verify('lms-user-8842', proof)).toEqual({ ok: true, kid: 'edx-2026' });
    expect(verifier.verify('lms-user-8842', before)).toEqual({ ok: true, kid: 'edx-2025' });
    expect(verifier.verify('lms-user-8843', proof)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifier.verify('LMS-USER-8842', proof)).toEqual({ ok: false, reason: 'bad_signature' });
    // The retired kid dropped: its proofs no longer prove anything.
    expect(createSubjectVerifier({ keys: { 'edx-2026': current } }).verify('lms-user-8842', before)).toEqual({
      ok: false,
      reason: 'unknown_kid',
    });
    expect(proof).toMatch(/^[\w-]+$/);
  });

  it('takes no forgery: any edit, another secret under the same kid, or something that is no proof', () => {
    const verifier = createSubjectVerifier({ keys });
    const proof = sealSubject('ada', { keys, activeKid: 'edx-2026' });
    const forged = sealSubject('ada', { keys: { 'edx-2026': secret() }, activeKid: 'edx-2026' });
    expect(verifier.verify('ada', forged)).toEqual({ ok: false, reason: 'bad_signature' });
    for (let i = 0; i < proof.length; i++) {
      const edited = proof.slice(0, i) + (proof[i] === 'A' ? 'B' : 'A') + proof.slice(i + 1);
      expect(verifier.verify('ada', edited).ok).toBe(false);
    }
    for (const notProof of [undefined, null, ''])
      expect(verifier.verify('ada', notProof)).toEqual({ ok: false, reason: 'missing' });
    for (const notProof of [
      42,
      {},
      'not a proof!',
      proof + 'AA',
      proof.slice(0, -2),
      'x'.repeat(maxSubjectProofChars + 1),
    ])
      expect(verifier.verify('ada', notProof)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('is never an email token MAC: the same secret signs both, under keys derived for each use', () => {
    const signer = createEmailSigner({ keys, activeKid: 'edx-2026', baseUrl: 'https://t.edx.org' });
    const pixel = signer.pixelUrl({ messageId: 'm', recipient: 'ada@example.org', subject: 'ada' });
    const token = pixel.slice(pixel.lastIndexOf('/') + 1);
    expect(createEmailVerifier({ platformKeys: keys }).verify(token, 'open').ok).toBe(true);
    expect(createSubjectVerifier({ keys }).verify('ada', token).ok).toBe(false);
  });

  it('expires at expiresAt', () => {
    let now = Date.parse('2026-12-01T10:00:00Z');
    const verifier = createSubjectVerifier({ keys, now: () => now });
    const proof = sealSubject('ada', { keys, activeKid: 'edx-2026', expiresAt: new Date('2026-12-01T11:00:00Z') });
    expect(verifier.verify('ada', proof).ok).toBe(true);
    now = Date.parse('2026-12-01T11:00:00Z');
    expect(verifier.verify('ada', proof)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses what cannot make a proof, naming it and never the secret', () => {
    const cases: [() => unknown, string, string][] = [
      [() => sealSubject('', { keys, activeKid: 'edx-2026' }), 'invalid_argument', 'subject'],
      [() => sealSubject('x'.repeat(201), { keys, activeKid: 'edx-2026' }), 'invalid_argument', 'subject'],
      [() => sealSubject('ada', { keys, activeKid: 'edx-2027' }), 'invalid_option', 'activeKid'],
      [
        () => sealSubject('ada', { keys: { 'edx-2026': 'short' }, activeKid: 'edx-2026' }),
        'invalid_key',
        'keys.edx-2026',
      ],
      [() => sealSubject('ada', { keys, activeKid: 'edx-2026', expiresAt: Number.NaN }), 'invalid_option', 'expiresAt'],
      [() => createSubjectVerifier({ keys: {} }), 'invalid_key', 'keys'],
    ];
    for (const [fn, code, path] of cases) {
      const error = (() => {
        try {
          fn();
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(EmailError);
      expect({ code: (error as EmailError).code, path: (error as EmailError).path }).toEqual({ code, path });
      expect((error as EmailError).message).not.toContain(current);
    }
  });
});
