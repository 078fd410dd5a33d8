import { describe, expect, it } from 'vitest';
import { memberFacing } from '../src/member-facing.js';
import { createRegistry } from '../src/registry.js';
import { sampleConfig } from './fixtures/config.js';

const registry = createRegistry(sampleConfig());
const harvard = registry.config.members.find((m) => m.id === 'HarvardX');
if (!harvard) throw new Error('the sample config has HarvardX');
const facing = memberFacing(registry, harvard);
const mit = 'course-v1:MITx+Special+2026';

describe("a Member's tracker is given no other Member's course, however the text encodes it (as the collector reads it)", () => {
  const encoded: Record<string, string> = {
    'HTML character references': 'course-v1&#58;MITx&plus;Special&#x2B;2026',
    'code escapes': 'course-v1\\u003aMITx\\x2bSpecial%u002B2026',
    'percent escapes, three times': encodeURIComponent(encodeURIComponent(encodeURIComponent(mit))),
    'an HTML reference, percent-encoded': encodeURIComponent('course-v1&#58;MITx+Special+2026'),
  };
  for (const [how, text] of Object.entries(encoded))
    it(`leaves out a key written with ${how}`, () => {
      expect(facing.properties({ label: text, [text]: 1, ok: 'course-v1:HarvardX+CS50+2026' })).toEqual({
        label: '',
        ok: 'course-v1:HarvardX+CS50+2026',
      });
      expect(facing.name(`Clicked ${text}`)).toBe('Clicked [course]');
    });

  it('leaves out a key under a namespace in another case (no key to Open edX, but it names the org)', () => {
    expect(facing.properties({ label: 'CCX-V1:MITx+Special+2026+ccx@3' })).toEqual({ label: '' });
    expect(facing.properties({ label: 'CCX-V1:HarvardX+CS50+2026+ccx@3' })).toEqual({
      label: 'CCX-V1:HarvardX+CS50+2026+ccx@3',
    });
  });

  it('leaves out text still encoded after every round of decoding', () => {
    let text = mit;
    for (let i = 0; i < 9; i++) text = encodeURIComponent(text);
    expect(facing.properties({ label: text })).toEqual({ label: '' });
  });

  it("keeps the Member's own course and text naming none, encoded or not", () => {
    const own = 'course-v1&#58;HarvardX&plus;CS50&plus;2026';
    expect(facing.properties({ label: own, plain: 'a &amp; b \\u0041', pct: '100%25' })).toEqual({
      label: own,
      plain: 'a &amp; b \\u0041',
      pct: '100%25',
    });
  });
});
