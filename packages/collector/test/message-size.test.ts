import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonBytes, oversizedMessage } from '../src/message-size.js';

describe('message size', () => {
  it('counts the longest number a double prints (25 characters) at its full size', () => {
    const longest = -0.0000012345678901234567;
    expect(String(longest)).toHaveLength(25);
    const message = { n: Array.from({ length: 1000 }, () => longest) };
    const size = jsonBytes(message);
    expect(oversizedMessage(message, 0, size - 1)).toBe(size);
  });

  it('refuses exactly the messages whose JSON (plus the inherited context) is over the limit', () => {
    // Heavy on what JSON escapes or UTF-8 widens, where a size bound is most likely to be wrong.
    const unit = fc.oneof(
      fc.constantFrom('\u0000', '\u001f', '"', '\\', '\n', 'é', '€', '\ud800', '\udc00', '😀'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    const text = fc.oneof(
      fc.string({ unit, maxLength: 40 }),
      fc.tuple(unit, fc.nat(60)).map(([c, n]) => c.repeat(n)),
    );
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(text, fc.double(), fc.integer(), fc.boolean(), fc.constant(null)),
      node: fc.oneof(
        { depthSize: 'small' },
        tie('leaf'),
        fc.array(tie('node'), { maxLength: 6 }),
        fc.dictionary(text, tie('node'), { maxKeys: 6 }),
      ),
    })).node;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.dictionary(text, value, { maxKeys: 6 }),
          // One long string: the bound's margin on everything else cannot hide a wrong one for it.
          fc.tuple(text, fc.oneof(text, fc.double())).map(([key, item]) => ({ [key]: item })),
        ),
        fc.nat(200),
        fc.integer({ min: -20, max: 20 }),
        (message, inherited, offset) => {
          const size = jsonBytes(message) + inherited;
          // Limits around the exact size, where a wrong bound would show.
          const limit = Math.max(0, size + offset);
          expect(oversizedMessage(message, inherited, limit)).toBe(size > limit ? size : undefined);
        },
      ),
      { numRuns: 1500 },
    );
  });
});
