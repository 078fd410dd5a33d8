import { EmailError } from './errors.js';
import { maxFieldBytes } from './token.js';

// Options are checked as `unknown`: JavaScript and JSON callers pass what the types rule out, and
// they get an EmailError naming the option, never a TypeError from deep inside.

/** Checks that the options given are an object; `shape` goes in the hint. */
export function checkOptions(options: unknown, shape: string): void {
  if (typeof options !== 'object' || options === null)
    throw new EmailError('invalid_option', 'options', 'must be an object', `Pass ${shape}.`);
}

/** The `memberId` option: a string of 1-255 bytes, or `null` (the platform) when omitted or null. */
export function memberIdOption(memberId: unknown): string | null {
  if (memberId === undefined || memberId === null) return null;
  if (typeof memberId !== 'string' || memberId.length === 0 || Buffer.byteLength(memberId) > maxFieldBytes)
    throw new EmailError(
      'invalid_option',
      'memberId',
      `must be a string of 1-${maxFieldBytes} bytes`,
      'Use the id from optin.config.ts.',
    );
  return memberId;
}

/** The `now` option: a function giving epoch milliseconds, `Date.now` when omitted. */
export function clock(now: unknown): () => number {
  if (now === undefined) return Date.now;
  if (typeof now !== 'function')
    throw new EmailError(
      'invalid_option',
      'now',
      'must be a function',
      'Pass a clock such as `() => Date.now()`, or omit it.',
    );
  return now as () => number;
}
