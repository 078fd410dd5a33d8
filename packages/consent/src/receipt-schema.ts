import * as z from 'zod/mini';

const choices = z.record(z.string().check(z.minLength(1), z.maxLength(64)), z.boolean());

/**
 * The zod schema of a {@link ConsentReceipt}, for servers that accept receipts
 * (`@optin/collector` validates `POST /v1/consent` with it).
 */
export const receiptSchema = z.object({
  subject: z.string().check(z.minLength(1), z.maxLength(200)),
  consentId: z.string().check(z.minLength(1), z.maxLength(64)),
  policy: z.object({
    id: z.string().check(z.minLength(1), z.maxLength(64)),
    version: z.string().check(z.minLength(1), z.maxLength(64)),
    hash: z.string().check(z.minLength(1), z.maxLength(16)),
  }),
  purposes: choices,
  members: z.record(z.string().check(z.minLength(1), z.maxLength(64)), choices),
  source: z.enum(['banner', 'preferences', 'api', 'gpc', 'default']),
  decidedAt: z.iso.datetime(),
  gpc: z.boolean(),
  implied: z.optional(z.boolean()),
});
