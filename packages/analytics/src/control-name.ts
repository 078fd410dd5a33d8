// Their text is never read: it may hold what the learner typed, or every option of a select.
const field = /^(INPUT|SELECT|TEXTAREA|FORM)$/;

// A label's text without the options of a select or the text of a textarea it wraps.
const labelText = (label: Element) => {
  const copy = label.cloneNode(true) as Element;
  for (const el of copy.querySelectorAll('select,textarea')) el.remove();
  return copy.textContent;
};

/**
 * The name of a link or control, as a person would call it: its `data-track` attribute, else its
 * accessible name (`aria-label`, `aria-labelledby`, its `<label>`, the caption of an input button,
 * its text, `title`, an image's `alt`), else its `name` attribute. Never a form field's value nor
 * text the learner typed (the text of a field or a form is never read). Whitespace collapsed, at most 100 characters.
 *
 * @example controlName(document.querySelector('button[aria-label="Close"]')!) // 'Close'
 */
export function controlName(el: Element): string {
  const input = el as HTMLInputElement;
  const isField = field.test(el.tagName);
  const name =
    el.getAttribute('data-track') ||
    el.getAttribute('aria-label') ||
    (el.getAttribute('aria-labelledby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' ')
      .trim() ||
    (isField
      ? input.labels?.[0]
        ? labelText(input.labels[0])
        : /^(button|submit|reset)$/.test(input.type)
          ? input.value
          : ''
      : el.textContent) ||
    el.getAttribute('title') ||
    el.querySelector('img[alt]')?.getAttribute('alt') ||
    el.getAttribute('name') ||
    '';
  return name.replace(/\s+/g, ' ').trim().slice(0, 100);
}
