import { receiptSchema, type ConsentReceipt } from '@optin/consent';
import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../collector-context.js';
import { futureDecisionProblem } from '../decision-time.js';
import { formatPath } from '../errors.js';
import { bearerTokenRequired, HttpProblem } from '../http-problem.js';
import {
  findUnstorableText,
  isUnstorableText,
  mayHoldUnstorableText,
  unstorableTextMessage,
} from '../unstorable-text.js';

/**
 * `POST /v1/consent` appends a receipt (validated with `@optin/consent`'s `receiptSchema`; the
 * table is append-only). `GET /v1/consent/:subject` returns a subject's latest receipt, to the
 * platform token only.
 */
export function registerConsentRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  app.post('/v1/consent', async (request, reply) => {
    const parsed = receiptSchema.safeParse(request.body);
    const unstorable = parsed.success && mayHoldUnstorableText(request) ? findUnstorableText(parsed.data) : undefined;
    const future = parsed.success ? futureDecisionProblem(parsed.data.decidedAt, Date.now()) : undefined;
    if (!parsed.success || unstorable !== undefined || future !== undefined) {
      ctx.metrics.inc('rejected', { reason: 'invalid_receipt' });
      const errors = !parsed.success
        ? parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }))
        : [
            ...(unstorable !== undefined ? [{ path: unstorable, message: unstorableTextMessage }] : []),
            ...(future !== undefined ? [{ path: 'decidedAt', message: future }] : []),
          ];
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
    await ctx.storage.appendReceipt(receipt, new Date().toISOString());
    ctx.metrics.inc('receipts');
    return reply.code(201).send({ stored: true });
  });

  app.get<{ Params: { subject: string } }>('/v1/consent/:subject', async (request) => {
    const principal = ctx.principalOf(request.headers.authorization);
    if (!principal) throw bearerTokenRequired('send "Authorization: Bearer <token>" with the platform token');
    if (principal.kind !== 'platform')
      throw new HttpProblem(403, 'forbidden', 'receipts are read with the platform token only');
    if (isUnstorableText(request.params.subject))
      throw new HttpProblem(400, 'invalid_query', `subject: ${unstorableTextMessage}`);
    const receipt = await ctx.storage.latestReceipt(request.params.subject);
    if (!receipt) throw new HttpProblem(404, 'not_found', 'no receipt for this subject');
    return receipt;
  });
}
