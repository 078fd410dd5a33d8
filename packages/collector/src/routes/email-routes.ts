import { randomUUID } from 'node:crypto';
import { policyHash } from '@optin/consent';
import {
  invalidLinkResponse,
  isMachineClick,
  isMachineOpen,
  pixelResponse,
  redirectResponse,
  type EmailResponse,
  type EmailVerifier,
  type VerifiedClick,
  type VerifiedOpen,
} from '@optin/email';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CollectorContext } from '../collector-context.js';
import { grantsInEffect } from '../receipt-grants.js';
import { emailEvents } from '../sql-storage.js';

/** The longest a click redirect or an open pixel waits for its recording before answering. */
export const answerWithinMs = 200;

const send = (reply: FastifyReply, response: EmailResponse) =>
  reply.code(response.status).headers(response.headers).send(response.body);

/**
 * `GET /e/o/:token` (open pixel) and `GET /e/c/:token` (click redirect) for tokens signed by
 * `@optin/email`. The pixel is always answered; a click redirects only to the URL its token signs,
 * and a bad, expired, unknown-kid or cross-Member token gets 400 and no redirect, ever. A verified
 * open or click is stored as an event attributed to the signing Member (`optin.email.opened` /
 * `optin.email.clicked`), with the recipient as a pseudonym. Machine traffic (Apple Mail Privacy
 * Protection, scanners' prefetch) is stored flagged as a bot, so stats never count it as human.
 * When the recipient's latest consent receipt does not grant analytics (its choices, and for the
 * signing Member its overrides, read as the event path reads them: the Member's id and the purpose
 * in any letter case, the purpose by an alias too, a refusal under any spelling winning; under opt-in, an `implied` grant is none; with
 * subject proofs required, neither is the grant of a receipt whose subject was not proved, in either mode: a latest receipt of that
 * kind leaves the grants of the learner's latest proved one, narrowed by its refusals and those of every receipt after that one; nor is the
 * grant of a proved receipt made under another version of the policy, its version or hash not the configured one's:
 * under opt-out it falls back to the mode's default, as with no receipt, its refusals still refusing), the
 * click still redirects but only an aggregate count is kept (`optin_email_total`). Neither waits for
 * the database longer than {@link answerWithinMs}: the recording goes on in the background (a failure
 * counted as `not_stored` and logged), and closing the app waits for it.
 */
export function registerEmailRoutes(app: FastifyInstance, ctx: CollectorContext, verifier: EmailVerifier): void {
  const mode = ctx.config.collector?.mode ?? 'opt-in';
  const optIn = mode === 'opt-in';
  const purposes = ctx.config.policy.purposes;
  const policy = { version: ctx.config.policy.version, hash: policyHash(ctx.config.policy) };
  const proofsRequired = ctx.subjectProofs !== undefined;
  const allowed = async (token: VerifiedOpen | VerifiedClick) => {
    const receipts = token.subject ? await ctx.storage.decidingReceipts(token.subject, proofsRequired) : [];
    if (!receipts.length) return !optIn;
    // One rule with GET /v1/consent (`grantsInEffect`), and with the consent rates: the grants of the
    // latest proved receipt (every one is, when subjects need no proof), read as chosen, as the mode's
    // defaults (opt-out, another version of the policy) or not at all, narrowed by the refusals of every
    // receipt decided after it (anyone can post one: it never widens, nor hides the learner's own), its
    // overrides to the signing Member included. None proved: no consent.
    const inEffect = grantsInEffect(receipts, {
      mode,
      policy: { purposes, ...policy },
      memberIds: token.memberId === null ? [] : [token.memberId],
      proved: (r) => !proofsRequired || r.subjectProvedBy !== undefined,
    });
    return inEffect.purposes.analytics === true && inEffect.members[token.memberId ?? '']?.analytics !== false;
  };
  const record = async (token: VerifiedOpen | VerifiedClick, request: FastifyRequest) => {
    const userAgent = request.headers['user-agent'];
    const ip = ctx.clientIpOf(request.socket.remoteAddress, request.headers['x-forwarded-for']);
    const facts = {
      userAgent,
      ip,
      method: request.method,
      headers: request.headers,
      msSinceSend: Date.now() - token.sentAt.getTime(),
    };
    const verdict = token.kind === 'open' ? isMachineOpen(facts) : isMachineClick(facts);
    if (!(await allowed(token))) return ctx.metrics.inc('email', { kind: token.kind, outcome: 'aggregate' });
    const event = ctx.enrich(
      {
        type: 'track',
        event: token.kind === 'open' ? emailEvents.opened : emailEvents.clicked,
        anonymousId: token.recipient,
        properties: {
          email_message_id: token.messageId,
          campaign: token.campaign,
          ...(token.kind === 'click' && { target_url: token.url }),
          machine: verdict.machine ? verdict.reason : null,
          proxy: verdict.machine ? null : verdict.proxy,
        },
      },
      randomUUID(),
      ['analytics'],
      { ip, userAgent, receivedAt: new Date().toISOString(), trustedSource: false },
    );
    await ctx.sink.write([{ ...event, memberId: token.memberId, isBot: event.isBot || verdict.machine }]);
    ctx.metrics.inc('email', { kind: token.kind, outcome: verdict.machine ? 'machine' : 'recorded' });
  };
  // Recording never stands between a learner and the link, nor fails a pixel, nor holds either for
  // longer than `answerWithinMs`: past it the answer goes, and the recording goes on in the
  // background (its failure counted and logged all the same). Closing waits for those still running.
  const running = new Set<Promise<void>>();
  const tryRecord = async (token: VerifiedOpen | VerifiedClick, request: FastifyRequest): Promise<void> => {
    const recording = record(token, request).then(
      () => undefined,
      (error: unknown) => {
        app.log.error(error);
        ctx.metrics.inc('email', { kind: token.kind, outcome: 'not_stored' });
      },
    );
    running.add(recording);
    void recording.finally(() => running.delete(recording));
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, answerWithinMs)));
    await Promise.race([recording, cap]);
    clearTimeout(timer);
  };
  app.addHook('onClose', async () => {
    while (running.size) await Promise.all(running);
  });

  // The router decodes the path, so `/e/%63/…` would be served as `/e/c/…`: a link written so is
  // none the signer made (it recognises its own however written, and re-signs or refuses them), so it
  // is answered as any unknown route, never redirected nor recorded.
  const canonical = (request: FastifyRequest, prefix: string) => request.url.startsWith(prefix);
  app.get<{ Params: { token: string } }>('/e/o/:token', async (request, reply) => {
    if (!canonical(request, '/e/o/')) return reply.callNotFound();
    const token = verifier.verify(request.params.token, 'open');
    if (token.ok) await tryRecord(token, request);
    else ctx.metrics.inc('email', { kind: 'open', outcome: token.reason });
    return send(reply, pixelResponse());
  });
  app.get<{ Params: { token: string } }>('/e/c/:token', async (request, reply) => {
    if (!canonical(request, '/e/c/')) return reply.callNotFound();
    const token = verifier.verify(request.params.token, 'click');
    if (!token.ok) {
      ctx.metrics.inc('email', { kind: 'click', outcome: token.reason });
      return send(reply, invalidLinkResponse());
    }
    await tryRecord(token, request);
    return send(reply, redirectResponse(token));
  });
}
