import { describe, expect, test } from 'vitest';
import { toAnswer } from '../src/answer.js';
import { CliError } from '../src/errors.js';

describe('toAnswer', () => {
  test('under --json, any error is { "error": … } JSON on stdout, as the usage promises: one optin did not expect is internal_error, exit 2', () => {
    const self: object = new Proxy(
      {},
      {
        getPrototypeOf: () => {
          throw self;
        },
        get: () => {
          throw self;
        },
      },
    );
    for (const [thrown, message] of [
      [new TypeError('socket hang up'), 'socket hang up'],
      [null, 'threw null, not an Error'],
      [Symbol('sym'), 'threw the symbol Symbol(sym), not an Error'],
      [self, 'threw a Proxy, not an Error'],
      [{ code: 'ECONNRESET' }, 'threw the object { code: "ECONNRESET" }, not an Error'],
    ] as const) {
      const answer = toAnswer(thrown, 'audit', true);
      expect(answer.code).toBe(2);
      expect(JSON.parse(answer.stdout)).toEqual({
        error: { code: 'internal_error', issues: [{ path: 'audit', message }], hint: expect.any(String) },
      });
      expect(answer.stderr).toBe(
        `error internal_error\n  audit: ${message}\n${JSON.parse(answer.stdout).error.hint}\n`,
      );
      expect(toAnswer(thrown, 'declare', false).stdout).toBe('');
    }
  });

  test('a CliError is answered with its own code', () => {
    const error = new CliError(
      'browser_failed',
      [{ path: 'url', message: 'answered 404' }],
      'Audit a page that loads.',
    );
    expect(toAnswer(error, 'audit', true)).toEqual({
      stdout: `${JSON.stringify({ error: { code: 'browser_failed', issues: error.issues, hint: error.hint } }, null, 2)}\n`,
      stderr: 'error browser_failed\n  url: answered 404\nAudit a page that loads.\n',
      code: 2,
    });
  });
});
