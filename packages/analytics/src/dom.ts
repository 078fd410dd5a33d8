// Reads of an element that the page's named elements cannot shadow. A form's controls shadow the form's own
// properties and methods (`<input name="parentNode">`, `name="matches"`, `name="isContentEditable"`), and a
// document's named images and forms the document's (`<img name="host">`, `<img name="getElementById">`,
// `<form name="addEventListener">`), which course authors' HTML may have: a walk through them would never end, or
// throw. So they are read through the prototypes' own getters and methods (the document's: `Document.prototype`'s,
// where they are read; its events are heard on the window, whose own methods no named element shadows). (A shadow
// root has no named properties.)

/**
 * The document's own `key` (`Document.prototype`'s getter: `<img name="hidden">`, `name="title"` or `name="cookie"`
 * shadows `document.hidden`, `document.title` and `document.cookie`), or `undefined` where the browser has none.
 */
export const doc = (key: string): unknown => Reflect.get(Document.prototype, key, document);

/** `el`'s own `key` (`Element.prototype`'s getter, which a form's control can't shadow). */
export const get = (el: Element, key: string) => Reflect.get(Element.prototype, key, el) as Element | null;
/** Whether `el` is an element that matches `sel` (`Element.prototype.matches`, which a form's control can't shadow). */
export const is = (el: unknown, sel: string) => el instanceof Element && Element.prototype.matches.call(el, sel);
/** `el`'s attribute `name` (`Element.prototype.getAttribute`, which a form's control can't shadow). */
export const attr = (el: Element, name: string) => Element.prototype.getAttribute.call(el, name);
