import { doc } from './dom.js';
import { AnalyticsError } from './errors.js';
import { queueKey } from './first-party-declaration.js';
import { optionCount } from './option-count.js';
import { local } from './storage.js';

/** A Segment Spec message as sent (`sentAt` is added when its batch leaves). */
export type Message = Readonly<Record<string, unknown>>;

/** A message waiting in the queue: the purpose (or purposes) it needs and how many times it has failed. */
interface Item {
  readonly m: Message;
  readonly p: string | readonly string[];
  n: number;
}

/** Options of {@link createTransport}. */
export interface TransportOptions {
  /** Where batches are posted (`POST {url}` with `{ batch, writeKey }`). */
  readonly url: string;
  /** Segment write key, sent in the body (a header would cost a CORS preflight). */
  readonly writeKey?: string | undefined;
  /** Messages per batch: a batch leaves as soon as it is full. Default 20. */
  readonly batchSize?: number;
  /** Milliseconds a message may wait for its batch to fill. Default 5000. */
  readonly flushInterval?: number;
  /** At most this many failed messages are kept for retry (the oldest are dropped first). Default 200. */
  readonly queueLimit?: number;
  /** Whether the retry queue may be kept in localStorage now (the `functionality` purpose). */
  readonly keep: () => boolean;
  /**
   * Whether a purpose is allowed now: queued messages one of whose purposes was withdrawn are dropped.
   * (Called as `every` calls back: a function of the purpose alone, not `consent.allows`.)
   */
  readonly allows: (purpose: string) => boolean;
  /**
   * A message's consent stamp (`context.consent`) as it leaves, each time it is sent (retries too),
   * from the one it was recorded with (`was`): consent as it is then, never wider than it was.
   */
  readonly stamp: (was: unknown) => unknown;
  /** Reports a batch the collector refused or that failed every retry. Default `console.error`. */
  readonly onError?: (error: AnalyticsError) => void;
}

/** Delivery of messages in batches. */
export interface Transport {
  /**
   * Queues a copy of a message (later changes to its properties do not reach it) that needs `purpose`
   * (or every one of several: `['performance', 'analytics']` for one that carries the trail of pages);
   * sends at once when the batch is full or the page is hidden, unless backing off. Throws, and queues
   * nothing, for a message that is not JSON (a circular object): it would take its whole batch down with it.
   */
  add(message: Message, purpose: string | readonly string[]): void;
  /**
   * Sends every queued message now, with `fetch` (keepalive while the browser's allowance takes it);
   * when `leaving` (the page is hidden or going away) while a queued message waits for a retry, keeps
   * the queue stored instead.
   */
  flush(leaving?: boolean): void;
  /**
   * Drops every queued message whose purpose is no longer allowed, and keeps the retry queue in
   * localStorage when allowed, else removes it from there. (Unbound: a consent listener.)
   */
  readonly save: () => void;
}

/** Attempts per message before it is dropped. */
export const maxAttempts = 8;

/**
 * Delay before retry number `attempt` (1, 2, ...): exponential from 1 s, capped at 5 minutes, with
 * jitter (half to all of it) so that many pages do not retry at once.
 *
 * @example backoff(3, () => 1) // 8000
 */
export function backoff(attempt: number, random: () => number = Math.random): number {
  return Math.min(500 * 2 ** attempt, 3e5) * (0.5 + random() / 2);
}

const shared = ['page', 'locale', 'consent'];

/**
 * Batches messages by size and time and posts them to the collector with `fetch`, never with the
 * site's cookies (`credentials: 'omit'`; `sendBeacon` would send them), and with `keepalive`, so that
 * a batch survives navigation, within the browser's allowance (64 KB in all of the page's requests in
 * flight): a batch is split to fit it, waits for it, or (a single message over it) goes without.
 * Everything queued goes at once when the page is hidden (`visibilitychange`, unless backing off) or
 * going away (`pagehide`), unless a queued message has failed before and the queue may be stored: the
 * collector is failing, and the queue waits stored for the next page rather than go down with this
 * one, whose backoff goes on from its messages' most attempts. Failed batches (network, 429, 5xx) go
 * back to the queue and are retried after {@link backoff}, counted once an attempt however many
 * batches it took (full batches, new messages and a hidden tab wait for it too, so an outage causes no
 * storm); a request the browser rejects as the page goes away (it is
 * delivered all the same) is never taken for a failure. A message keeps its `messageId`, so a retry
 * is never counted twice, and is dropped after {@link maxAttempts}. A batch never carries two
 * anonymous ids. The queue is bounded, and kept in localStorage (for the next page) only when
 * `keep()` allows it, where the site's tabs share it: each keeps what the others stored and takes out
 * only its own; what of a stored one is not an item with a message is dropped. Work happens in timers
 * and promises, never in a loop that holds the page. Throws an {@link AnalyticsError}
 * (`invalid_option`, `path` the option) for a count that is not a whole number in its range, before
 * anything is read or stored.
 */
export function createTransport(o: TransportOptions): Transport {
  const batchSize = optionCount(o, 'batchSize', 20);
  const flushInterval = optionCount(o, 'flushInterval', 5e3, 0);
  const queueLimit = optionCount(o, 'queueLimit', 200);
  // Only items with a message (the rest of a damaged stored value goes) whose purposes are all still
  // allowed stay queued, in memory too: a withdrawal drops them.
  const allowed = (items: unknown[]) =>
    items.filter(
      (i): i is Item => (i as Item | undefined)?.m instanceof Object && [(i as Item).p].flat().every(o.allows),
    );
  // The stored queue, when it may be kept.
  const stored = () => allowed([o.keep() && local<unknown[]>(queueKey)].flat());
  let queue = stored();
  // What this page stored last (or read from storage): the rest of the stored queue is other tabs'
  // (the collector failing for them too), which this one keeps as they left it.
  let mine = queue;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Attempts that failed in a row (the batches of one flush are one attempt), and the bytes of this
  // page's keepalive requests in flight: the browser allows 64 KB of them in all, and refuses more.
  // From a stored queue: its backoff goes on from the most attempts one of its messages has had, else
  // each page of a short outage would use an attempt up at once.
  let failures = Math.max(0, ...queue.map((i) => i.n));
  let inflight = 0;
  const schedule = (delay: number) => (timer ??= setTimeout(flush, delay));
  const live = () => (queue = allowed(queue));
  const save = () => {
    const all = [...stored().filter((i) => !mine.some((j) => j.m.messageId == i.m.messageId)), ...live()];
    mine = queue;
    local(queueKey, o.keep() && all[0] ? all : null);
    if (queue[0]) schedule(flushInterval); // (a backoff already scheduled stays)
  };
  const report = (why: string) => (o.onError ?? console.error)(new AnalyticsError('delivery_failed', o.url, why));
  const fail = (items: Item[], attempt: number) => {
    const again = items.filter((i) => ++i.n < maxAttempts);
    if (again.length < items.length) report(`${maxAttempts} attempts failed`);
    queue = [...again, ...queue].slice(-queueLimit);
    save();
    // The backoff replaces the flush an `add` scheduled meanwhile.
    timer = clearTimeout(timer) as undefined;
    schedule(backoff((failures = attempt)));
  };
  // What every message of the batch has alike (page, locale, consent) goes once, in the batch's own
  // `context`, which the collector (like Segment) merges into each message: a third of the bytes, so
  // more of a burst fits the browser's 64 KB allowance for requests that outlive the page.
  const body = (items: Item[]) => {
    const sentAt = new Date().toISOString();
    // Each with its consent as it is now, never wider than when it was recorded: a refusal since (for
    // one Member too: the collector drops what that Member may not have) reaches the queued ones.
    const batch: { context: Record<string, unknown> }[] = items.map(({ m }) => ({
      ...m,
      sentAt,
      context: { ...(m.context as Message), consent: o.stamp((m.context as Message | undefined)?.consent) },
    }));
    const context: Record<string, unknown> = {};
    for (const key of shared) {
      const value = JSON.stringify(batch[0]?.context[key]);
      if (value && batch.every((m) => JSON.stringify(m.context[key]) == value)) {
        context[key] = JSON.parse(value);
        for (const m of batch) m.context[key] = undefined; // left out by JSON.stringify
      }
    }
    return JSON.stringify({ batch, context, writeKey: o.writeKey });
  };
  function flush(leaving?: boolean) {
    // While the collector fails (a queued message failed before), a request now would go down with the
    // page: the queue stays stored for the next page instead, where it may be, and its timer runs on here.
    if (leaving && o.keep() && queue.some((i) => i.n)) return save();
    timer = clearTimeout(timer) as undefined; // (clearTimeout returns undefined)
    const attempt = failures + 1;
    const items = live();
    queue = [];
    while (items[0]) {
      // One anonymous id a batch (the id a learner is given afresh on withdrawing `functionality` must
      // not arrive beside the old one, retries of its messages included), within the keepalive
      // allowance (in UTF-8 bytes; as the page leaves, what is left of it): a message fewer until it
      // is so, or alone.
      const chunk = items.splice(0, batchSize);
      let b: string, size: number;
      while (
        chunk.some((i) => i.m.anonymousId != chunk[0]?.m.anonymousId) ||
        ((size = new Blob([(b = body(chunk))]).size) > 6e4 - (leaving ? inflight : 0) && chunk[1])
      )
        items.unshift(chunk.pop() as Item);
      const held = inflight + size < 6e4 ? size : 0;
      // A message the allowance left cannot take waits: in the stored queue where it may be as the page
      // goes away; else, while the page is shown, for the requests in flight to end. Once hidden, or
      // never to fit, it goes without keepalive.
      if (!held && ((leaving && o.keep()) || (size < 6e4 && !doc('hidden')))) {
        queue = [...chunk, ...items];
        break;
      }
      inflight += held;
      // The answer, or the error a request that never got one rejects with (no `status`): failed ones
      // count a task later, as the browser rejects a keepalive request in flight when the page goes
      // away, though it delivers it. On a page that has gone that task never runs: nothing goes twice.
      const done = ({ status }: Response) => {
        inflight -= held;
        if (status < 500 && status != 429) {
          failures = 0;
          if (status > 299) report(`HTTP ${status}`);
        } else setTimeout(() => fail(chunk, attempt));
      };
      // Never a beacon nor the site's cookies (the consent cookie, a login): `credentials: 'omit'`.
      fetch(o.url, { method: 'POST', body: b, keepalive: held > 0, credentials: 'omit' }).then(done, done);
    }
    save();
  }

  if (failures) schedule(backoff(failures));
  save(); // what an earlier page stored, and this one may not keep, goes now (and the rest is sent)
  // While backing off, hiding the page (or adding to the queue of a hidden one) sends nothing: the
  // queue would go again at each, using its attempts up. Leaving the page tries once. (The document's event, heard on
  // the window, as it is captured: a named form, `<form name="addEventListener">`, shadows the document's own method,
  // and a page's listener may stop it at the document.)
  addEventListener('pagehide', () => flush(true));
  addEventListener('visibilitychange', () => doc('hidden') && !failures && flush(true), true);
  return {
    add(m, p) {
      // A copy, as JSON (what is not throws now, into the hub, which reports it). Bounded while it waits
      // for a retry too: the oldest message goes first (in a new array: `mine` stays what was stored).
      queue = [...queue, { m: JSON.parse(JSON.stringify(m)) as Message, p, n: 0 }].slice(-queueLimit);
      if (!failures && (doc('hidden') || queue.length >= batchSize)) flush(doc('hidden') as boolean);
      else schedule(flushInterval);
    },
    flush,
    save,
  };
}
