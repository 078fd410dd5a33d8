/** Attributes of {@link h}: `false` omits one, `true` sets it empty. */
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
  for (const [name, value] of Object.entries(attributes))
    if (value !== false) el.setAttribute(name, value === true ? '' : value);
  for (const child of children) if (child != null) el.append(child);
  return el;
}

/** Replaces `{name}` in a message (as text: `$` patterns in `name` are not special). */
export function fill(message: string, name: string): string {
  return message.replace(/\{name\}/g, () => name);
}
