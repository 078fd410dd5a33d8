import { describe, expect, it } from 'vitest';
import {
  createEmailSigner,
  createEmailVerifier,
  EmailError,
  sealSubject,
  type EmailErrorCode,
  type EmailKeys,
  type EmailSignerOptions,
  type EmailVerifierOptions,
  type MemberKeys,
  type MessageMeta,
} from '../src/index.js';
import { randomBytes } from 'node:crypto';
import { secret } from './support.js';

const key = secret();
const options = { memberId: 'HarvardX', keys: { 'hx-2026': key }, activeKid: 'hx-2026', baseUrl: 'https://t.edx.org' };
const signer = createEmailSigner(options);
const meta = { messageId: 'm-1', recipient: 'ada@example.org' };

function thrown(fn: () => unknown): EmailError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EmailError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

function expectError(fn: () => unknown, code: EmailErrorCode, path: string): EmailError {
  const error = thrown(fn);
  expect({ code: error.code, path: error.path }).toEqual({ code, path });
  expect(error.hint.length).toBeGreaterThan(0);
  expect(error.message).not.toContain('ada@example.org');
  expect(error.message).not.toContain(key);
  return error;
}

describe('createEmailSigner', () => {
  it('refuses to sign anything but an absolute http(s) URL', () => {
    for (const url of [
      'javascript:alert(1)',
      'data:text/html,x',
      'mailto:a@b.org',
      'tel:+1',
      'ftp://x.org/',
      '/relative',
      '//x.org/',
      '',
      'https://',
    ])
      expectError(() => signer.clickUrl(url, meta), 'invalid_url', 'url');
    expectError(() => signer.clickUrl(`https://x.org/${'a'.repeat(5000)}`, meta), 'invalid_url', 'url');
  });

  it('refuses a target URL that carries the recipient address, in any case or encoding', () => {
    for (const url of [
      'https://x.org/?e=ada@example.org',
      'https://x.org/?e=ADA@Example.ORG',
      'https://x.org/?e=ada%40example.org',
      'https://x.org/?e=ada%2540example.org',
      'https://x.org/u/ada@example.org/',
    ])
      expectError(() => signer.clickUrl(url, meta), 'recipient_in_url', 'url');
    // The same address typed decomposed (macOS, some forms), or with its domain in punycode.
    const jose = { ...meta, recipient: 'jose\u0301@bücher.example' };
    for (const url of [
      'https://x.org/?e=jose\u0301@bücher.example',
      'https://x.org/?e=jos\u00e9@bücher.example',
      'https://x.org/?e=jos%C3%A9%40xn--bcher-kva.example',
    ])
      expectError(() => signer.clickUrl(url, jose), 'recipient_in_url', 'url');
    expectError(
      () => signer.pixelUrl({ ...jose, messageId: 'jose\u0301@bücher.example' }),
      'invalid_meta',
      'meta.messageId',
    );
  });

  it('refuses the address in either form of its international domain, whichever form the recipient is in', () => {
    // A mail system that stores domains in ASCII (punycode) sends to `ada@xn--bcher-kva.example`;
    // the template's link has the address as the learner typed it, in Unicode.
    const ascii = { ...meta, recipient: 'ada@xn--bcher-kva.example' };
    for (const url of [
      'https://www.edx.org/unsubscribe?email=ada@bücher.example',
      'https://www.edx.org/unsubscribe?email=ada%40b%C3%BCcher.example',
      'https://www.edx.org/unsubscribe?email=ADA@BÜCHER.example',
    ])
      expectError(() => signer.clickUrl(url, ascii), 'recipient_in_url', 'url');
    const html = '<a href="https://www.edx.org/unsubscribe?email=ada@bücher.example">Unsubscribe</a>';
    expect(signer.rewriteHtml(html, ascii)).toContain(html);
    expectError(
      () => signer.pixelUrl({ ...ascii, messageId: 'm-ada@bücher.example' }),
      'invalid_meta',
      'meta.messageId',
    );
    // Label by label: one label in punycode, the other in Unicode; the ideographic full stop is a dot.
    const cjk = { ...meta, recipient: 'ada@xn--fsqu00a.xn--0zwm56d' };
    for (const url of [
      'https://x.org/?e=ada@例子.测试',
      'https://x.org/?e=ada@例子.xn--0zwm56d',
      'https://x.org/?e=ada@xn--fsqu00a.测试',
      'https://x.org/?e=ada@例子。测试',
    ])
      expectError(() => signer.clickUrl(url, cjk), 'recipient_in_url', 'url');
    // Characters IDNA ignores (a soft hyphen) do not hide the domain.
    expectError(() => signer.clickUrl('https://x.org/?e=ada@ex%C2%ADample.org', meta), 'recipient_in_url', 'url');
    // Another address, or `xn--` that starts no label, still signs.
    expect(signer.clickUrl('https://x.org/?e=bob@bücher.example', ascii)).toMatch(/\/e\/c\//);
    expect(signer.clickUrl('https://x.org/?e=adaxn--bcher-kva.example', ascii)).toMatch(/\/e\/c\//);
  });

  it('refuses the address percent-encoded in Latin-1, or split by escapes that do not decode', () => {
    const latin = { ...meta, recipient: 'josé@example.org' };
    for (const url of [
      'https://x.org/?e=jos%E9%40example.org',
      'https://x.org/?e=jos%e9@example.org',
      'https://x.org/?e=jos%25E9%2540example.org',
    ])
      expectError(() => signer.clickUrl(url, latin), 'recipient_in_url', 'url');
    for (const url of [
      'https://x.org/?e=%FF%61da%40example.org',
      'https://x.org/?e=ad%FFa%40example.org',
      'https://x.org/?e=ad%C3a@example.org',
      'https://x.org/?e=ada%%40example.org',
      'https://x.org/?e=ad%25FFa%2540example.org',
    ])
      expectError(() => signer.clickUrl(url, meta), 'recipient_in_url', 'url');
    const html = '<a href="https://x.org/?e=%FF%61da%40example.org">x</a>';
    expect(signer.rewriteHtml(html, meta)).toContain('href="https://x.org/?e=%FF%61da%40example.org"');
    // Escapes that carry no address still sign.
    expect(signer.clickUrl('https://x.org/?e=%FF%E9%40example.org', meta)).toMatch(/\/e\/c\//);
  });

  it('refuses the address base64- or base64url-encoded, in any letter case, wherever it sits in the URL', () => {
    const b64 = (text: string, encoding: 'base64' | 'base64url' = 'base64') => Buffer.from(text).toString(encoding);
    for (const url of [
      `https://x.org/u?e=${b64('ada@example.org')}`,
      `https://x.org/u?e=${b64('ada@example.org', 'base64url')}`,
      `https://x.org/u?e=${encodeURIComponent(b64('ADA@Example.ORG'))}`,
      `https://x.org/u?e=${b64('ada@example.org').replace(/=+$/, '')}&x=1`,
      `https://x.org/u/${b64('ada@example.org', 'base64url')}/edit`,
      `https://x.org/u?t=${b64('{"email":"Ada@example.org","course":"cs50"}', 'base64url')}`,
      `https://x.org/u?e=${b64('ada%40example.org')}`,
      `https://x.org/u#e=${b64('xada@example.org')}`,
    ])
      expectError(() => signer.clickUrl(url, meta), 'recipient_in_url', 'url');
    const html = `<a href="https://x.org/u?e=${b64('ada@example.org', 'base64url')}">x</a>`;
    expect(signer.rewriteHtml(html, meta)).toContain(html);
    expectError(
      () => signer.pixelUrl({ ...meta, messageId: b64('ada@example.org') }),
      'invalid_meta',
      'meta.messageId',
    );
    // Another address, and base64 that happens to be plain words, still sign.
    expect(signer.clickUrl(`https://x.org/u?e=${b64('bob@example.org')}`, meta)).toMatch(/\/e\/c\//);
    expect(signer.clickUrl('https://x.org/course/HarvardX+CS50+X/block-v1:week3', meta)).toMatch(/\/e\/c\//);
  });

  it('takes the recipient only as a bare address, never with a display name or as a list', () => {
    for (const recipient of [
      'Ada Lovelace <ada@example.org>',
      '"Ada" <ada@example.org>',
      '<ada@example.org>',
      'ada@example.org (Ada)',
      'ada@example.org, bob@example.org',
      'ada@example.org;bob@example.org',
      'Ada Lovelace ＜ada@example.org＞',
      'ada',
      '@example.org',
      'ada@',
    ]) {
      expectError(() => signer.pixelUrl({ ...meta, recipient }), 'invalid_meta', 'meta.recipient');
      expectError(() => signer.clickUrl('https://x.org/', { ...meta, recipient }), 'invalid_meta', 'meta.recipient');
      expectError(() => signer.rewriteHtml('<p>x</p>', { ...meta, recipient }), 'invalid_meta', 'meta.recipient');
      expectError(() => signer.pseudonym(recipient), 'invalid_argument', 'recipient');
    }
    // Every bare address still signs: quoted local parts, tags, international and literal domains.
    for (const recipient of [
      ' Ada.Lovelace+CS50@Example.ORG ',
      '"ada lovelace"@example.org',
      "o'brien!#$%&*/=?^_`{|}~@example.org",
      'josé@bücher.example',
      'ada@[192.0.2.1]',
      'ａｄａ@ｅｘａｍｐｌｅ．ｏｒｇ',
    ])
      expect(signer.pixelUrl({ ...meta, recipient })).toMatch(/\/e\/o\//);
  });

  it('refuses ids that carry the address, and bad times', () => {
    expectError(
      () => signer.pixelUrl({ ...meta, messageId: 'welcome-ada@example.org' }),
      'invalid_meta',
      'meta.messageId',
    );
    expectError(() => signer.pixelUrl({ ...meta, campaign: 'x-ADA@EXAMPLE.ORG' }), 'invalid_meta', 'meta.campaign');
    expectError(() => signer.pixelUrl({ ...meta, messageId: '' }), 'invalid_meta', 'meta.messageId');
    expectError(() => signer.pixelUrl({ ...meta, subject: 'ada@example.org' }), 'invalid_meta', 'meta.subject');
    expectError(() => signer.pixelUrl({ ...meta, recipient: ' ' }), 'invalid_meta', 'meta.recipient');
    expectError(() => signer.pixelUrl({ ...meta, sentAt: 2e12, expiresAt: 1e12 }), 'invalid_meta', 'meta.expiresAt');
    expectError(() => signer.pixelUrl({ ...meta, expiresAt: Number.NaN }), 'invalid_meta', 'meta.expiresAt');
  });

  it('takes sentAt and expiresAt only as a Date or a finite number: a typed error, never a TypeError', () => {
    for (const value of [
      10n,
      Symbol('t'),
      '2030-01-01',
      '1900000000000',
      { valueOf: () => 2e12 },
      new Number(2e12),
      true,
    ]) {
      const error = expectError(
        () => signer.pixelUrl({ ...meta, sentAt: value as unknown as number }),
        'invalid_meta',
        'meta.sentAt',
      );
      expect(error.hint).toMatch(/Date/);
      expectError(
        () => signer.pixelUrl({ ...meta, expiresAt: value as unknown as number }),
        'invalid_meta',
        'meta.expiresAt',
      );
    }
    const clock = createEmailSigner({ ...options, now: () => 10n as unknown as number });
    expectError(() => clock.pixelUrl(meta), 'invalid_meta', 'meta.sentAt');
    expect(signer.pixelUrl({ ...meta, sentAt: new Date(2e12), expiresAt: 2.1e12 })).toMatch(/\/e\/o\//);
  });

  it('refuses to sign for another Member', () => {
    expectError(() => signer.pixelUrl({ ...meta, member: 'MITx' }), 'member_mismatch', 'meta.member');
    expect(signer.pixelUrl({ ...meta, member: 'HarvardX' })).toMatch(/^https:\/\/t\.edx\.org\/e\/o\/[A-Za-z0-9_-]+$/);
  });

  it('refuses weak keys, malformed kids, a missing active kid and a bad baseUrl', () => {
    expectError(() => createEmailSigner({ ...options, keys: { 'hx-2026': 'short' } }), 'invalid_key', 'keys.hx-2026');
    expectError(() => createEmailSigner({ ...options, keys: { 'hx 2026': key } }), 'invalid_key', 'keys[0]');
    expectError(() => createEmailSigner({ ...options, keys: {} }), 'invalid_key', 'keys');
    expectError(() => createEmailSigner({ ...options, activeKid: 'hx-2027' }), 'invalid_option', 'activeKid');
    expectError(() => createEmailSigner({ ...options, pseudonymKey: 'short' }), 'invalid_key', 'pseudonymKey');
    for (const baseUrl of ['t.edx.org', 'javascript:x', 'https://t.edx.org/?a=1', 'https://u:p@t.edx.org'])
      expectError(() => createEmailSigner({ ...options, baseUrl }), 'invalid_option', 'baseUrl');
    expectError(() => createEmailVerifier({}), 'invalid_option', 'members');
    // Options from JavaScript (or JSON) that the types rule out: still a typed error, never a TypeError.
    expectError(() => createEmailSigner({ ...options, keys: null as unknown as EmailKeys }), 'invalid_key', 'keys');
    expectError(
      () => createEmailVerifier({ members: { HarvardX: undefined as unknown as MemberKeys } }),
      'invalid_key',
      'members.HarvardX.keys',
    );
    expectError(
      () => createEmailSigner({ ...options, memberId: 5 as unknown as string }),
      'invalid_option',
      'memberId',
    );
    expectError(
      () => createEmailSigner({ ...options, activeKid: 5 as unknown as string }),
      'invalid_option',
      'activeKid',
    );
    expectError(() => createEmailSigner({ ...options, baseUrl: 5 as unknown as string }), 'invalid_option', 'baseUrl');
    expectError(
      () => createEmailSigner({ ...options, pseudonymKey: 5 as unknown as string }),
      'invalid_key',
      'pseudonymKey',
    );
    expectError(() => createEmailSigner({ ...options, now: 5 as unknown as () => number }), 'invalid_option', 'now');
    expectError(() => createEmailSigner(undefined as unknown as EmailSignerOptions), 'invalid_option', 'options');
    expectError(() => createEmailVerifier(null as unknown as EmailVerifierOptions), 'invalid_option', 'options');
    expectError(
      () => createEmailVerifier({ platformKeys: { k: key }, now: 'now' as unknown as () => number }),
      'invalid_option',
      'now',
    );
    expect(createEmailSigner({ ...options, memberId: null as unknown as string }).memberId).toBeNull();
    expectError(() => signer.pixelUrl(undefined as unknown as MessageMeta), 'invalid_meta', 'meta');
    expectError(() => signer.rewriteHtml('<p>x</p>', null as unknown as MessageMeta), 'invalid_meta', 'meta');
  });

  it('never repeats a secret given as a key id (a key map written the wrong way round)', () => {
    const hex = randomBytes(32).toString('hex'); // `openssl rand -hex 32`: a well-formed key id too
    const cases: [() => unknown, string, string][] = [
      [() => createEmailSigner({ ...options, keys: { [key]: 'hx-2026' } }), 'keys[0]', key],
      [() => createEmailSigner({ ...options, keys: { 'hx-2025': key, [key]: 'hx-2026' } }), 'keys[1]', key],
      [() => createEmailSigner({ ...options, keys: { [hex]: 'hx-2026' } }), 'keys[0]', hex],
      // A secret short of 32 bytes, mapped to a key id: too short a secret for the value, yet never shown.
      [
        () => createEmailSigner({ ...options, keys: { Zm9vYmFyYmF6cXV4MTIzNDU2: 'hx-2026' } }),
        'keys[0]',
        'Zm9vYmFyYmF6cXV4MTIzNDU2',
      ],
      [
        () => createEmailVerifier({ members: { HarvardX: { keys: { [key]: 'hx-2026' } } } }),
        'members.HarvardX.keys[0]',
        key,
      ],
      [() => createEmailVerifier({ platformKeys: { [hex]: 'edx-2026' } }), 'platformKeys[0]', hex],
      [() => sealSubject('lms-user-1', { keys: { [key]: 'edx-2026' }, activeKid: 'edx-2026' }), 'keys[0]', key],
    ];
    for (const [fn, path, given] of cases) {
      const error = expectError(fn, 'invalid_key', path);
      expect(error.message).not.toContain(given);
      expect(error.path).not.toContain(given);
    }
    const misnamed = expectError(
      () => createEmailSigner({ ...options, keys: { [key]: 'hx-2026' } }),
      'invalid_key',
      'keys[0]',
    );
    expect(misnamed.message).toMatch(/not a valid key id .*not shown/);
    expect(misnamed.hint).toMatch(/the other way round/);
    // A key id of 16 bytes or more mapped to a short value shaped as a key id: by position, saying which.
    const ambiguous = expectError(
      () =>
        createEmailSigner({
          ...options,
          keys: { 'hx-2025': key, 'harvardx-email-2026-rotation-b': 'dev-secret' },
          activeKid: 'hx-2025',
        }),
      'invalid_key',
      'keys[1]',
    );
    expect(ambiguous.message).toContain('the 2nd key (its id is not shown');
    expect(ambiguous.message).toMatch(/wrong way round\?\) must be a string of at least 32 bytes/);
    expect(ambiguous.message).not.toContain('harvardx-email-2026-rotation-b');
    // A well-formed key id short of a secret's length is still named.
    expectError(() => createEmailSigner({ ...options, keys: { 'hx-2026': 'short' } }), 'invalid_key', 'keys.hx-2026');
  });

  it('refuses members, or keys, given as a list instead of a map, at their path', () => {
    // `members` maps each Member id to its keys: a list (or a string) has no Member ids, and was
    // read as none, or as Members "0", "1", ...; a list of secrets would sign under kid "0".
    for (const members of [[{ keys: { 'hx-2026': key } }], 'HarvardX', 5, true]) {
      const error = expectError(
        () => createEmailVerifier({ members: members as unknown as NonNullable<EmailVerifierOptions['members']> }),
        'invalid_option',
        'members',
      );
      expect(error.hint).toMatch(/HarvardX: \{ keys/);
    }
    expectError(
      () => createEmailVerifier({ platformKeys: [key] as unknown as EmailKeys }),
      'invalid_key',
      'platformKeys',
    );
    expectError(
      () => createEmailVerifier({ members: { HarvardX: { keys: [key] as unknown as EmailKeys } } }),
      'invalid_key',
      'members.HarvardX.keys',
    );
    expectError(() => createEmailSigner({ ...options, keys: [key] as unknown as EmailKeys }), 'invalid_key', 'keys');
  });

  it('refuses an html or a recipient that is not text with a typed error, never a TypeError', () => {
    for (const html of [undefined, 5, { toString: () => '<p>x</p>' }])
      expectError(() => signer.rewriteHtml(html as unknown as string, meta), 'invalid_argument', 'html');
    for (const recipient of [undefined, null, 5, '', '  '])
      expectError(() => signer.pseudonym(recipient as unknown as string), 'invalid_argument', 'recipient');
    expect(signer.pseudonym('ADA@example.org ')).toBe(signer.pseudonym('ada@example.org'));
  });

  it('joins the baseUrl path and signs the normalised URL', () => {
    const prefixed = createEmailSigner({ ...options, baseUrl: 'https://edx.org/collect/' });
    const url = prefixed.clickUrl('  HTTPS://Example.ORG/a b  ', meta);
    expect(url).toMatch(/^https:\/\/edx\.org\/collect\/e\/c\/[A-Za-z0-9_-]+$/);
    const verifier = createEmailVerifier({ members: { HarvardX: { keys: { 'hx-2026': key } } } });
    expect(verifier.verify(url.split('/').pop()!, 'click')).toMatchObject({
      ok: true,
      url: 'https://example.org/a%20b',
    });
  });

  it('is deterministic: the same message signs to the same URL', () => {
    const fixed = { ...meta, sentAt: new Date('2026-11-29T00:00:00Z') };
    expect(signer.clickUrl('https://x.org/', fixed)).toBe(signer.clickUrl('https://x.org/', fixed));
  });

  it('gives one pseudonym to every form of one address: punycode or Unicode domain, full-width or plain', () => {
    expect(signer.pseudonym('ada@xn--bcher-kva.example')).toBe(signer.pseudonym('ada@bücher.example'));
    expect(signer.pseudonym('ADA@BÜCHER.EXAMPLE')).toBe(signer.pseudonym('ada@bücher.example'));
    expect(signer.pseudonym('ada@xn--fsqu00a.xn--0zwm56d')).toBe(signer.pseudonym('ada@例子。测试'));
    expect(signer.pseudonym('ａｄａ@ｅｘａｍｐｌｅ．ｏｒｇ')).toBe(signer.pseudonym('ada@example.org'));
    expect(signer.pseudonym('ada@bücher.example')).not.toBe(signer.pseudonym('ada@bucher.example'));
  });

  it('keeps the pseudonyms of plain addresses as they were (values pinned before NFKC and IDNA)', () => {
    const pinned = createEmailSigner({
      keys: { 'k-2026': 'pinned-test-secret-0123456789-abcdefghij' },
      activeKid: 'k-2026',
      baseUrl: 'https://t.edx.org',
    });
    expect(pinned.pseudonym('ada@example.org')).toBe('TV-DTF1MeFR8_CGRyB-k1Q');
    expect(pinned.pseudonym(' Ada.Lovelace+CS50@Example.ORG ')).toBe('l6MxLqxlsqxQIq1RQoguLw');
    // An ASCII domain is kept as typed, even one a URL parser would read as an IPv4 address.
    expect(pinned.pseudonym('x@0x7f.1')).toBe('TrqkcrjuMmoI_vpsSzzTmA');
    // Unicode already in its plain form keeps its pseudonym too.
    expect(pinned.pseudonym('jos\u00e9@b\u00fccher.example')).toBe('kkjUAgYLneqwNjOtpvZjRQ');
  });

  it('keeps pseudonyms stable across rotation when given a pseudonymKey', () => {
    const pseudonymKey = secret();
    const a = createEmailSigner({ ...options, pseudonymKey });
    const b = createEmailSigner({ ...options, keys: { 'hx-2027': secret() }, activeKid: 'hx-2027', pseudonymKey });
    expect(a.pseudonym('ada@example.org')).toBe(b.pseudonym('Ada@Example.org'));
    expect(signer.pseudonym('ada@example.org')).not.toBe(a.pseudonym('ada@example.org'));
  });
});
