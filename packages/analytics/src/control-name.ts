// Their text is never read: it may hold what the learner typed or chose (a select's options, editable text,
// a custom select's or ARIA text box's).
const fields =
  'form,input,select,textarea,[contenteditable],[aria-haspopup=listbox],[role=combobox],[role=textbox],[role=searchbox]';

// The text of `el` without the fields and forms in it; none of a field, a form, or text the learner can edit.
// Only its first 1,000 characters or so are read (a name is at most 100): a card holding a 20,000-item list
// costs no more than a button. Text of whitespace alone (the indentation of a pretty-printed icon) counts as
// one space, however long and however many in a row; whitespace alone is no name (the title is). (A tree
// walker over elements, 1, and text, 4, skipping a field's subtree, 2.)
const text = (el?: Element | null) => {
  if (!el || el.matches(fields) || (el as HTMLElement).isContentEditable) return '';
  const walker = document.createTreeWalker(el, 5, (n) => ((n as Partial<Element>).matches?.(fields) ? 2 : 1));
  let read = '';
  while (read.length < 1e3 && walker.nextNode()) {
    const data = (walker.currentNode as Partial<Text>).data ?? '';
    read += /\S/.test(data) ? data : data && !read.endsWith(' ') ? ' ' : '';
  }
  return read.trim();
};

/**
 * The name of a link or control, as a person would call it: its `data-track` attribute, else its
 * accessible name (`aria-label`, `aria-labelledby`, its `<label>`, the caption of an input button,
 * its text, `title`, an image's `alt`), else its `name` attribute. Never a form field's value, the
 * option chosen (a radio, native or `role="radio"`/`menuitemradio`, or a `role="option"` is named by
 * `data-track` or its `name` only: its own label or text is the choice) nor text the learner typed
 * (the text of fields, of a form and of editable content is never read, nor a select's options).
 * Whitespace collapsed, at most 100 characters (only the start of a long text is read).
 *
 * @example controlName(document.querySelector('button[aria-label="Close"]')!) // 'Close'
 */
export function controlName(el: Element): string {
  const name =
    el.getAttribute('data-track') ||
    (!el.matches('[type=radio],[role$=radio],[role=option]') &&
      (el.getAttribute('aria-label') ||
        (el.getAttribute('aria-labelledby') ?? '')
          .split(' ')
          .map((id) => text(document.getElementById(id)))
          .join(' ')
          .trim() ||
        (el.matches('input:is([type=button],[type=submit],[type=reset])') && (el as HTMLInputElement).value) ||
        text((el as HTMLInputElement).labels?.[0] ?? el) ||
        el.getAttribute('title') ||
        el.querySelector<HTMLImageElement>('img[alt]')?.alt)) ||
    el.getAttribute('name') ||
    '';
  return name.replace(/\s+/g, ' ').trim().slice(0, 100);
}
