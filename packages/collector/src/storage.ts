import type { ConsentReceipt } from '@optin/consent';
import type { NamedPurposes } from './purpose-names.js';
import type { StoredEvent } from './stored-event.js';

/** Filters of a Member's event listing. */
export interface EventQuery {
  /** Only this message type. */
  readonly type?: string | undefined;
  /** Only this event name. */
  readonly event?: string | undefined;
  /** Only this course run. */
  readonly courseId?: string | undefined;
  /** Only this anonymous id. */
  readonly anonymousId?: string | undefined;
  /** Only this user id. */
  readonly userId?: string | undefined;
  /** Events at or after this time (ISO 8601). */
  readonly from?: string | undefined;
  /** Events before this time (ISO 8601). */
  readonly to?: string | undefined;
  /** Continue after this position (the `nextCursor` of the previous page). */
  readonly after?: number | undefined;
  /** Page size. */
  readonly limit: number;
}

/** One page of events, oldest first, and where the next one starts. */
export interface EventPage {
  /** The events. */
  readonly events: StoredEvent[];
  /**
   * Position of the last event, to pass as `after`, on every page that has events (the last one too:
   * passed later, it gives only the events stored since); `null` on an empty page (keep the `after`
   * it was read with).
   */
  readonly last: number | null;
  /** Whether events follow this page now (read on with `after: last`). */
  readonly hasMore: boolean;
}

/** What a Member's dashboard shows. */
export interface MemberStats {
  /** Start of the period (ISO 8601). */
  readonly from: string;
  /** End of the period, exclusive (ISO 8601). */
  readonly to: string;
  /** Page and screen views per UTC day, bots excluded. */
  readonly pageViewsPerDay: { day: string; views: number }[];
  /** The most viewed paths, bots excluded. */
  readonly topPages: { path: string; views: number }[];
  /** Link and control clicks, bots excluded (`track` events named `*_clicked`, and `optin.ui.control_used`). */
  readonly clicks: number;
  /** Human email opens (`optin.email.opened`; machine opens such as Apple Mail Privacy Protection are stored flagged and not counted). */
  readonly emailOpens: number;
  /** Human email link clicks (`optin.email.clicked`; scanners following links are not counted). */
  readonly emailClicks: number;
  /**
   * Per purpose, over the learners whose latest decision was received in the period (`total`) and,
   * for a Member, who were seen on its courses in the period (a receipt's subject is the
   * `anonymousId` or `userId` of one of the Member's events of the period, or of the events kept
   * from it ({@link StoredEvent.keptFrom}), an event received in the period too, so that one posted
   * later and back-dated into it adds nobody; the platform's: every learner): `granted`, how many chose to grant it to this Member (granted, and no override of the
   * receipt for this Member, under its id in any letter case, refusing it under any spelling of the
   * purpose, as {@link StatsOptions.policyPurposes} reads them; the platform's: granted), and
   * `rate`, `granted / total`.
   * A decision marked `implied` (some grants are opt-out mode's defaults, not chosen) is no consent:
   * its grants are counted in `implied` only, never in `granted` or `rate`; its refusals count as
   * refusals. With {@link StatsOptions.provedGrantsOnly}, the grants of a decision whose subject was
   * not proved count in neither: a learner whose latest decision in the period was not proved counts
   * with the grants of their latest proved decision in the period, narrowed by the refusals of every
   * decision after it (`grantingReceipts` of `receipt-grants`), and with none when there is no proved
   * one; with {@link StatsOptions.currentPolicy},
   * nor do the grants of a decision made under another version of the policy (under opt-out, these are
   * the mode's defaults, counted in `implied`: {@link StatsOptions.mode}). Of a decision stored
   * both unproved and proved, the proved copy counts.
   */
  readonly consentRates: Record<string, { granted: number; implied: number; total: number; rate: number }>;
  /**
   * With {@link StatsOptions.provedGrantsOnly}: how many of the learners of `consentRates` (their
   * `total`) have a proved decision among those that count, the only ones a Member cannot make up
   * (receipts and events need no credentials), and so the ones counted toward the minimum of
   * learners of `/stats`. Absent without it. Never answered by `/stats`.
   */
  readonly provedLearners?: number;
}

/** How `memberStats` reads consent. */
export interface StatsOptions {
  /**
   * Whether only a proved receipt grants (`collector.subjectKeys` configured): the grants of a
   * decision stored without `subjectProvedBy` count as none, and a latest decision of that kind
   * narrows (by its refusals) the grants of the latest proved one before it rather than hiding
   * them. Default `false`.
   */
  readonly provedGrantsOnly?: boolean;
  /**
   * The policy in force (its `version` and `policyHash` of `@optin/consent`): the grants of a latest
   * decision made under another version or hash count as none, as `@optin/consent` reads such a
   * decision (the learner is asked again; its refusals still count). Default: every decision's grants count.
   */
  readonly currentPolicy?: { readonly version: string; readonly hash: string };
  /**
   * The collector's `collector.mode`. Under `'opt-out'`, with {@link currentPolicy}, the grants of a
   * latest decision made under another version of the policy are the mode's defaults (as with no
   * receipt): counted in `implied`, never in `granted` (with {@link provedGrantsOnly}, a proved
   * decision's only: an unproved one's count in neither). Default `'opt-in'`: they count in neither.
   */
  readonly mode?: 'opt-in' | 'opt-out';
  /**
   * Every purpose of the policy (`policy.purposes` of `@optin/consent`), for reading a Member's
   * overrides as the event path does: a key names the purpose whose id it is in any letter case,
   * else the one its alias names (`Advertising`, `targeting`: `marketing`; `Statistics`:
   * `analytics`). Default: the purposes rated.
   */
  readonly policyPurposes?: NamedPurposes;
  /**
   * How the reader is given a page's path (a Member: as its events give it, `createMemberFacingTexts`),
   * `null` when not at all. With it, `topPages` counts each page by that path, read without its query
   * and fragment (`/a?token=…` is `/a`): paths given alike count as one, those not given are left out.
   * Default: the paths as stored.
   */
  readonly pagePath?: (path: string) => string | null;
}

/** A receipt as stored, with its receive time. */
export interface StoredReceipt extends ConsentReceipt {
  /** When the collector received it (ISO 8601). */
  readonly receivedAt: string;
  /** The kid of the platform key whose proof came with it (`sealSubject` of `@optin/email`); absent: its subject was not proved. */
  readonly subjectProvedBy?: string;
}

/**
 * The one storage interface of the collector, implemented for SQLite and PostgreSQL. Every write
 * resolves only after its transaction has committed. Member-scoped reads take the Member id as a
 * required argument (`null`: the whole platform) and are only called by `MemberRepository`.
 */
export interface Storage {
  /** `sqlite` or `postgres`. */
  readonly kind: 'sqlite' | 'postgres';
  /** Applies pending migrations; resolves to the schema version. */
  migrate(): Promise<number>;
  /**
   * Stores events; a retry (the `messageId` of a stored event) is skipped. Resolves to how many were new. Events holding a string no backend stores (a NUL, an
   * unpaired surrogate) are refused whole, before anything is written, with a `CollectorError`
   * `unstorable_text` naming the field (`events[2].properties.note`); other callers' writes are
   * never failed by them.
   */
  insertEvents(events: readonly StoredEvent[]): Promise<number>;
  /**
   * Appends a consent receipt (the table refuses updates and deletes), its decision time as
   * `toISOString` writes it (a time that is not one: `CollectorError` `invalid_receipt`), corrected
   * by `sentAt` (the device's clock as the receipt left, when sent) as events' times are, and capped
   * at `receivedAt` (a fast device clock's time would pin the subject's consent). The same decision
   * (subject, consent id and decision time as sent) sent again, by another tab or as a retry, is
   * stored once, at the first copy's stored time, but for its proof: `subjectProvedBy`, the kid of the key whose subject proof
   * verified, if one did. A proved copy of a decision stored unproved is stored too and wins in
   * every read; an unproved copy of a decision stored proved adds nothing. Resolves to what is
   * stored of the decision: `subjectProvedBy` when a proved copy of it is.
   */
  appendReceipt(
    receipt: ConsentReceipt,
    receivedAt: string,
    subjectProvedBy?: string,
    sentAt?: string,
  ): Promise<{ subjectProvedBy?: string }>;
  /**
   * The latest decision of a subject: the latest decision time; of equal times a proved one (the
   * proved copy of a decision stored unproved too), then the last received.
   */
  latestReceipt(subject: string): Promise<StoredReceipt | undefined>;
  /**
   * The receipts that decide what a subject grants, latest decision first (in `latestReceipt`'s
   * order), as `grantingReceipts` of `receipt-grants` reads them: its latest decision; with
   * `provedGrantsOnly`, when that one was not proved and a proved one exists, every decision after
   * its latest proved one and then that one. Empty: the subject has no receipt.
   */
  decidingReceipts(subject: string, provedGrantsOnly: boolean): Promise<StoredReceipt[]>;
  /**
   * One page of a Member's events, those whose `memberId` is the Member's (`null`: every event, a
   * Member's or the platform's own, events stored for the platform alone included).
   */
  memberEvents(memberId: string | null, query: EventQuery): Promise<EventPage>;
  /**
   * A Member's statistics over a period, consent rates over the learners seen on its courses and
   * with each receipt's overrides for this Member under its id in any letter case, the purpose in
   * any letter case or by an alias, a refusal under any spelling winning (`null`: the whole platform's, consent rates over every learner, without
   * Member overrides). An id that is no config id (letters, digits, `-`, `_`, `.`) among `memberId`
   * and `purposes`: `CollectorError` `invalid_option`.
   */
  memberStats(
    memberId: string | null,
    from: string,
    to: string,
    purposes: readonly string[],
    options?: StatsOptions,
  ): Promise<MemberStats>;
  /** How many events and receipts are stored (for health checks and tests). */
  counts(): Promise<{ events: number; receipts: number }>;
  /** The ones of these messageIds that some stored event has (a scan: for audits and tests, not the hot path). */
  hasEvents(messageIds: readonly string[]): Promise<Set<string>>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  /** Closes the connection(s) after pending writes. */
  close(): Promise<void>;
}
