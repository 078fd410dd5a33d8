import { policyHash } from '@optin/consent';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CollectorContext } from '../collector-context.js';
import { createCursorCodec } from '../cursor.js';
import { earliestTime } from '../event-time.js';
import { HttpProblem, invalidQuery } from '../http-problem.js';
import { createMemberFacing, createMemberFacingTexts } from '../member-facing-event.js';
import { MemberRepository } from '../member-repository.js';
import { eventsQuerySchema, repeatedParameter, statsQuerySchema, withPlusRestored } from '../query-schemas.js';

const day = 86_400_000;

function utc(time: string | undefined): string | undefined {
  return time === undefined ? undefined : new Date(Date.parse(time)).toISOString();
}

/**
 * `GET /v1/members/:member/events` (filters, cursor pagination, oldest first: `nextCursor` on every
 * page with events, the last one too, so that an export continues later from where it stopped;
 * `hasMore` whether more follow now) and
 * `GET /v1/members/:member/stats`, each through a {@link MemberRepository}: a Member token reads
 * its own Member only (403 elsewhere); the platform token reads any Member. `GET /v1/events` and
 * `GET /v1/stats` are the same over the whole platform (events of every Member and of none), for
 * the platform token only.
 */
export function registerMemberRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  const cursors = createCursorCodec(ctx.credentials.cursorSecret);
  const memberFacing = createMemberFacing(ctx.config.members);
  const memberTexts = createMemberFacingTexts(ctx.config.members);
  const policy = { version: ctx.config.policy.version, hash: policyHash(ctx.config.policy) };
  const open = (authorization: string | undefined, member: string): MemberRepository =>
    MemberRepository.open(ctx.storage, ctx.principalOf(authorization), member, ctx.config.members);
  // Each parameter once; a `+` left unencoded in a course key or time put back (see withPlusRestored).
  const queryOf = (query: unknown): unknown => {
    const repeated = repeatedParameter(query);
    if (repeated !== undefined)
      throw new HttpProblem(400, 'invalid_query', `${repeated}: given more than once; give it once`);
    return withPlusRestored(query);
  };

  type Request = FastifyRequest<{ Params: { member?: string } }>;
  const repoOf = (request: Request): MemberRepository =>
    request.params.member === undefined
      ? MemberRepository.forPlatform(ctx.storage, ctx.principalOf(request.headers.authorization))
      : open(request.headers.authorization, request.params.member);

  const events = async (request: Request) => {
    const repo = repoOf(request);
    const parsed = eventsQuerySchema.safeParse(queryOf(request.query));
    if (!parsed.success) throw invalidQuery(parsed.error);
    const { cursor, from, to, ...filters } = parsed.data;
    // A Member's events give a name naming another's course with it as `[course]`: filtering on the
    // name as stored would confirm a guess of it. A name its events never give is refused, whatever is stored.
    const given =
      filters.event === undefined || repo.memberId === null
        ? filters.event
        : memberTexts.eventName(filters.event, repo.memberId);
    if (given !== filters.event)
      throw new HttpProblem(
        400,
        'invalid_query',
        `event: names a course that is not this Member's, so its events give such a name as ${JSON.stringify(given)}, never as written; filter on a name as the Member's events give it`,
      );
    // A cursor continues the pages it came from only: another Member's, or the platform's, is refused.
    const after = cursor === undefined ? undefined : cursors.decode(cursor, repo.memberId);
    if (cursor !== undefined && after === undefined)
      throw new HttpProblem(400, 'invalid_query', 'cursor: not a cursor from a previous page');
    const page = await repo.events({ ...filters, from: utc(from), to: utc(to), after });
    return {
      member: repo.memberId,
      // A Member's events as the Member is given them (see createMemberFacing); the platform's, as stored.
      events: repo.memberId === null ? page.events : page.events.map(memberFacing),
      nextCursor: page.last === null ? null : cursors.encode(page.last, repo.memberId),
      hasMore: page.hasMore,
    };
  };

  const stats = async (request: Request) => {
    const repo = repoOf(request);
    const parsed = statsQuerySchema.safeParse(queryOf(request.query));
    if (!parsed.success) throw invalidQuery(parsed.error);
    const to = utc(parsed.data.to) ?? new Date(Date.now() + 1000).toISOString();
    const from = utc(parsed.data.from) ?? new Date(Math.max(earliestTime, Date.parse(to) - 30 * day)).toISOString();
    // Both given, the schema checks their order; `to` left to its default (now), so is it here.
    if (Date.parse(from) >= Date.parse(to))
      throw new HttpProblem(
        400,
        'invalid_query',
        'from: not before to (now, when to is not given); give a from in the past, or a to after it',
      );
    const purposes = ctx.config.policy.purposes.filter((p) => !p.required).map((p) => p.id);
    const { memberId } = repo;
    // With subject proofs required, an unproved receipt grants nothing here either (as in the email routes).
    // Member overrides are read with every purpose of the policy, as the event path reads them.
    // A decision made under another version of the policy grants nothing either (its refusals count).
    // A Member's learners include those whose events were kept from it (`keptFrom`, recorded at
    // ingestion: they refused it a purpose), counted in its rates only.
    const options = {
      provedGrantsOnly: ctx.subjectProofs !== undefined,
      policyPurposes: ctx.config.policy.purposes,
      currentPolicy: policy,
      // Under opt-out, such a decision's grants are the mode's defaults: counted as implied.
      mode: ctx.config.collector?.mode ?? 'opt-in',
      // A Member's top pages by their paths as its events give them (another's course in one: not given).
      ...(memberId !== null && { pagePath: (path: string) => memberTexts.path(path, memberId) }),
    };
    // A Member's rates over fewer learners than the minimum are withheld (see consent-rates-threshold).
    return { member: repo.memberId, ...(await repo.stats(from, to, purposes, options, ctx.minLearnersForRates)) };
  };

  app.get('/v1/members/:member/events', events);
  app.get('/v1/members/:member/stats', stats);
  app.get('/v1/events', events);
  app.get('/v1/stats', stats);
}
