import type { CollectorMember } from './collector-config.js';
import { defaultMinLearnersForRates, withholdFewLearners, type MemberStatsAnswer } from './consent-rates-threshold.js';
import type { Principal } from './credentials.js';
import { bearerTokenRequired, HttpProblem } from './http-problem.js';
import type { EventPage, EventQuery, StatsOptions, Storage } from './storage.js';

/** What the metrics scraper's token is told anywhere but `/metrics`. */
const readOnlyMetrics = 'the metrics token reads /metrics only';

/**
 * The only way to read Member data, and the one place Member isolation is enforced. It cannot be
 * built without a Member: `open` checks that the principal may see that Member (its own token, or
 * the platform's) and every query it runs is bound to that Member's id.
 */
export class MemberRepository {
  /** The Member every query is scoped to; `null` for the platform-wide repository. */
  readonly memberId: string | null;
  readonly #storage: Storage;

  private constructor(storage: Storage, memberId: string | null) {
    this.#storage = storage;
    this.memberId = memberId;
  }

  /**
   * Opens the repository of `memberId` for `principal`, the id matched in any letter case (as orgs
   * are; config ids never differ in case alone) and answered as the config writes it. Throws an
   * {@link HttpProblem}: 401 without a valid token, 403 when a Member's token asks for another
   * Member (whether or not it exists) or the token is the metrics scraper's, 404 when the platform
   * asks for an unknown Member.
   */
  static open(
    storage: Storage,
    principal: Principal | undefined,
    memberId: string,
    members: readonly CollectorMember[],
  ): MemberRepository {
    if (!principal) throw bearerTokenRequired('send "Authorization: Bearer <token>" with a Member or platform token');
    const wanted = memberId.toLowerCase();
    const member = members.find((m) => m.id.toLowerCase() === wanted);
    if (principal.kind === 'member') {
      if (member?.id !== principal.memberId)
        throw new HttpProblem(403, 'forbidden', 'a Member token only opens its own Member');
    } else if (principal.kind !== 'platform') throw new HttpProblem(403, 'forbidden', readOnlyMetrics);
    if (!member) throw new HttpProblem(404, 'unknown_member', `no Member "${memberId}" in the config`);
    return new MemberRepository(storage, member.id);
  }

  /**
   * Opens the platform-wide repository (every event, with or without a Member) for `principal`.
   * Throws an {@link HttpProblem}: 401 without a valid token, 403 for any token but the platform's.
   */
  static forPlatform(storage: Storage, principal: Principal | undefined): MemberRepository {
    if (!principal) throw bearerTokenRequired('send "Authorization: Bearer <token>" with the platform token');
    if (principal.kind === 'metrics') throw new HttpProblem(403, 'forbidden', readOnlyMetrics);
    if (principal.kind !== 'platform')
      throw new HttpProblem(403, 'forbidden', "only the platform token reads the whole platform's events");
    return new MemberRepository(storage, null);
  }

  /** One page of this Member's events, oldest first. */
  events(query: EventQuery): Promise<EventPage> {
    return this.#storage.memberEvents(this.memberId, query);
  }

  /**
   * This Member's statistics over `[from, to)`, its consent rates withheld (`consentRates: null`,
   * `consentRatesWithheld` saying why) when the period holds fewer than `minLearnersForRates`
   * learners (default 10; with subject proofs required, proved learners), whoever reads them. The platform's own statistics (`forPlatform`) are
   * never withheld: the platform holds every receipt itself.
   */
  async stats(
    from: string,
    to: string,
    purposes: readonly string[],
    options?: StatsOptions,
    minLearnersForRates: number = defaultMinLearnersForRates,
  ): Promise<MemberStatsAnswer> {
    const stats = await this.#storage.memberStats(this.memberId, from, to, purposes, options);
    // The platform's: never withheld (a minimum of 0).
    return withholdFewLearners(stats, this.memberId === null ? 0 : minLearnersForRates);
  }
}
