/**
 * Attributes of {@link h}: `false` omits one, `true` sets it (a boolean attribute such as `checked`), a
 * number is set as its digits.
 */
type Attributes = Readonly<Record<string, string | number | boolean>>;

/** A child of {@link h}: a node, a text, or none (left out). */
export type Child = Node | string | null | undefined | false;

/**
 * The document's property `key` as the DOM defines it (read from `Document.prototype`): never an
 * element of the page named so, which the document's own property gives instead (`<img
 * name="createElement">` or `<img name="body">` in a course's HTML).
 */
export const doc = <K extends keyof Document>(key: K): Document[K] => Reflect.get(Document.prototype, key, document);

/**
 * Creates an element with attributes and children. Strings become text nodes, never markup, so
 * configuration text (an XSS payload included) is always shown as text; a child that is none
 * (`null`, `undefined`, `false`, `''`) is left out, and a list's children are added in turn.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Child | readonly Child[])[]
): HTMLElementTagNameMap[K] {
  const el = doc('createElement').call(document, tag) as HTMLElementTagNameMap[K];
  // (`true` is set as "true": setAttribute makes a string of it.)
  for (const [name, value] of Object.entries(attributes)) if (value !== false) el.setAttribute(name, value as string);
  for (const child of children.flat()) if (child) el.append(child);
  return el;
}

/**
 * Replaces each `{key}` of `values` in a message, in one pass: a value is put in as text, so `$`
 * patterns and `{…}` in it are not special. A placeholder without a value (or no `values`) stays.
 */
export function fill(message: string, values?: Readonly<Record<string, string>>): string {
  return message.replace(/\{(\w+)\}/g, (placeholder, key: string) => values?.[key] ?? placeholder);
}

/**
 * `text` (a text, or nodes and texts) as a child of an element in the language `within`: itself, or
 * a span marking its own language `lang` where that differs (WCAG 3.1.2, language of parts), so that
 * a screen reader switches voice for it.
 */
export function marked<T extends Child | readonly Child[]>(text: T, lang: string, within: string): T | HTMLSpanElement {
  return lang == within ? text : h('span', { lang }, text);
}

/**
 * "A, B and C" in the language `lang`; with commas where Intl cannot (an old browser, a tag it
 * refuses). Items stay as given: a text marked with its own language keeps its mark.
 */
export function listed<T extends Node | string>(items: T[], lang: string): (T | string)[] {
  try {
    let i = 0;
    return (
      new Intl.ListFormat(lang)
        // (A string has no textContent: itself.)
        .formatToParts(items.map((x) => (x as Node).textContent ?? (x as string)))
        // (One element part per item, in order.)
        .map((part) => (part.type == 'element' ? (items[i++] as T) : part.value))
    );
  } catch {
    return items.flatMap((x, i) => (i ? [', ', x] : [x]));
  }
}
