import { describe, expect, it } from 'vitest';
import { previousWord, referrerWord, wordsOf } from '../src/course-key.js';

describe('the words of property names', () => {
  it('splits a name in any case style into lower-case words', () => {
    for (const name of ['previousPageUrl', 'previous_page_url', 'Previous Page URL', '$previous-page.url'])
      expect(wordsOf(name), name).toEqual(['previous', 'page', 'url']);
  });

  it('tells the words of a referrer’s and of a previous page’s names', () => {
    for (const name of ['referrer', 'httpReferer', 'referral_url', 'ref', 'urlref', 'referredFrom', 'docReferrer'])
      expect(wordsOf(name).some(referrerWord), name).toBe(true);
    for (const name of ['preferring', 'reference_id', 'label'])
      expect(wordsOf(name).some(referrerWord), name).toBe(false);
    for (const name of ['previous_urls', 'prevPages', 'from', 'last_visited_url', 'Previous URL', 'navigation.from'])
      expect(wordsOf(name).some(previousWord), name).toBe(true);
    for (const name of ['fromage', 'lasting', 'label']) expect(wordsOf(name).some(previousWord), name).toBe(false);
  });
});
