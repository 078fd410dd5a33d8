import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ObservedCookie, ObservedRequest, ObservedStorage } from './audit-findings.js';
import { cookieWritten } from './cookie-write.js';
import { watchTargets, type TargetCommand } from './devtools-targets.js';
import { domStorageWrite } from './dom-storage-writes.js';
import { observerScript, readWrite } from './page-writes.js';
import { requestsInFlight } from './requests-in-flight.js';
import { setCookieHeaders } from './set-cookie-headers.js';
import { isStorageWrite, storedNow } from './storage-write.js';

/** How long a frame has to answer when the audit reads its storage, in ms. */
export const answerMs = 5000;

/** What a browser context did, as {@link recordActivity} saw it happen. */
export interface Activity {
  /**
   * Every request, in the order made: its URL, body and headers as the browser sends it (a body
   * DevTools does not hand over, a stream's, none), every WebSocket connection (`ws:`, `wss:`,
   * workers' included) and WebTransport session by its URL, and every STUN and TURN server a page
   * or frame handed a peer connection, by its `stun:`, `turn:` or `turns:` URL.
   */
  readonly requests: readonly ObservedRequest[];
  /** Every cookie set, when it was set: by a `Set-Cookie` header, `document.cookie` or `cookieStore.set`. */
  readonly cookies: readonly ObservedCookie[];
  /** Every storage key written, IndexedDB database or Cache Storage cache opened and file made, once each, in the order first seen. */
  readonly storage: readonly ObservedStorage[];
  /** Resolves once every page opened so far is watched and free to run: navigate a new page only then. */
  ready(): Promise<void>;
  /**
   * How many requests have been made so far: give it to {@link Activity.settle} to wait only for
   * those made since (the requests of a document that leaves).
   */
  mark(): number;
  /**
   * Resolves once every request made since `since` (a count of {@link Activity.mark}) has its
   * answer's headers, and with them its `Set-Cookie`, or has failed, and none has been made for a
   * moment; or after `capMs`, with the URLs of the requests still unanswered then. A request the page
   * dropped (a navigation or an `AbortController` cancels it) is not waited for, unless `leaving`: a
   * leaving document drops what it sends, and the network still answers a beacon or a keepalive
   * fetch. A dropped request, or one no page, frame or worker watched reports (its target gone), is
   * never reported.
   */
  settle(capMs: number, since?: number, leaving?: boolean): Promise<string[]>;
  /**
   * Adds what every frame of `page` holds now in storage (written before the audit watched, or by a
   * worker). Resolves with the URLs of the frames that did not answer within {@link answerMs} (one
   * that keeps its thread busy never does): what they hold was not read.
   */
  readStorage(page: Page): Promise<string[]>;
  /**
   * The script URLs of the shared and service workers that ran their first script before they were
   * watched (now and then, on a busy machine, a shared worker: see {@link watchTargets}): what they
   * did then was not seen.
   */
  unwatched(): string[];
}

/**
 * Records what every page, frame and worker of `browser` does, as it does it: requests, WebSocket
 * connections (which fire no request event; those of shared and service workers, which no page
 * reports, too), cookie writes (so that a cookie set, used and deleted, or expiring, before the audit
 * reads the jar is still seen) and storage writes, those made while a document unloads included, in
 * frames of other sites (in processes of their own) too. Call it before the first page opens.
 *
 * Requests are seen where Chromium's network stack sees them, by DevTools request interception on
 * the whole browser (`Fetch.enable` on the browser session), with the body and headers each is sent
 * with (where a vendor puts its id: Segment's write key), not by the page's events: a request a
 * document sends as it unloads (`sendBeacon` in `beforeunload`, `pagehide` or `unload`, a keepalive
 * `fetch`, an image) is handed to the browser process, where no page event reports it. Every
 * request is let through unchanged, once every target started so far is watched (a worker's script,
 * a page's document are held until then).
 *
 * Everything else is seen by a DevTools session of our own on every page, frame and worker
 * ({@link watchTargets}; dedicated workers, and theirs, attached under their page), which stays
 * attached while a document unloads: cookie and storage writes reported by `observeWrites` (in every
 * document and worker before its scripts, through a DevTools binding the page cannot reach; in a
 * dedicated worker that Playwright's session let run first, from where `Debugger.pause` stops it), DOMStorage events (keys written by property), and the raw headers of every
 * answer (`Set-Cookie`, paired with the URL that answered by {@link setCookieHeaders}). `context`
 * must be the only one of `browser` (as in `audit`): all of this sees every context of the browser.
 */
export async function recordActivity(browser: Browser, context: BrowserContext): Promise<Activity> {
  const requests: ObservedRequest[] = [];
  const cookies: ObservedCookie[] = [];
  const storage: ObservedStorage[] = [];
  const stored = (item: ObservedStorage) => {
    if (!storage.some((s) => s.area === item.area && s.name === item.name && s.origin === item.origin))
      storage.push({ area: item.area, name: item.name, origin: item.origin });
  };
  const headers = setCookieHeaders((header, url) => {
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      return;
    }
    const cookie = host && cookieWritten(header, host);
    if (cookie) cookies.push(cookie);
  });

  const inFlight = requestsInFlight();
  // Prefetches of speculation rules, once each.
  const prefetched = new Set<string>();

  // Named afresh for each audit; the observer takes it off the page before any page script runs.
  const binding = `__optinAudit${randomBytes(8).toString('hex')}`;
  const documents: readonly TargetCommand[] = [
    // Binding calls are reported with both domains on.
    { method: 'Page.enable' },
    { method: 'Runtime.enable' },
    { method: 'Runtime.addBinding', params: { name: binding } },
    { method: 'Page.addScriptToEvaluateOnNewDocument', params: { source: observerScript(binding) } },
    { method: 'DOMStorage.enable' },
    { method: 'Network.enable' },
    // Reporting API endpoints (Reporting-Endpoints, report-to) and speculation-rules prefetches are
    // contacted by the browser itself, past request interception: DevTools reports them here.
    { method: 'Network.enableReportingApi', params: { enable: true } },
    { method: 'Preload.enable' },
    // Frames of other sites, in processes of their own, and dedicated workers are targets of their own.
    {
      method: 'Target.setAutoAttach',
      params: {
        autoAttach: true,
        waitForDebuggerOnStart: true,
        flatten: false,
        filter: [{ type: 'iframe' }, { type: 'worker' }, { exclude: true }],
      },
    },
  ];
  // A shared or service worker has no documents, and some of its interfaces (`CookieStore`) only once
  // its script is about to run: it is paused there, given the observer, and let go (below).
  const workers: readonly TargetCommand[] = [
    { method: 'Runtime.enable' },
    { method: 'Runtime.addBinding', params: { name: binding } },
    { method: 'Debugger.enable' },
    { method: 'Debugger.setInstrumentationBreakpoint', params: { instrumentation: 'beforeScriptExecution' } },
    { method: 'Network.enable' },
  ];
  // A dedicated worker is its page's: its requests, their answers and its WebSockets are the page's
  // network events too (its own answers and sockets are not read, below: each would count twice);
  // its WebTransport sessions are its own target's alone (those it opens before these commands
  // reach it, as Playwright's session lets it run first, are not reported). Workers it starts are
  // its own targets.
  const dedicatedWorkers: readonly TargetCommand[] = [
    ...workers,
    {
      method: 'Target.setAutoAttach',
      params: {
        autoAttach: true,
        waitForDebuggerOnStart: true,
        flatten: false,
        filter: [{ type: 'worker' }, { exclude: true }],
      },
    },
  ];
  const observeWorker: readonly TargetCommand[] = [
    { method: 'Runtime.evaluate', params: { expression: observerScript(binding) } },
    // Removes the breakpoint and lets the script run.
    { method: 'Debugger.disable' },
  ];
  // Workers by target id: those whose script started, and those given the observer before it did.
  const started = new Map<string, string>();
  const observed = new Set<string>();
  const targets = await watchTargets(browser, {
    setup: {
      page: documents,
      iframe: documents,
      worker: dedicatedWorkers,
      shared_worker: workers,
      service_worker: workers,
    },
    event: ({ id, type, url }, method, params) => {
      if (method === 'Debugger.paused') {
        observed.add(id);
        return observeWorker;
      }
      if (method === 'Runtime.executionContextCreated' && type.endsWith('_worker')) started.set(id, url);
      // A dedicated worker is let run by its page's Playwright session too, now and then before our
      // breakpoint is set: it is paused as it stands (at once, or at its next statement when idle)
      // and given the observer then. One already paused for it stays so.
      if (method === 'Runtime.executionContextCreated' && type === 'worker') return [{ method: 'Debugger.pause' }];
      if (
        method === 'Network.requestWillBeSent' ||
        method === 'Network.responseReceived' ||
        method === 'Network.responseReceivedExtraInfo' ||
        method === 'Network.loadingFinished' ||
        method === 'Network.loadingFailed' ||
        method === 'Page.frameNavigated'
      )
        inFlight.reported(id, method, params);
      if (method === 'Network.reportingApiEndpointsChangedForOrigin' && Array.isArray(params.endpoints)) {
        for (const endpoint of params.endpoints as readonly { url?: unknown }[])
          if (typeof endpoint.url === 'string') requests.push({ url: endpoint.url });
      } else if (
        method === 'Preload.prefetchStatusUpdated' &&
        typeof params.prefetchUrl === 'string' &&
        !prefetched.has(params.prefetchUrl)
      ) {
        prefetched.add(params.prefetchUrl);
        requests.push({ url: params.prefetchUrl });
      } else if (method === 'Runtime.bindingCalled' && params.name === binding) {
        const write = readWrite(params.payload);
        if (write && 'cookie' in write) cookies.push(write.cookie);
        else if (write && 'request' in write) requests.push(write.request);
        else if (write) stored(write.storage);
      } else if (method === 'DOMStorage.domStorageItemAdded' || method === 'DOMStorage.domStorageItemUpdated') {
        const write = domStorageWrite(params);
        if (write) stored(write);
      } else if (
        method === 'Network.responseReceivedExtraInfo' &&
        type !== 'worker' &&
        typeof params.requestId === 'string'
      )
        headers.answered(params.requestId, (params.headers ?? {}) as Record<string, unknown>);
      // A page's sockets (dedicated workers' too) are page events, below; those of shared and
      // service workers, which no page reports, are their own targets'.
      else if (
        method === 'Network.webSocketCreated' &&
        type !== 'page' &&
        type !== 'iframe' &&
        type !== 'worker' &&
        typeof params.url === 'string'
      )
        requests.push({ url: params.url });
      // A WebTransport session (HTTP/3, over QUIC) fires no request either, and no page event: each
      // page, frame and worker reports its own, a request to its URL.
      else if (method === 'Network.webTransportCreated' && typeof params.url === 'string')
        requests.push({ url: params.url });
      return undefined;
    },
    // A frame or worker gone (a frame of another site unloads with its page) tells nothing more of
    // its requests: a beacon it sent as it left is answered past its session, as if dropped.
    detached: ({ id }) => inFlight.detached(id),
  });

  const session = await browser.newBrowserCDPSession();
  session.on('Fetch.requestPaused', ({ requestId, request, networkId }) => {
    // The body in the entries DevTools reads it into (bytes, blobs, form data: not a stream, nor the
    // content of a file in form data, which it leaves empty).
    const body = Buffer.concat((request.postDataEntries ?? []).map((e) => Buffer.from(e.bytes ?? '', 'base64')));
    requests.push({
      url: request.url + (request.urlFragment ?? ''),
      headers: request.headers,
      ...(body.length && { body: body.toString('utf8') }),
    });
    if (networkId) {
      headers.requested(networkId, request.url);
      inFlight.made(networkId, request.url);
    }
    void targets.ready().then(() => session.send('Fetch.continueRequest', { requestId }).catch(() => undefined));
  });
  await session.send('Fetch.enable', { patterns: [{ urlPattern: '*' }] });
  context.on('page', (page) => {
    page.on('websocket', (socket) => requests.push({ url: socket.url() }));
  });
  return {
    requests,
    cookies,
    storage,
    ready: () => targets.ready(),
    mark: () => inFlight.mark(),
    settle: (capMs, since, leaving) => inFlight.settle(capMs, since, leaving),
    unwatched: () => [...started].filter(([id]) => !observed.has(id)).map(([, url]) => url),
    readStorage: async (page) => {
      const unanswered: string[] = [];
      const frames = await Promise.all(
        page.frames().map(async (frame) => {
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), answerMs)));
          const answer = await Promise.race([frame.evaluate(storedNow).catch(() => []), late]);
          clearTimeout(timer);
          if (answer !== 'late') return answer;
          unanswered.push(frame.url());
          return [];
        }),
      );
      for (const item of frames.flat()) if (isStorageWrite(item)) stored(item);
      return unanswered;
    },
  };
}
