import { describe, expect, it } from 'vitest';
import { joinedItems, namespacedKeysIn, oldAssetsIn, pathPiecesIn, trailingPunctuation } from '../src/course-key.js';

describe('course keys written in text', () => {
  it('reads namespaced keys of every kind, assets too, in any case, a key cut short by its org', () => {
    const found = namespacedKeysIn(
      'a asset-v1:MITx+6.00.1x+2T2026+type@asset+block@card.jpg, CCX-V1:MITx+S+1+ccx@3 and course-v1:HarvardX',
    );
    expect(found.map(({ namespace, org, course, run }) => [namespace, org, course, run])).toEqual([
      ['asset-v1', 'MITx', '6.00.1x', '2T2026'],
      ['CCX-V1', 'MITx', 'S', '1'],
      ['course-v1', 'HarvardX', undefined, undefined],
    ]);
    expect(namespacedKeysIn('course-v1:MITx+6.00x%2B2026')[0]?.encoded).toBe(true);
    expect(namespacedKeysIn('no key here')).toEqual([]);
  });

  it('reads old assets and usages as their course', () => {
    expect(oldAssetsIn('/c4x/MITx/6.002x/asset/intro.png')).toEqual([{ org: 'MITx', course: '6.002x' }]);
    expect(oldAssetsIn('i4x://MITx/6.002x/problem/p1')).toEqual([{ org: 'MITx', course: '6.002x' }]);
    expect(oldAssetsIn('c4x without a path')).toEqual([]);
  });

  it('finds the paths in text, each URL on its own', () => {
    expect(pathPiecesIn('see https://a.example/?next=https://b.example/courses/MITx/6.002x/2012_Fall/ ok')).toEqual([
      'https://a.example/?next=',
      'https://b.example/courses/MITx/6.002x/2012_Fall/',
    ]);
    expect(pathPiecesIn('no path')).toEqual([]);
    expect('course-v1:MITx+6.002x+2026.'.replace(trailingPunctuation, '')).toBe('course-v1:MITx+6.002x+2026');
  });

  it("joins an array's adjacent text items only where a key can span them", () => {
    expect(joinedItems(['course-v1:', 'MITx+6.00x+2026', 7, 'a', 'b '])).toEqual([
      { start: 0, end: 2, text: 'course-v1:MITx+6.00x+2026' },
      { start: 3, end: 5, text: 'ab ' },
    ]);
    expect(joinedItems(['a ', 'b', 1])).toEqual([]);
  });
});
