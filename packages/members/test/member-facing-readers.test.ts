import { describe, expect, it } from 'vitest';
import { memberFacing } from '../src/member-facing.js';
import { createRegistry } from '../src/registry.js';
import { sampleConfig } from './fixtures/config.js';

// Every way the collector reads a course in a Member's events (@optin/consent/course-key), read in
// the browser too: a Member's tracker is given no more than the Member's collector events.
const registry = createRegistry(sampleConfig());
const harvard = registry.config.members.find((m) => m.id === 'HarvardX');
if (!harvard) throw new Error('the sample config has HarvardX');
const facing = memberFacing(registry, harvard);
const b64 = (text: string) => Buffer.from(text).toString('base64');
const hex = (text: string) => Buffer.from(text).toString('hex');

describe("a HarvardX tracker is given none of MITx's courses, however they are written (red-team review)", () => {
  it('leaves out old keys, catalog keys, asset keys, /c4x/ assets and Discovery-style fields', () => {
    const given = facing.properties({
      course_id: 'MITx/6.002x/2012_Fall',
      course_key: 'MITx+6.00.1x',
      image: 'https://courses.edx.org/asset-v1:MITx+6.00.1x+2T2026+type@asset+block@card.jpg',
      asset: '/c4x/MITx/6.002x/asset/intro.png',
      usage: 'i4x://MITx/6.002x/problem/p1',
      card: { org: 'MITx', number: '6.00.1x', run: '2T2026' },
      query: 'https://www.edx.org/search?org=MITx&number=6.002x',
      text: 'see MITx/6.002x/2012_Fall for more',
      kept: 1,
    });
    expect(JSON.stringify(given)).not.toContain('MITx');
    expect(given.kept).toBe(1);
    expect(facing.name('Clicked MITx+6.00.1x')).toBe('Clicked [course]');
  });

  it('leaves out the platform’s old key in a course id parameter', () => {
    expect(facing.properties({ course_id: 'edX/DemoX/2013', link: '/register?course_id=edX/DemoX/2013' })).toEqual({
      course_id: '',
      link: '/register',
    });
  });

  it("leaves out a key split across an array's items, base64, hex and JSON text naming one", () => {
    const given = facing.properties({
      parts: ['course-v1:', 'MITx+6.00.1x+2T2026', 7],
      split: ['course-v1:', 'MITx', '+6.00.1x+2T2026', 7, 'kept'],
      state: `s-${b64('{"course":"course-v1:MITx+6.00.1x+2T2026"}')}`,
      id: hex('MITx+6.00.1x'),
      json: '{"org":"MITx","number":"6.00.1x"}',
    });
    expect(given).toEqual({
      parts: ['course-v1:', '', 7],
      split: ['', '', '', 7, 'kept'],
      state: '',
      id: '',
      json: '',
    });
  });

  it("keeps HarvardX's own courses so written, and text naming no course", () => {
    const kept = {
      course_id: 'HarvardX/CS50/2013',
      course_key: 'HarvardX+CS50',
      image: 'https://courses.edx.org/asset-v1:HarvardX+CS50+2026+type@asset+block@card.jpg',
      asset: '/c4x/HarvardX/CS50/asset/intro.png',
      card: { org: 'HarvardX', number: 'CS50', run: '2026' },
      parts: ['course-v1:', 'HarvardX+CS50+2026'],
      state: b64('{"course":"course-v1:HarvardX+CS50+2026"}'),
      date: '2024/01/02',
      sum: '1+2',
      hash: 'd41d8cd98f00b204e9800998ecf8427e',
    };
    expect(facing.properties(kept)).toEqual(kept);
  });
});
