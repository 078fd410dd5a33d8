import { describe, expect, it } from 'vitest';
import { withoutClickIds, withoutClickIdsIn } from '../src/click-ids.js';

/** Expects each URL of `cases` to give, without its click ids, the text it is mapped to. */
const expectGives = (cases: Record<string, string>): void => {
  expect(Object.fromEntries(Object.keys(cases).map((url) => [url, withoutClickIds(url)]))).toEqual(cases);
};

describe('a URL without its ad click ids', () => {
  it('leaves them out of the fragment too, as parameters or a hash route query, the rest as written', () => {
    expectGives({
      'https://x.org/a#gclid=G1': 'https://x.org/a',
      'https://x.org/a#gclid=G1&tab=2': 'https://x.org/a#tab=2',
      'https://x.org/a?q=1#fbclid=F1': 'https://x.org/a?q=1',
      'https://x.org/a?gclid=G1#/route?fbclid=F1&b=%20c': 'https://x.org/a#/route?b=%20c',
      'https://x.org/#/route?fbclid=F1': 'https://x.org/#/route',
      'https://x.org/#/route?a=1&Fb%43lid=F1&c': 'https://x.org/#/route?a=1&c',
      '#gclid=G1': '',
      '#/course?ttclid=T1&x=1': '#/course?x=1',
    });
  });

  it('keeps a fragment, or a query, that holds no click id exactly as written', () => {
    const kept = [
      'https://x.org/a?q=1#unit',
      'https://x.org/a#/route?gclid_like=1',
      'https://x.org/a?utm_source=ad#section-%41',
    ];
    expect(kept.map(withoutClickIds)).toEqual(kept);
  });

  it('reads a parameter after a double ? as URLSearchParams does, in the query and in a hash route', () => {
    expectGives({
      'https://x.org/course??gclid=G1&utm_source=news': 'https://x.org/course??utm_source=news',
      'https://x.org/course??gclid=G1': 'https://x.org/course',
      'https://x.org/#/course??fbclid=F1&a=1': 'https://x.org/#/course??a=1',
    });
  });

  it("leaves them out of a path's ;matrix parameters, after a second # and after a ? inside a value", () => {
    expectGives({
      'https://www.edx.org/course;gclid=G1?utm_source=news': 'https://www.edx.org/course?utm_source=news',
      'https://x.org/a;gclid=G1;v=2/unit': 'https://x.org/a;v=2/unit',
      'https://x.org/a;FBCLID=F1/unit#top': 'https://x.org/a/unit#top',
      'https://www.edx.org/#tab#gclid=G1': 'https://www.edx.org/#tab',
      'https://x.org/#tab#fbclid=F1&utm_source=news': 'https://x.org/#tab&utm_source=news',
      'https://x.org/?utm_source=news?gclid=G1': 'https://x.org/?utm_source=news',
      'https://x.org/?next=https://y.org/?msclkid=M1&utm_source=news':
        'https://x.org/?next=https://y.org/&utm_source=news',
    });
  });

  it('leaves them out of a URL percent-encoded in a value, encoded again, and keeps one that holds none as written', () => {
    expectGives({
      'https://www.edx.org/?next=%2Fcourses%3Fgclid%3DG1%26x%3D1': 'https://www.edx.org/?next=%2Fcourses%3Fx%3D1',
      'https://x.org/?redirect=https%3A%2F%2Fy.org%2F%3Ffbclid%3DF1&a=1':
        'https://x.org/?redirect=https%3A%2F%2Fy.org%2F&a=1',
      'https://x.org/?r=https%253A%252F%252Fy.org%252F%253Fgclid%253DG1':
        'https://x.org/?r=https%253A%252F%252Fy.org%252F',
      'https://x.org/?next=%2fcourses%3fx%3d1&bad=%E0%A4%A': 'https://x.org/?next=%2fcourses%3fx%3d1&bad=%E0%A4%A',
    });
  });
});

describe('a value of a message without its ad click ids', () => {
  it("keeps the text around a click id in a page's field that is not a URL, and reads it in arrays", () => {
    const value = {
      search: 'C#&fbclid',
      url: 'Pasted: https://x.org/?gclid=G1 and more text',
      path: 'x.org/a?gclid=G1&gclid=G2&b=2#tab',
      hash: 'see #Gb%72aid=W1; then ?x=1&msclkid=M1',
      referrer: ['x.org/a??wbraid=W1&q', 'fine'],
    };
    expect(withoutClickIdsIn(value)).toEqual({
      search: 'C#&fbclid',
      url: 'Pasted: https://x.org/ and more text',
      path: 'x.org/a?b=2#tab',
      hash: 'see ; then ?x=1',
      referrer: ['x.org/a??q', 'fine'],
    });
  });

  it('reads a URL with blanks around it, and removes keys named like a click id with blanks around', () => {
    expect(
      withoutClickIdsIn({
        target_url: ' https://x.org/?gclid=G1 ',
        ' gclid': 'G1',
        'FBCLID ': 'F1',
        note: 'x.org/?gclid=G1 ok',
      }),
    ).toEqual({ target_url: ' https://x.org/', note: 'x.org/ ok' });
  });

  it('reads a URL in JSON text up to its quote, and removes one blank of two around a click id', () => {
    expect(
      withoutClickIdsIn({
        json: '{"url":"https://www.edx.org/?gclid=G1","next":"/a?x=1&fbclid=F1"}',
        note: 'see gclid=G1 here, ?fbclid=F1  twice',
        start: 'msclkid=M1 first',
      }),
    ).toEqual({ json: '{"url":"https://www.edx.org/","next":"/a?x=1"}', note: 'see here,  twice', start: 'first' });
  });

  it('reads text holding a URL in any field, removing only its click ids, and keeps ordinary text as written', () => {
    const question = 'Is C# & F# fun? a=b; q&a #tag, see gclid or ?fbclid';
    expect(
      withoutClickIdsIn({
        referrer: { type: 'link', link: 'www.edx.org/?gclid=G1' },
        note: 'Shared x.org/course?a=1&fbclid=F1&b=2 with a friend',
        params: 'gclid=G1&utm_source=news',
        pasted: 'id: mc_cid=C1',
        question,
      }),
    ).toEqual({
      referrer: { type: 'link', link: 'www.edx.org/' },
      note: 'Shared x.org/course?a=1&b=2 with a friend',
      params: 'utm_source=news',
      pasted: 'id: ',
      question,
    });
  });
});
