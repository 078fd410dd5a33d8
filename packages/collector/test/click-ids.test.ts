import { describe, expect, it } from 'vitest';
import { withoutClickIds } from '../src/click-ids.js';

describe('a URL without its ad click ids', () => {
  it('leaves them out of the fragment too, as parameters or a hash route query, the rest as written', () => {
    const cases: Record<string, string> = {
      'https://x.org/a#gclid=G1': 'https://x.org/a',
      'https://x.org/a#gclid=G1&tab=2': 'https://x.org/a#tab=2',
      'https://x.org/a?q=1#fbclid=F1': 'https://x.org/a?q=1',
      'https://x.org/a?gclid=G1#/route?fbclid=F1&b=%20c': 'https://x.org/a#/route?b=%20c',
      'https://x.org/#/route?fbclid=F1': 'https://x.org/#/route',
      'https://x.org/#/route?a=1&Fb%43lid=F1&c': 'https://x.org/#/route?a=1&c',
      '#gclid=G1': '',
      '#/course?ttclid=T1&x=1': '#/course?x=1',
    };
    expect(Object.fromEntries(Object.keys(cases).map((url) => [url, withoutClickIds(url)]))).toEqual(cases);
  });

  it('keeps a fragment, or a query, that holds no click id exactly as written', () => {
    const kept = [
      'https://x.org/a?q=1#unit',
      'https://x.org/a#/route?gclid_like=1',
      'https://x.org/a?utm_source=ad#section-%41',
    ];
    expect(kept.map(withoutClickIds)).toEqual(kept);
  });
});
