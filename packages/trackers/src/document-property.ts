/** `document.prerendering` (speculation rules), which TypeScript's DOM types do not have yet. */
type Prerendered = Document & { readonly prerendering?: boolean };

/**
 * `document[key]` as Document defines it (`undefined` where the browser does not have it). Read on
 * `document` itself, it is an element of the page named like it, when there is one: `<img name="cookie">`
 * shadows `document.cookie`, `<form name="scripts">` `document.scripts` (the document's named
 * properties), which a course's HTML or a learner's forum post may hold.
 */
export function documentProperty<K extends keyof Prerendered>(key: K): Prerendered[K] {
  return Reflect.get(Document.prototype, key, document);
}
