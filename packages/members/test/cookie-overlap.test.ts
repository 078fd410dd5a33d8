import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cookieOverlap, sampleNames } from '../src/cookie-overlap.js';

describe('sampleNames', () => {
  it('builds names from classes, least repeats, none-and-one and each alternative', () => {
    expect(sampleNames(/^_pk_id\.\d+\./)).toEqual(['_pk_id.0.']);
    expect(sampleNames(/^x\w{3,}$/)).toEqual(['xaaa']);
    expect(sampleNames(/^x[5-9][^0-9]$/)).toEqual(['x5a']);
    expect(sampleNames(/^ab?c*$/)).toEqual(['a', 'ac', 'ab', 'abc']);
    expect(sampleNames(/^_gcl_(aw|dc|au)$/)).toEqual(['_gcl_aw', '_gcl_dc', '_gcl_au']);
    expect(sampleNames(/^(?<site>\d{1,2})\.x\u0041\x42$/)).toEqual(['0.xAB']);
    expect(sampleNames(/^\p{Lu}_[\p{L}]$/u)).toEqual(['A_a']);
    // Under the v flag (nested classes, set operations), written as a constructor for older targets.
    expect(sampleNames(new RegExp('^[\\p{L}--[a-z]]$', 'v'))).toEqual(['A']);
    expect(sampleNames(/^x.y$/)).toEqual(['xay']);
  });

  it('gives up on what it cannot sample: lookarounds, back-references, a pattern no sample matches', () => {
    for (const pattern of [/^a(?=b)/, /^a(?!b)/, /(?<=a)b/, /^(a)\1$/, /^(?<x>a)\k<x>$/, /a^b/, /^a{1000}$/])
      expect(sampleNames(pattern), String(pattern)).toBeUndefined();
  });

  it('never throws, and every name it gives is one its pattern matches', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 30 }),
          fc
            .array(
              fc.constantFrom(
                ...'a b \\d \\w \\. \\b \\1 \\p{L} \\x4 \\u{41} [a-c] [^x] [] [^] ( (?: (?= (?<n> ) | ? * + {2} {0,} {1,3} . ^ $ ] } {'.split(
                  ' ',
                ),
              ),
              { maxLength: 12 },
            )
            .map((parts) => parts.join('')),
        ),
        fc.constantFrom('', 'i', 'u', 'v', 's'),
        (source, flags) => {
          let pattern: RegExp;
          try {
            pattern = new RegExp(source, flags);
          } catch {
            return;
          }
          for (const name of sampleNames(pattern) ?? []) expect(pattern.test(name)).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('cookieOverlap', () => {
  it('finds a shared name either way round, or a shared literal head when a pattern cannot be sampled', () => {
    expect(cookieOverlap(/^_pk_id\./, /^_pk_id\.\d+\./)).toEqual({ name: '_pk_id.0.' });
    expect(cookieOverlap(/^_pk_id\.\d+\./, /^_pk_id\.7\./)).toEqual({ name: '_pk_id.7.' });
    expect(cookieOverlap('_ga', /^_ga(_\w+)?$/)).toEqual({ name: '_ga' });
    expect(cookieOverlap('optin', /^optin_(id|ses)$/)).toBeNull();
    expect(cookieOverlap(/^_pk_id\.1\./, /^_pk_id\.2\./)).toBeNull();
    const lookahead = /^_pk_id\.(?=\d)/;
    expect(cookieOverlap(/^_PK_ID\./i, lookahead)).toEqual({ prefix: '_pk_id.', unsampled: lookahead });
    // Conservative: reported though the lookahead keeps `optin` itself out.
    expect(cookieOverlap('optin', /^opt(?!in)/)).toEqual({ prefix: 'opt', unsampled: /^opt(?!in)/ });
    // A quantified last letter is no part of the head: /^hx?(?=1)/ begins with "h" only.
    expect(cookieOverlap(/^hy_\d$/, /^hx?(?=1)/)).toEqual({ prefix: 'h', unsampled: /^hx?(?=1)/ });
    expect(cookieOverlap(/^mx_/, /^hx_(?=\d)/)).toBeNull();
  });

  it('finds the name a case-insensitive pattern shares with another in any case, not only as it is written', () => {
    expect(cookieOverlap(/^_pk_id\./, /^_PK_ID\.\d+\./i)).toEqual({ name: '_pk_id.0.' });
    expect(cookieOverlap(/^_PK_ID\.\d+\./i, /^_pk_id\./)).toEqual({ name: '_pk_id.0.' });
    expect(cookieOverlap(/^_GA_X/i, /^_ga_/)).toEqual({ name: '_ga_x' });
    expect(cookieOverlap(/^_ga_x$/, /^_GA_X$/i)).toEqual({ name: '_ga_x' });
    // Without the flag, case still tells names apart.
    expect(cookieOverlap(/^_GA_X/, /^_ga_/)).toBeNull();
  });

  it('finds a name two classes share beyond their first members', () => {
    expect(cookieOverlap(/^[ac]x$/, /^[bc]x$/)).toEqual({ name: 'cx' });
    expect(cookieOverlap(/^hx_[a-f0-9]+$/, /^hx_[0-9]{2}$/)).toEqual({ name: 'hx_00' });
    expect(cookieOverlap(/^_g[b-z]d$/, /^_gi[a-z]$/)).toEqual({ name: '_gid' });
    expect(cookieOverlap(/^mp_[A-Z]+$/, /^mp_[a-z]+$/)).toBeNull();
    expect(cookieOverlap(/^[^a]x$/, /^[ab]x$/)).toEqual({ name: 'bx' });
    // Heads that differ share nothing; one made optional is no part of the head.
    expect(cookieOverlap(/^hx_[a-z]+$/, /^mx_[a-z]+$/)).toBeNull();
    expect(cookieOverlap(/^x😀?y$/u, 'xy')).toEqual({ name: 'xy' });
    expect(cookieOverlap(/^x(?:ab|cd)$/, /^xcd$/)).toEqual({ name: 'xcd' });
  });
});
