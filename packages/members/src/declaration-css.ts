/**
 * The class `declarationToHtml` puts on the words that complete a link's name for screen readers
 * ("Opt out" + " for Meta (opens in a new tab)"): read aloud, never shown. {@link declarationCss}
 * styles it.
 */
export const visuallyHiddenClass = 'optin-visually-hidden';

/**
 * The CSS the HTML declaration needs, to add to the stylesheet of every page that shows it (or in a
 * `<style>` element): it hides `.optin-visually-hidden` from sight while keeping it in the
 * accessible name of its link. Without it, that text shows next to each link.
 *
 * @example
 * document.head.append(Object.assign(document.createElement('style'), { textContent: declarationCss }));
 */
export const declarationCss = `.${visuallyHiddenClass} {
  position: absolute !important;
  width: 1px !important;
  height: 1px !important;
  padding: 0 !important;
  margin: -1px !important;
  overflow: hidden !important;
  clip: rect(0, 0, 0, 0) !important;
  white-space: nowrap !important;
  border: 0 !important;
}
`;
