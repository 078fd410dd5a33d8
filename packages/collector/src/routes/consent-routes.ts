import { policyHash, receiptSchema, type ConsentReceipt } from '@optin/consent';
import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../collector-context.js';
import { answeredProblems, zodProblems } from '../error-caps.js';
import { bearerTokenRequired, HttpProblem, invalidQuery } from '../http-problem.js';
import { consentQuerySchema, repeatedParameter } from '../query-schemas.js';
import { grantsInEffect } from '../receipt-grants.js';
import { receiptSizeProblems } from '../receipt-limits.js';
import { isoTime } from '../segment-schema.js';
import {
  findUnstorableText,
  isUnstorableText,
  mayHoldUnstorableText,
  unstorableTextMessage,
} from '../unstorable-text.js';

/**
 * `POST /v1/consent` appends a receipt (validated with `@optin/consent`'s `receiptSchema`; the
 * table is append-only), with the kid of the key that proved its subject when the collector
 * requires subject proofs and the `subjectProof` beside it verifies: a receipt without one is
 * stored all the same (it is the learner's decision, or evidence of a forgery) and answered with
 * `subjectProved: false` and the reason; the same decision sent again with a proof is stored proved
 * too (and read so), and one sent again without is answered as what is stored (`subjectProved: true`
 * when a proved copy is). A receipt of another version of the policy (its `version` or `hash` not
 * the configured policy's, `policyHash` of `@optin/consent`) is stored, and its grants are no
 * consent (as for the browser, which asks again): only its refusals count, in the email routes and
 * consent rates. `GET /v1/consent?subject=<percent-encoded>` (any subject)
 * and `GET /v1/consent/:subject` (a subject a URL path carries) return a subject's latest receipt,
 * to the platform token only, with `subjectProved` when proofs are required, and `inEffect`: what the
 * collector applies (`grantsInEffect`: the receipt whose grants count, each purpose granted or not,
 * the purposes refused to each Member).
 */
export function registerConsentRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  app.post('/v1/consent', async (request, reply) => {
    const tooLarge = receiptSizeProblems(request.body);
    const parsed = tooLarge.length ? undefined : receiptSchema.safeParse(request.body);
    const unstorable = parsed?.success && mayHoldUnstorableText(request) ? findUnstorableText(parsed.data) : undefined;
    // Beside the receipt, as `subjectProof`: the device's clock as it left (sendReceipts sends it),
    // by which a decision from a clock that is off is dated.
    const sentAt = isoTime.optional().safeParse((request.body as { sentAt?: unknown } | null)?.sentAt);
    if (!parsed?.success || unstorable !== undefined || !sentAt.success) {
      ctx.metrics.inc('rejected', { reason: 'invalid_receipt' });
      // At most maxErrorsPerMessage of them, then how many more (a receipt may hold 4,096 choices).
      const capped = (problems: { path: string; message: string }[]) =>
        answeredProblems({ first: problems, total: problems.length }, '', undefined, 'receipt');
      const errors = !parsed
        ? capped(tooLarge)
        : !parsed.success
          ? answeredProblems(zodProblems(parsed.error), '', undefined, 'receipt')
          : unstorable !== undefined
            ? [{ path: unstorable, message: unstorableTextMessage }]
            : [{ path: 'sentAt', message: sentAt.error?.issues[0]?.message ?? 'not a time' }];
      return reply.code(400).send({ error: { code: 'invalid_receipt', message: 'the receipt is not valid', errors } });
    }
    if (parsed.data.policy.id !== ctx.config.policy.id) {
      ctx.metrics.inc('rejected', { reason: 'policy_mismatch' });
      throw new HttpProblem(
        400,
        'policy_mismatch',
        `this collector keeps receipts for policy "${ctx.config.policy.id}"`,
      );
    }
    const { implied, ...decided } = parsed.data;
    const receipt: ConsentReceipt = implied === undefined ? decided : { ...decided, implied };
    const proof = ctx.subjectProofs?.verify(receipt.subject, (request.body as { subjectProof?: unknown }).subjectProof);
    const stored = await ctx.storage.appendReceipt(
      receipt,
      new Date().toISOString(),
      proof?.ok ? proof.kid : undefined,
      sentAt.data,
    );
    if (!proof) {
      ctx.metrics.inc('receipts');
      return reply.code(201).send({ stored: true });
    }
    ctx.metrics.inc('receipts', { subject: proof.ok ? 'proved' : proof.reason });
    // What is stored of the decision: proved when this copy or one before it was.
    return reply
      .code(201)
      .send(
        proof.ok || stored.subjectProvedBy !== undefined
          ? { stored: true, subjectProved: true }
          : { stored: true, subjectProved: false, reason: proof.reason },
      );
  });

  // The latest receipt of a subject, and what is in effect, to the platform token only.
  const proofsRequired = ctx.subjectProofs !== undefined;
  const policy = { version: ctx.config.policy.version, hash: policyHash(ctx.config.policy) };
  const latest = async (authorization: string | undefined, subject: () => string, hint = '') => {
    const principal = ctx.principalOf(authorization);
    if (!principal) throw bearerTokenRequired('send "Authorization: Bearer <token>" with the platform token');
    if (principal.kind !== 'platform')
      throw new HttpProblem(403, 'forbidden', 'receipts are read with the platform token only');
    const receipts = await ctx.storage.decidingReceipts(subject(), proofsRequired);
    const [receipt] = receipts;
    if (!receipt) throw new HttpProblem(404, 'not_found', `no receipt for this subject${hint}`);
    // What the collector applies (the email routes' rule): under required proofs, an unproved receipt's
    // grants are no consent, and a later one neither widens nor hides the latest proved one; its
    // refusals narrow it.
    const inEffect = grantsInEffect(receipts, {
      mode: ctx.config.collector?.mode ?? 'opt-in',
      policy: { purposes: ctx.config.policy.purposes, ...policy },
      memberIds: ctx.config.members.map((m) => m.id),
      proved: (r) => !proofsRequired || r.subjectProvedBy !== undefined,
    });
    // Under required proofs, whether the latest receipt's subject was proved.
    return proofsRequired
      ? { ...receipt, subjectProved: receipt.subjectProvedBy !== undefined, inEffect }
      : { ...receipt, inEffect };
  };

  // Any subject a receipt may have, percent-encoded in the query string: `.`, `..` and subjects
  // holding `/`, `?` or `#` never reach the path form as they were sent (clients resolve dot
  // segments, even written `%2E`, and `?` and `#` end a path).
  app.get<{ Querystring: unknown }>('/v1/consent', (request) =>
    latest(request.headers.authorization, () => {
      const repeated = repeatedParameter(request.query);
      if (repeated !== undefined)
        throw new HttpProblem(400, 'invalid_query', `${repeated}: given more than once; give it once`);
      const parsed = consentQuerySchema.safeParse(request.query);
      if (!parsed.success) throw invalidQuery(parsed.error);
      return parsed.data.subject;
    }),
  );

  app.get<{ Params: { subject: string } }>('/v1/consent/:subject', (request) =>
    latest(
      request.headers.authorization,
      () => {
        if (isUnstorableText(request.params.subject))
          throw new HttpProblem(400, 'invalid_query', `subject: ${unstorableTextMessage}`);
        return request.params.subject;
      },
      ' (a subject that is "." or "..", or holds "/", "?" or "#", is read with GET /v1/consent?subject=, percent-encoded)',
    ),
  );
}
