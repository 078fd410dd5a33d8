import { describe, expect, it } from 'vitest';
import {
  createEmailSigner,
  createEmailVerifier,
  EmailError,
  type EmailSignerOptions,
  type PrincipalKeys,
} from '../src/index.js';
import { deriveKey } from '../src/keys.js';
import { encodeClaims, sealToken } from '../src/token.js';
import { claimsOf, secret, tokenOf } from './support.js';

// A link under the tracking host that a signer would unwrap (rather than wrap) and re-sign to the
// target inside it. Only a target some key the signer holds signed may be carried over: anyone can
// make up a token, and the host passes any "our links only" filter.
const base = 'https://t.edx.org';
const hxKey = secret();
const mitKey = secret();
const edxKey = secret();
const hxOptions: EmailSignerOptions = {
  memberId: 'HarvardX',
  keys: { 'hx-2026': hxKey },
  activeKid: 'hx-2026',
  baseUrl: base,
};
const harvard = createEmailSigner(hxOptions);
const mit = createEmailSigner({ memberId: 'MITx', keys: { 'mit-1': mitKey }, activeKid: 'mit-1', baseUrl: base });
const platform = createEmailSigner({ keys: { 'edx-1': edxKey }, activeKid: 'edx-1', baseUrl: base });
const collector = createEmailVerifier({
  platformKeys: { 'edx-1': edxKey },
  members: { HarvardX: { keys: { 'hx-2026': hxKey } }, MITx: { keys: { 'mit-1': mitKey } } },
});
const alice = { messageId: 'digest-0', recipient: 'alice@example.org' };
const bob = { messageId: 'digest-1', recipient: 'bob@example.org' };
const evil = 'https://evil.example/login';

function thrown(fn: () => unknown): EmailError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EmailError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

/** Where the collector would send a visitor of the first click link in `html`. */
function redirectOf(html: string): string | undefined {
  const token = /\/e\/c\/([\w-]+)/.exec(html)?.[1];
  const result = token === undefined ? undefined : collector.verify(token, 'click');
  return result?.ok ? result.url : undefined;
}

/** Links to `evil` under the platform's tracking host that no key the signers hold signed. */
function forgeries(): Record<string, string> {
  const madeUp = (memberId?: string, kid = 'k'): string =>
    createEmailSigner({
      ...(memberId === undefined ? {} : { memberId }),
      keys: { [kid]: secret() },
      activeKid: kid,
      baseUrl: base,
    }).clickUrl(evil, alice);
  const genuine = tokenOf(harvard.clickUrl('https://www.edx.org/course/x', alice), base, 'c')!;
  const claims = claimsOf(genuine);
  const mac = Buffer.from(genuine, 'base64url').subarray(-16);
  const swapped = Buffer.concat([encodeClaims({ ...claims, url: evil }), mac]).toString('base64url');
  const inner = madeUp('Nobody');
  const wrapsForged = sealToken({ ...claims, url: inner }, deriveKey(hxKey, 'mac'));
  return {
    'a made-up Member': inner,
    'HarvardX, its kid, a made-up key': madeUp('HarvardX', 'hx-2026'),
    'the platform, a made-up key': madeUp(undefined, 'edx-1'),
    "HarvardX's genuine token with its target swapped": `${base}/e/c/${swapped}`,
    "HarvardX's genuine token wrapping a forged one": `${base}/e/c/${wrapsForged}`,
  };
}

describe('unwrapping a tracked link: only what a key the signer holds signed', () => {
  it('refuses a forged link under the tracking host in clickUrl and rewriteHtml: never a redirect nobody chose', () => {
    for (const [name, forged] of Object.entries(forgeries())) {
      expect(new URL(forged).hostname, name).toBe('t.edx.org');
      const click = thrown(() => harvard.clickUrl(forged, bob));
      expect({ name, code: click.code, path: click.path }).toEqual({ name, code: 'unreadable_token', path: 'url' });
      expect(click.message).not.toContain(forged);
      expect(click.hint).toMatch(/real target/);
      const html = thrown(() => harvard.rewriteHtml(`<p>Notes: <a href="${forged}">see</a></p>`, bob));
      expect({ name, code: html.code, path: html.path }).toEqual({ name, code: 'unreadable_token', path: 'html' });
      // Trusting other principals' keys does not make a forgery pass either.
      const trusting = createEmailSigner({
        ...hxOptions,
        trustedKeys: { platformKeys: { 'edx-1': edxKey }, members: { MITx: { keys: { 'mit-1': mitKey } } } },
      });
      expect(thrown(() => trusting.clickUrl(forged, bob)).code, name).toBe('unreadable_token');
    }
  });

  it('says where in the email the link it cannot unwrap is, so the sender can find it among the others', () => {
    const own = harvard.clickUrl('https://www.edx.org/course/x', alice);
    const forged = forgeries()['HarvardX, its kid, a made-up key']!;
    const html = `<table>\n<tr><td><a href="${own}">Course</a></td></tr>\n<tr><td>\n  <a href="${forged}">Notes</a></td></tr>\n</table>`;
    const error = thrown(() => harvard.rewriteHtml(html, bob));
    expect({ code: error.code, path: error.path }).toEqual({ code: 'unreadable_token', path: 'html' });
    expect(error.message).toContain('line 4, column 6');
    expect(error.message).not.toContain(forged);
  });

  it('still unwraps its own genuine links, however often wrapped, to the target they redirect to', () => {
    const own = harvard.clickUrl('https://www.edx.org/course/x', alice);
    expect(redirectOf(harvard.clickUrl(`${own}?utm_source=x`, bob))).toBe('https://www.edx.org/course/x');
    expect(redirectOf(harvard.rewriteHtml(`<a href="${own}">x</a>`, bob))).toBe('https://www.edx.org/course/x');
    const claims = claimsOf(tokenOf(own, base, 'c')!);
    const twice = `${base}/e/c/${sealToken({ ...claims, url: own }, deriveKey(hxKey, 'mac'))}`;
    expect(redirectOf(harvard.clickUrl(twice, bob))).toBe('https://www.edx.org/course/x');
    // A retired kid the signer still holds still unwraps.
    const rotated = createEmailSigner({
      ...hxOptions,
      keys: { 'hx-2026': hxKey, 'hx-2027': secret() },
      activeKid: 'hx-2027',
    });
    expect(redirectOf(rotated.clickUrl(own, bob))).toBeUndefined(); // the collector does not know hx-2027
    expect(claimsOf(tokenOf(rotated.clickUrl(own, bob), base, 'c')!).url).toBe('https://www.edx.org/course/x');
  });

  it("refuses another principal's genuine link unless its keys are trusted, and then unwraps it", () => {
    const fromPlatform = platform.clickUrl('https://www.edx.org/about', alice);
    const fromMit = mit.clickUrl('https://www.edx.org/mit', alice);
    expect(thrown(() => harvard.clickUrl(fromPlatform, bob)).code).toBe('unreadable_token');
    expect(thrown(() => harvard.clickUrl(fromMit, bob)).code).toBe('unreadable_token');
    const error = thrown(() => harvard.rewriteHtml(`<a href="${fromPlatform}">x</a>`, bob));
    expect(error.message).toMatch(/cannot verify/);
    expect(error.hint).toMatch(/trustedKeys/);

    const trustsPlatform = createEmailSigner({ ...hxOptions, trustedKeys: { platformKeys: { 'edx-1': edxKey } } });
    expect(redirectOf(trustsPlatform.clickUrl(fromPlatform, bob))).toBe('https://www.edx.org/about');
    expect(thrown(() => trustsPlatform.clickUrl(fromMit, bob)).code).toBe('unreadable_token');
    const trustsMit = createEmailSigner({
      ...hxOptions,
      trustedKeys: { members: { MITx: { keys: { 'mit-1': mitKey } } } },
    });
    expect(redirectOf(trustsMit.rewriteHtml(`<a href="${fromMit}">x</a>`, bob))).toBe('https://www.edx.org/mit');
    // The platform's signer may trust Members' keys the same way.
    const trustsHarvard = createEmailSigner({
      keys: { 'edx-1': edxKey },
      activeKid: 'edx-1',
      baseUrl: base,
      trustedKeys: { members: { HarvardX: { keys: { 'hx-2026': hxKey } } } },
    });
    expect(redirectOf(trustsHarvard.clickUrl(harvard.clickUrl('https://www.edx.org/hx', alice), bob))).toBe(
      'https://www.edx.org/hx',
    );
  });

  it('checks trustedKeys like the verifier checks its keys, with a typed error at their path', () => {
    const expectError = (options: Partial<EmailSignerOptions>, code: string, path: string): void => {
      const error = thrown(() => createEmailSigner({ ...hxOptions, ...options }));
      expect({ code: error.code, path: error.path }).toEqual({ code, path });
      expect(error.message).not.toContain(hxKey);
    };
    expectError({ trustedKeys: 'x' as unknown as PrincipalKeys }, 'invalid_option', 'trustedKeys');
    expectError(
      { trustedKeys: { platformKeys: { 'edx-1': 'short' } } },
      'invalid_key',
      'trustedKeys.platformKeys.edx-1',
    );
    expectError({ trustedKeys: { members: { MITx: { keys: {} } } } }, 'invalid_key', 'trustedKeys.members.MITx.keys');
    // Its own keys are `keys`: naming itself again, or a secret it signs with, is a mistake.
    expectError(
      { trustedKeys: { members: { HarvardX: { keys: { x: secret() } } } } },
      'invalid_option',
      'trustedKeys.members.HarvardX',
    );
    expectError({ trustedKeys: { platformKeys: { 'edx-1': hxKey } } }, 'invalid_key', 'trustedKeys.platformKeys.edx-1');
    // A list where a map is expected is a mistake at its path, as in the verifier's options.
    expectError({ trustedKeys: [] as unknown as PrincipalKeys }, 'invalid_option', 'trustedKeys');
    expectError(
      { trustedKeys: { members: [{ keys: { 'mit-1': mitKey } }] as unknown as NonNullable<PrincipalKeys['members']> } },
      'invalid_option',
      'trustedKeys.members',
    );
    expectError(
      { trustedKeys: { platformKeys: [edxKey] as unknown as Record<string, string> } },
      'invalid_key',
      'trustedKeys.platformKeys',
    );
  });
});
