import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEmailSigner,
  createEmailVerifier,
  invalidLinkResponse,
  isMachineClick,
  isMachineOpen,
  pixelResponse,
  redirectResponse,
  transparentGif,
  type EmailResponse,
  type EmailSigner,
  type MachineVerdict,
  type Verification,
} from '../src/index.js';
import { deriveKey } from '../src/keys.js';
import { decodeClaims, encodeClaims, sealToken } from '../src/token.js';
import { courseEmail, newsletter, recipient, tracked } from './fixtures/emails.js';
import { attributes, secret } from './support.js';

const hxKeys = { 'hx-2025': secret(), 'hx-2026': secret() };
const mitKeys = { 'mit-2026': secret() };
const verifier = createEmailVerifier({ members: { HarvardX: { keys: hxKeys }, MITx: { keys: mitKeys } } });

/** What the stand-in collector recorded: one entry a verified request. */
const recorded: Verification[] = [];
/** How the stand-in judged each verified request. */
const verdicts: MachineVerdict[] = [];

/** A stand-in for @optin/collector's two routes, using the package exactly as the collector does. */
function collector(): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = /^\/e\/([oc])\/([^/]+)$/.exec(path);
    let response: EmailResponse;
    if (route?.[1] === 'c') {
      const result = verifier.verify(route[2]!, 'click');
      if (result.ok) {
        recorded.push(result);
        const request = { userAgent: req.headers['user-agent'], method: req.method, headers: req.headers };
        verdicts.push(isMachineClick({ ...request, msSinceSend: Date.now() - result.sentAt.getTime() }));
      }
      response = result.ok ? redirectResponse(result) : invalidLinkResponse();
    } else if (route?.[1] === 'o') {
      const result = verifier.verify(route[2]!, 'open');
      if (result.ok) {
        recorded.push(result);
        const request = {
          userAgent: req.headers['user-agent'],
          ip: req.socket.remoteAddress,
          method: req.method,
          headers: req.headers,
        };
        verdicts.push(isMachineOpen({ ...request, msSinceSend: Date.now() - result.sentAt.getTime() }));
      }
      response = pixelResponse();
    } else {
      response = { status: 404, headers: {}, body: '' };
    }
    res.writeHead(response.status, response.headers).end(response.body);
  });
}

let server: Server;
let base: string;
let harvard: EmailSigner;
let mit: EmailSigner;

beforeAll(async () => {
  server = collector();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  harvard = createEmailSigner({ memberId: 'HarvardX', keys: hxKeys, activeKid: 'hx-2026', baseUrl: base });
  mit = createEmailSigner({ memberId: 'MITx', keys: mitKeys, activeKid: 'mit-2026', baseUrl: base });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

interface Rng {
  nextInt(min: number, max: number): number;
  nextBoolean(): boolean;
}

/** A small seeded PRNG (mulberry32), so the 1,000 forgeries are the same on every run. */
function seeded(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { nextInt: (min, max) => min + Math.floor(next() * (max - min + 1)), nextBoolean: () => next() < 0.5 };
}

const get = (url: string) => fetch(url, { redirect: 'manual' });
const meta = { messageId: 'msg-http-1', recipient, campaign: 'weekly-48' };

describe('over real HTTP', () => {
  it('every link of a rewritten email redirects to its original target, and each click is recorded once', async () => {
    for (const [html, targets] of [
      [newsletter, tracked.newsletter],
      [courseEmail, tracked.courseEmail],
    ] as const) {
      recorded.length = 0;
      const links = attributes(harvard.rewriteHtml(html, meta)).filter(
        (a) => a.tag !== 'img' && a.value.startsWith(`${base}/e/c/`),
      );
      const locations: (string | null)[] = [];
      for (const link of links) {
        const response = await get(link.value);
        expect(response.status).toBe(302);
        expect(response.headers.get('referrer-policy')).toBe('no-referrer');
        locations.push(response.headers.get('location'));
      }
      expect(locations).toEqual(targets);
      expect(recorded.map((r) => (r.ok && r.kind === 'click' ? [r.url, r.memberId, r.messageId] : r))).toEqual(
        targets.map((url) => [url, 'HarvardX', meta.messageId]),
      );
    }
  });

  it('the pixel answers a 1×1 GIF that is never cached, and records the open', async () => {
    recorded.length = 0;
    verdicts.length = 0;
    const response = await get(harvard.pixelUrl(meta));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/gif');
    expect(response.headers.get('cache-control')).toContain('no-store');
    const body = new Uint8Array(await response.arrayBuffer());
    expect(body).toEqual(transparentGif());
    expect(Buffer.from(body.subarray(0, 6)).toString()).toBe('GIF89a');
    expect([body[6], body[8]]).toEqual([1, 1]);
    expect(recorded).toMatchObject([{ ok: true, kind: 'open', memberId: 'HarvardX' }]);
    // Fetched the instant it was signed: what a delivery-time scanner does.
    expect(verdicts).toEqual([{ machine: true, reason: 'too_soon_after_send' }]);
    verdicts.length = 0;
    await (
      await fetch(harvard.pixelUrl({ ...meta, sentAt: Date.now() - 3_600_000 }), {
        headers: { 'user-agent': 'Mozilla/5.0' },
      })
    ).arrayBuffer();
    await (
      await fetch(harvard.pixelUrl({ ...meta, sentAt: Date.now() - 3_600_000 }), { method: 'HEAD' })
    ).arrayBuffer();
    await (
      await fetch(harvard.pixelUrl({ ...meta, sentAt: Date.now() - 3_600_000 }), {
        headers: {
          'user-agent':
            'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
        },
      })
    ).arrayBuffer();
    expect(verdicts).toEqual([
      { machine: true, reason: 'apple_mpp' },
      { machine: true, reason: 'prefetch' },
      { machine: false, proxy: null },
    ]);
  });

  it('1,000 forged links never redirect: 400, the short page, no Location', async () => {
    const targets = tracked.courseEmail;
    const token = (url: string) => url.slice(url.lastIndexOf('/') + 1);
    const genuine = targets.map((t) => token(harvard.clickUrl(t, meta)));
    const forgers: ((rng: Rng) => string)[] = [
      // A mutated token: one character replaced, inserted or deleted, or cut short.
      (rng) => {
        const t = genuine[rng.nextInt(0, genuine.length - 1)]!;
        const i = rng.nextInt(0, t.length - 1);
        const c = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[rng.nextInt(0, 63)]!;
        const edits = [
          t.slice(0, i) + c + t.slice(i + 1),
          t.slice(0, i) + c + t.slice(i),
          t.slice(0, i) + t.slice(i + 1),
          t.slice(0, i),
        ];
        const forged = edits[rng.nextInt(0, 3)]!;
        return forged === t ? `${t}A` : forged;
      },
      // The signed URL swapped for an attacker's, MAC kept.
      (rng) => {
        const bytes = Buffer.from(genuine[rng.nextInt(0, genuine.length - 1)]!, 'base64url');
        const claims = decodeClaims(bytes.subarray(0, -16))!;
        const evil = `https://evil.example/${rng.nextInt(0, 1e6)}?next=${encodeURIComponent(claims.url!)}`;
        return Buffer.concat([encodeClaims({ ...claims, url: evil }), bytes.subarray(-16)]).toString('base64url');
      },
      // Another Member's key, claiming HarvardX.
      (rng) => {
        const claims = decodeClaims(
          Buffer.from(genuine[rng.nextInt(0, genuine.length - 1)]!, 'base64url').subarray(0, -16),
        )!;
        return sealToken(
          { ...claims, kid: 'mit-2026', url: `https://evil.example/${rng.nextInt(0, 1e6)}` },
          deriveKey(mitKeys['mit-2026'], 'mac'),
        );
      },
      // Expired.
      (rng) => {
        const sentAt = Date.now() - 86_400_000 * rng.nextInt(2, 30);
        return token(
          harvard.clickUrl(targets[rng.nextInt(0, targets.length - 1)]!, {
            ...meta,
            sentAt,
            expiresAt: sentAt + 3_600_000,
          }),
        );
      },
      // A key the collector never had (an unknown kid), and an unknown Member.
      (rng) => {
        const rogue = createEmailSigner({
          memberId: rng.nextBoolean() ? 'HarvardX' : 'EvilX',
          keys: { 'hx-2099': secret() },
          activeKid: 'hx-2099',
          baseUrl: base,
        });
        return token(rogue.clickUrl('https://evil.example/', meta));
      },
      // An open token used as a click.
      () => token(mit.pixelUrl(meta)),
    ];
    const rng = seeded(20261129);
    const forged = Array.from({ length: 1000 }, (_, i) => forgers[i % forgers.length]!(rng));
    recorded.length = 0;
    const statuses = new Map<number, number>();
    for (let i = 0; i < forged.length; i += 25) {
      await Promise.all(
        forged.slice(i, i + 25).map(async (t) => {
          const response = await get(`${base}/e/c/${t}`);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          expect(response.headers.get('location')).toBeNull();
          if (response.status === 400) expect(await response.text()).toContain('This link is not valid');
          else await response.arrayBuffer();
        }),
      );
    }
    // A token that truncates to an empty string hits no route (404): it never redirects either.
    expect((statuses.get(400) ?? 0) + (statuses.get(404) ?? 0)).toBe(1000);
    expect(statuses.get(400)).toBeGreaterThanOrEqual(990);
    expect(recorded).toEqual([]);
  }, 60_000);
});
