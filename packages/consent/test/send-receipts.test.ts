import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConsentError,
  createConsent,
  edxPolicy,
  encodeDecision,
  policyHash,
  receiptSchema,
  sendReceipts,
  type Decision,
} from '../src/index.js';

interface Posted {
  url: string;
  init: RequestInit;
}

const stubFetch = (status = 200, answer = '{}') => {
  const posted: Posted[] = [];
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
    posted.push({ url, init });
    return Promise.resolve(new Response(answer, { status }));
  });
  return posted;
};
/** A storage every store of the test shares (as a page's stores share its cookie); `values` is what it holds. */
const sharedStorage = () => {
  const values: string[] = [];
  const storage = {
    kind: 'test',
    read: () => values,
    write: (v: string) => (values.splice(0, values.length, v), true),
    clear: () => void values.splice(0),
  };
  return { values, storage };
};
const body = (p: Posted | undefined) => receiptSchema.parse(JSON.parse(p?.init.body as string));

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('sendReceipts', () => {
  it('posts one valid receipt per new decision, with the subject of the moment', async () => {
    const posted = stubFetch();
    let subject = 'anon-1';
    const consent = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } });
    sendReceipts(consent, { endpoint: 'https://collector.edx.org/', subject: () => subject });
    consent.acceptAll();
    subject = 'user-42';
    consent.withdraw('marketing');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 60_000);
    consent.decide({ purposes: { marketing: false } }); // nothing changes: no new decision, no new receipt
    vi.useRealTimers();
    await Promise.resolve();
    expect(posted.map((p) => [p.url, p.init.method, p.init.keepalive, p.init.credentials])).toEqual([
      ['https://collector.edx.org/v1/consent', 'POST', true, 'omit'],
      ['https://collector.edx.org/v1/consent', 'POST', true, 'omit'],
    ]);
    expect(body(posted[0])).toMatchObject({ subject: 'anon-1', source: 'banner', purposes: { marketing: true } });
    expect(body(posted[1])).toMatchObject({
      subject: 'user-42',
      source: 'preferences',
      purposes: { marketing: false },
    });
    expect(body(posted[0]).consentId).toBe(body(posted[1]).consentId);
    // The last receipt proves exactly the decision in force.
    expect(body(posted[1]).decidedAt).toBe(consent.decision?.decidedAt);
  });

  it("sends the device's clock at sending (sentAt), so a collector can correct a slow or fast clock", () => {
    const posted = stubFetch();
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.parse('2026-11-30T17:00:00.000Z')); // the device's clock, an hour slow, say
      const consent = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } });
      sendReceipts(consent, { endpoint: 'https://c.test', subject: 'anon-1' });
      consent.rejectAll();
    } finally {
      vi.useRealTimers();
    }
    const sent = JSON.parse(posted[0]?.init.body as string) as Record<string, unknown>;
    expect(sent).toMatchObject({ decidedAt: '2026-11-30T17:00:00.000Z', sentAt: '2026-11-30T17:00:00.000Z' });
  });

  it('does not resend a decision stored before the page loaded, and stops when asked', async () => {
    const posted = stubFetch();
    const { storage } = sharedStorage();
    createConsent({ policy: edxPolicy, storage, signals: { gpc: false } }).rejectAll();
    const consent = createConsent({ policy: edxPolicy, storage, signals: { gpc: false } });
    const stop = sendReceipts(consent, { endpoint: 'https://c.test', subject: 's' });
    consent.refresh();
    expect(posted).toEqual([]);
    stop();
    consent.acceptAll();
    await Promise.resolve();
    expect(posted).toEqual([]);
  });

  it('posts each decision made in the page once, whichever of its stores sends receipts', async () => {
    const posted = stubFetch();
    const { storage } = sharedStorage();
    // The banner's store, and the page's own (say, created apart from a React provider's): both send
    // receipts, to the same collector; a second call on the same store (an effect run twice) too.
    const banner = createConsent({ policy: edxPolicy, storage, signals: { gpc: false } });
    const page = createConsent({ policy: edxPolicy, storage, signals: { gpc: false } });
    sendReceipts(banner, { endpoint: 'https://c.test', subject: 'banner' });
    sendReceipts(page, { endpoint: 'https://c.test/', subject: 'page' });
    sendReceipts(page, { endpoint: 'https://c.test', subject: 'page again' });
    banner.acceptAll();
    page.refresh(); // follows the decision made through the banner's store: its listeners hear it
    expect(page.allows('marketing')).toBe(true);
    page.withdraw('marketing');
    banner.refresh();
    expect(banner.allows('marketing')).toBe(false);
    await Promise.resolve();
    expect(posted.map((p) => [body(p).subject, body(p).purposes.marketing])).toEqual([
      ['banner', true],
      ['page', false],
    ]);

    // Only the page's own store sends receipts: a decision made through the banner's is still proved, once.
    const lone = createConsent({ policy: edxPolicy, storage, signals: { gpc: false } });
    const seen = createConsent({ policy: edxPolicy, storage, signals: { gpc: false } });
    sendReceipts(seen, { endpoint: 'https://c.test', subject: 'seen' });
    lone.rejectAll();
    seen.refresh();
    seen.refresh();
    await Promise.resolve();
    expect(posted.map((p) => body(p).subject)).toEqual(['banner', 'page', 'seen']);
  });

  it('still proves later decisions after one that could not be stored (a Member id with a lone surrogate)', async () => {
    const posted = stubFetch();
    const consent = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } });
    sendReceipts(consent, { endpoint: 'https://c.test', subject: 's' });
    expect(() => consent.withdraw('marketing', 'Harvard\uD800X')).toThrow(URIError);
    consent.rejectAll();
    await Promise.resolve();
    expect(posted.map((p) => body(p).purposes.marketing)).toEqual([false]);
  });

  it('never posts a decision another page made, read from storage or heard later', async () => {
    const posted = stubFetch();
    const { values, storage } = sharedStorage();
    const consent = createConsent({ policy: edxPolicy, storage, signals: { gpc: false } });
    sendReceipts(consent, { endpoint: 'https://c.test', subject: 's' });
    // Another tab decides and stores it (its value, as that tab wrote it).
    const elsewhere: Decision = {
      consentId: 'other-tab',
      policy: { id: edxPolicy.id, version: edxPolicy.version, hash: policyHash(edxPolicy) },
      purposes: { necessary: true, analytics: true, performance: true, functionality: true, marketing: true },
      members: {},
      source: 'banner',
      decidedAt: new Date().toISOString(),
    };
    values.push(encodeDecision(elsewhere, edxPolicy));
    consent.refresh();
    expect(consent.decision?.consentId).toBe('other-tab');
    await Promise.resolve();
    expect(posted).toEqual([]);
  });

  it('reports a receipt the collector refused as receipt_failed', async () => {
    stubFetch(403);
    const errors: ConsentError[] = [];
    const consent = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } });
    sendReceipts(consent, { endpoint: 'https://c.test', subject: 's', onError: (e) => errors.push(e) });
    consent.rejectAll();
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toMatchObject({
      code: 'receipt_failed',
      issues: [{ path: 'https://c.test/v1/consent', message: 'the collector answered HTTP 403' }],
    });
  });

  it('tries a receipt again, with backoff, while the collector is busy or unreachable, and reports it only when it gives up', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
    // Promises settled (fetch's answer, its handling) without moving the fake clock.
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    const wait = async (ms: number) => {
      await settle();
      await vi.advanceTimersByTimeAsync(ms);
      await settle();
    };
    try {
      // The collector answers 503 (a database busy), then is unreachable, then 429, then takes it.
      const answers: (number | Error)[] = [503, new TypeError('Failed to fetch'), 429, 201];
      const sent: { at: number; sentAt: string }[] = [];
      const start = Date.now();
      vi.stubGlobal('fetch', (_url: string, init: RequestInit) => {
        const { sentAt } = JSON.parse(init.body as string) as { sentAt: string };
        sent.push({ at: Date.now() - start, sentAt });
        const answer = answers.shift() ?? 201;
        return answer instanceof Error
          ? Promise.reject(answer)
          : Promise.resolve(new Response('{}', { status: answer }));
      });
      const errors: ConsentError[] = [];
      const consent = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } });
      sendReceipts(consent, { endpoint: 'https://c.test', subject: 's', onError: (e) => errors.push(e) });
      consent.rejectAll();
      await wait(60_000);
      expect(sent.map((s) => s.at)).toEqual([0, 1000, 3000, 7000]);
      // Each try says when it left, so the collector corrects the device's clock by the right offset.
      expect(sent.map((s) => Date.parse(s.sentAt) - start)).toEqual([0, 1000, 3000, 7000]);
      expect(errors).toEqual([]);

      // Down for good: given up after the fifth try again (about 31 s), reported once, with the last failure.
      answers.splice(0, answers.length, ...Array<number>(5).fill(503), new TypeError('Failed to fetch'));
      consent.acceptAll();
      await wait(120_000);
      expect(sent).toHaveLength(10);
      expect(errors.map((e) => [e.code, e.issues[0]?.message])).toEqual([['receipt_failed', 'Failed to fetch']]);

      // A refusal of the receipt itself (400, 403: not allowed from this origin) is reported at once, not tried again.
      answers.splice(0, answers.length, 403);
      consent.withdraw('marketing');
      await wait(120_000);
      expect(sent).toHaveLength(11);
      expect(errors[1]?.issues[0]?.message).toBe('the collector answered HTTP 403');
    } finally {
      vi.useRealTimers();
    }
  });

  it("posts the subject's proof beside the receipt when the server gave the page one", async () => {
    const posted = stubFetch(201, '{"stored":true,"subjectProved":true}');
    const errors: ConsentError[] = [];
    let subject: string | { id: string; proof?: string } = 'anon-1';
    const consent = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } });
    sendReceipts(consent, { endpoint: 'https://c.test', subject: () => subject, onError: (e) => errors.push(e) });
    consent.rejectAll();
    subject = { id: 'user-42', proof: 'AQhlZHgtMjAyNgAAAABproof' };
    consent.acceptAll();
    subject = { id: 'user-43' };
    consent.withdraw('marketing');
    await vi.waitFor(() => expect(posted).toHaveLength(3));
    const sent = posted.map((p) => JSON.parse(p.init.body as string) as Record<string, unknown>);
    expect(sent.map((b) => [b.subject, b.subjectProof])).toEqual([
      ['anon-1', undefined],
      ['user-42', 'AQhlZHgtMjAyNgAAAABproof'],
      ['user-43', undefined],
    ]);
    expect(sent.every((b) => receiptSchema.safeParse(b).success)).toBe(true);
    await new Promise((r) => setTimeout(r));
    expect(errors).toEqual([]);
  });

  it('reports a subject proof the collector did not take (expired, unknown key) as receipt_failed', async () => {
    stubFetch(201, '{"stored":true,"subjectProved":false,"reason":"expired"}');
    const errors: ConsentError[] = [];
    const consent = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } });
    sendReceipts(consent, {
      endpoint: 'https://c.test',
      subject: { id: 'user-42', proof: 'stale' },
      onError: (e) => errors.push(e),
    });
    consent.rejectAll();
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toMatchObject({
      code: 'receipt_failed',
      issues: [
        { path: 'https://c.test/v1/consent', message: 'the collector did not take the subject proof (expired)' },
      ],
    });
    expect(errors[0]?.hint).toMatch(/sealSubject/);
  });
});
