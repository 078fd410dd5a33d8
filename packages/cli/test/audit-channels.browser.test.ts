import { describe, expect, test } from 'vitest';
import { auditedSite, findingLines } from './fixtures/audit-run.js';

// Ways a page reaches a vendor or keeps an id that fire no request DevTools intercepts (WebTransport
// sessions, STUN and TURN servers of a peer connection), cookies Chrome keeps though V8's Date.parse
// would call them deleted or nameless, and frames that never answer the audit; audited in Debian's
// Chromium by the real audit code.
const checks: string[] = [];

// A session to a vendor that need not succeed: the attempt leaves the page (a QUIC Initial to 4433).
const transport = (path: string) =>
  `new WebTransport('https://wt.elsewhere.test:4433/${path}?uid=1').ready.catch(() => {});`;

const site = auditedSite((url, { page, js, res }) => {
  const frameOrigin = site.origin('127.0.0.1');
  if (url.pathname === '/rtc-check') checks.push(decodeURIComponent(url.search.slice(1)));
  if (url.pathname === '/webtransport')
    // From the page, its dedicated worker (once it has started: see the README's "Not seen"), a
    // shared worker as it starts and a frame of another site (each in a secure context:
    // localhost and 127.0.0.1 over http are).
    page(`<script>${transport('page')}
          const worker = new Worker('/wt-worker.js');
          worker.onmessage = () => setTimeout(() => worker.postMessage('go'), 300);
          new SharedWorker('/wt-shared.js');
        </script><iframe src="${frameOrigin}/wt-frame"></iframe>`);
  else if (url.pathname === '/wt-worker.js')
    js(`postMessage('started'); onmessage = () => { ${transport('worker')} };`);
  else if (url.pathname === '/wt-shared.js') js(transport('shared'));
  else if (url.pathname === '/wt-frame') page(`<script>${transport('frame')}</script>`);
  else if (url.pathname === '/webrtc')
    // STUN and TURN servers a peer connection gathers candidates from: given to the constructor
    // (by every name it goes by), later by setConfiguration, and one a tracker declares.
    page(`<script>
          const gather = (pc) => { pc.createDataChannel('x'); pc.createOffer().then((o) => pc.setLocalDescription(o)); };
          gather(new RTCPeerConnection({ iceServers: [{ urls: 'stun:stun.elsewhere.test:3478' }] }));
          gather(new webkitRTCPeerConnection({ iceServers: [{
            urls: ['turn:turn.elsewhere.test:3478?transport=udp', 'turns:turns.elsewhere.test'],
            username: 'u', credential: 'c' }] }));
          const later = new RTCPeerConnection();
          later.setConfiguration({ iceServers: [{ urls: 'stun:later.elsewhere.test' }] });
          gather(later);
          gather(new RTCPeerConnection.prototype.constructor({ iceServers: [{ urls: 'stun:proto.elsewhere.test' }] }));
          class Peer extends RTCPeerConnection {}
          gather(new Peer({ iceServers: [{ urls: 'stun:sub.elsewhere.test' }] }));
          gather(new RTCPeerConnection({ iceServers: [{ urls: 'stun:cdn.vendor.optin.test' }] }));
          // Servers named on the first reading only: the browser is handed what the audit read.
          let readings = 0;
          const once = new RTCPeerConnection({
            get iceServers() { return readings++ ? [] : [{ urls: 'stun:once.elsewhere.test' }]; },
          });
          gather(once);
          // A server by the legacy single \`url\` Chrome still accepts, a configuration whose
          // getters read private fields (they throw for any other object) and a frozen one.
          const legacy = new RTCPeerConnection({ iceServers: [{ url: 'stun:legacy.elsewhere.test' }] });
          gather(legacy);
          class Configuration {
            #policy = 'max-bundle';
            #servers = [{ urls: 'stun:private.elsewhere.test' }];
            get bundlePolicy() { return this.#policy; }
            get iceServers() { return this.#servers; }
          }
          const privately = new RTCPeerConnection(new Configuration());
          gather(privately);
          const frozen = (value) => Object.freeze(value);
          gather(new RTCPeerConnection(frozen({ iceServers: frozen([frozen({ urls: 'stun:frozen.elsewhere.test' })]) })));
          // The page's peer connections work as before.
          fetch('/rtc-check?' + encodeURIComponent(JSON.stringify([
            once.getConfiguration().iceServers.map((s) => s.urls).join(' '),
            later.getConfiguration().iceServers.map((s) => s.urls).join(' '),
            new Peer() instanceof RTCPeerConnection && new RTCPeerConnection() instanceof Peer === false,
            typeof RTCPeerConnection.generateCertificate,
            RTCPeerConnection.name,
            legacy.getConfiguration().iceServers.map((s) => s.urls).join(' '),
            privately.getConfiguration().bundlePolicy,
            privately.getConfiguration().iceServers.map((s) => s.urls).join(' '),
          ])));
        </script>`);
  else if (url.pathname === '/cookies')
    // Cookies Chrome keeps, which the page reads and sends, then deletes before the page settles:
    // an Expires that is no cookie date (a session cookie), a two-digit year 60 (2060), by script
    // and by header, and a nameless cookie.
    page(`<script>
          document.cookie = 'zero=1; path=/; expires=0';
          document.cookie = 'sixty=1; path=/; expires=Fri, 01 Jan 60 00:00:00 GMT';
          document.cookie = 'abc123uid; path=/';
          fetch('/expires-header').then(() => fetch('/collect?' + encodeURIComponent(document.cookie))).finally(() => {
            for (const name of ['zero=', 'sixty=', 'hdr=', 'x']) document.cookie = name + '; path=/; max-age=0';
          });
        </script>`);
  else if (url.pathname === '/expires-header')
    res.writeHead(204, { 'set-cookie': 'hdr=1; Path=/; Expires=Fri, 01 Jan 60 00:00:00 GMT' }).end();
  else if (url.pathname === '/busy-frame') page(`<iframe src="${site.origin('frame.elsewhere.test')}/busy"></iframe>`);
  else if (url.pathname === '/busy' || url.pathname === '/busy-page')
    // Keeps its thread busy from a moment after load on, for good.
    page(`<script>addEventListener('load', () => setTimeout(() => { for (;;) {} }, 200));</script>`);
}, 1500);
const findings = findingLines;

describe('optin audit sees what reaches a vendor without a request', () => {
  test('WebTransport sessions of a page, its workers and its frames are requests to their URLs', async () => {
    const report = await site.run('localhost', '/webtransport');
    expect(findings(report)).toEqual([
      // The frame's own document: a site the page embeds.
      'undeclared_request http://127.0.0.1/wt-frame',
      'undeclared_request https://wt.elsewhere.test/frame?uid=1',
      'undeclared_request https://wt.elsewhere.test/page?uid=1',
      'undeclared_request https://wt.elsewhere.test/shared?uid=1',
      'undeclared_request https://wt.elsewhere.test/worker?uid=1',
    ]);
  });

  test('STUN and TURN servers a peer connection is given are requests to their hosts', async () => {
    const report = await site.run('www.optin.test', '/webrtc');
    expect(findings(report)).toEqual([
      'request_without_consent stun:cdn.vendor.optin.test',
      'undeclared_request stun:frozen.elsewhere.test',
      'undeclared_request stun:later.elsewhere.test',
      'undeclared_request stun:legacy.elsewhere.test',
      'undeclared_request stun:once.elsewhere.test',
      'undeclared_request stun:private.elsewhere.test',
      'undeclared_request stun:proto.elsewhere.test',
      'undeclared_request stun:stun.elsewhere.test',
      'undeclared_request stun:sub.elsewhere.test',
      'undeclared_request turn:turn.elsewhere.test?transport=udp',
      'undeclared_request turns:turns.elsewhere.test',
    ]);
    const stun = report.findings.find((f) => f.subject === 'stun:stun.elsewhere.test:3478');
    expect(stun?.message).toBe(
      'stun.elsewhere.test is contacted but no tracker declares it: add it to the hosts of the tracker that loads it.',
    );
    expect(JSON.stringify(report)).not.toContain('credential');
    expect(checks).toEqual([
      JSON.stringify([
        'stun:once.elsewhere.test',
        'stun:later.elsewhere.test',
        true,
        'function',
        'RTCPeerConnection',
        'stun:legacy.elsewhere.test',
        'max-bundle',
        'stun:private.elsewhere.test',
      ]),
    ]);
  });
});

describe('optin audit reads cookie writes as Chrome does', () => {
  test('an Expires that is no cookie date, a two-digit year and a nameless cookie are cookies set', async () => {
    const report = await site.run('www.optin.test', '/cookies');
    expect(findings(report)).toEqual([
      'undeclared_cookie @www.optin.test',
      'undeclared_cookie hdr@www.optin.test',
      'undeclared_cookie sixty@www.optin.test',
      'undeclared_cookie zero@www.optin.test',
    ]);
    expect(report.findings.find((f) => f.subject === '@www.optin.test')?.message).toBe(
      "A cookie without a name (on www.optin.test, its value alone: document.cookie = 'id') is set but no tracker declares it: declare it with its purpose and lifetime.",
    );
  });
});

describe('optin audit finishes when a frame never answers', () => {
  test('a frame of another site that keeps its thread busy is reported unresponsive', { timeout: 45_000 }, async () => {
    const report = await site.run('www.optin.test', '/busy-frame', 500);
    expect(findings(report)).toEqual([
      'undeclared_request http://frame.elsewhere.test/busy',
      'unresponsive_frame http://frame.elsewhere.test/busy',
    ]);
    expect(report.findings.find((f) => f.kind === 'unresponsive_frame')?.message).toMatch(
      /^This frame did not answer the audit within 5 s: its storage was not read/,
    );
  });

  test('a page that keeps its thread busy is reported unresponsive', { timeout: 45_000 }, async () => {
    const report = await site.run('www.optin.test', '/busy-page', 500);
    expect(findings(report)).toEqual(['unresponsive_frame http://www.optin.test/busy-page']);
  });
});
