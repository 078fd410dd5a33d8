/** Attributes of {@link h}: `false` omits one, `true` sets it (a boolean attribute such as `checked`). */
type Attributes = Readonly<Record<string, string | boolean>>;

/**
 * Creates an element with attributes and children. Strings become text nodes, never markup, so
 * configuration text (an XSS payload included) is always shown as text.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Node | string | null)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== false) el.setAttribute(name, `${value}`);
  for (const child of children) if (child != null) el.append(child);
  return el;
}

/**
 * Replaces each `{key}` of `values` in a message, in one pass: a value is put in as text, so `$`
 * patterns and `{…}` in it are not special.
 */
export function fill(message: string, values: Readonly<Record<string, string>>): string {
  return message.replace(/\{(\w+)\}/g, (placeholder, key: string) => values[key] ?? placeholder);
}

/**
 * `text` as a child of an element in the language `within`: the text itself, or a span marking its
 * own language `lang` where that differs (WCAG 3.1.2, language of parts), so that a screen reader
 * switches voice for it.
 */
export function marked(text: string, lang: string, within: string): Node | string {
  return lang == within ? text : h('span', { lang }, text);
}
