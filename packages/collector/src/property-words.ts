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
