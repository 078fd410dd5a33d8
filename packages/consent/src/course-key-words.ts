/**
 * The words of a property's name, in lower case: `previousPageUrl`, `previous_page_url`,
 * `Previous Page URL`, `$previous-page.url` are all `previous`, `page`, `url`.
 */
export const wordsOf = (key: string): string[] =>
  key
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z\d]+/)
    .filter(Boolean);

/**
 * Whether a word of a property's name ({@link wordsOf}) says it holds a referrer, whose text a
 * Member is given only as a URL or path: `referrer`, `referer`, `referring` (also glued after
 * `http`, `url`, `page` or `document`: `httpReferer`, `referrerurl`), `referral`, `referred`
 * (`referredFrom`), `ref`, `refs`, Matomo's `urlref`; never `preferring`.
 */
export const referrerWord = (word: string): boolean =>
  /^(?:http|url|page|doc(?:ument)?)?refer(?:r?er|r?ing)/.test(word) ||
  /^(?:url)?ref(?:s?|er{1,2}al\w*|er{1,2}ed\w*)$/.test(word);

/**
 * Whether a word of a property's name ({@link wordsOf}) says it holds the learner's previous page,
 * whose URLs a Member is given by origin and path only: `prev`, `previous`, `from`, `last`,
 * `source`, `history`, alone or glued to `page`, `visited`, `url`, `path`, … (`previous_urls`,
 * `prevPages`, `last_visited_url`, `Previous URL`, `navigation.from`).
 */
export const previousWord = (word: string): boolean =>
  /^(?:prev(?:ious)?|from|last|source|history)(?:page|visited)?(?:ur[li]|href|page|path|pathname|location|link)?s?$/.test(
    word,
  );
