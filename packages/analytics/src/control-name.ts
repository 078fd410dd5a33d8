import { attr, get, is } from './dom.js';

// Fields: what they hold or show may be what the learner typed or chose (a select's options, a custom
// select's value, title or flag). Nothing in or of one is read for a name (text, title, alt, a label in it).
// (Not an input button, whose caption or title is the author's; nor a `contenteditable="false"` wrapper.)
// Text a site marks private for its session-recording tools (Hotjar's `data-hj-suppress`, as Open edX's header marks
// the learner's username; LogRocket's, FullStory's, PostHog's, Datadog's, Clarity's, rrweb's and Sentry's masks and
// blocks, Sentry's attributes too; Datadog's `mask-unless-allowlisted` is the one value of `data-dd-privacy` that ends
// so): read as a field's, never; and no unmask (`data-sentry-unmask`) inside one counts. The HTML parser lower-cases
// attribute names, not class names nor values: those are read in any case (`Sentry-Mask`, `data-dd-privacy="MASK"`),
// when unsure, no name. (An `<output>` shows what was typed or computed from it: a field.)
const marked =
  '[data-hj-suppress],[data-private],[data-sentry-mask],[data-sentry-block],[data-clarity-mask="true" i],[data-dd-privacy="mask" i],[data-dd-privacy="hidden" i],[data-dd-privacy$="allowlisted" i],[class~="dd-privacy-mask" i],[class~="dd-privacy-hidden" i],[class~="_lr-hide" i],[class~="fs-mask" i],[class~="fs-exclude" i],[class~="ph-no-capture" i],[class~="rr-mask" i],[class~="rr-block" i],[class~="sentry-mask" i],[class~="sentry-block" i]';
const fields = `${marked},output,input:not([type=button],[type=submit],[type=reset],[type=image]),select,textarea,[contenteditable]:not([contenteditable=false]),[aria-haspopup=listbox],[role=combobox],[role=listbox],[role=option],[role=textbox],[role=searchbox],[role=spinbutton]`;
// A select's wrapper: an element with a native `<select>` and at most two other elements as children (a page's
// container that holds a select among many controls is none). Anything else in it but a label is taken for the
// select's face, as a field: the plain `<button>` bootstrap-select 1.x and bootstrap-multiselect build next to
// the select they hide shows the option chosen, with no ARIA role to tell it (a Sort button beside a select in a
// small wrapper loses its name too: when unsure, no name). Only on the way up from a control, and as the walk
// below enters an element: `:has()` on the parent of every node read would cost a scan of its siblings each,
// 100 ms for a card holding a 20,000-item list. (`:has()`: Chrome 105, Safari 15.4, Firefox 121.)
const near = ':is(:has(>select):not(:has(>:nth-child(4))))';

// What a field is, or anything in one, is the `up` (below) of: a field, or anything beside a native select but a label.
const field = `${near}>:not(label),${fields}`;

// `el` or the nearest of what holds it that matches `sel` (as `closest`), up the composed tree as it is shown: from a
// slotted element to its slot, out of a shadow root to its host, nested roots too (a mark or field around a web
// component's host, or around the slot it shows light DOM in, covers what is in it, as on the screen a recording
// shows). (A document or window, an event's target, or a fragment, ends it.)
// (Read through the prototypes' own getters, which a form's controls can't shadow: see dom.ts. A shadow root has no
// named properties: its own `host` is read.)
export const up = (el: unknown, sel: string) => {
  for (
    ;
    el && !is(el, sel);
    el = el instanceof Element ? get(el, 'assignedSlot') || get(el, 'parentNode') : el instanceof ShadowRoot && el.host
  );
  return el as Element | null | false;
};

// The text of `el` without the fields and forms in it; none of a field, of what is in one, or of a form.
// Only its first 1,000 characters or so are read (a name is at most 100), and its first 2,000 nodes: a card
// holding a 20,000-item list, or a chart of 100,000 text-less cells, costs no more than a button. Text of
// whitespace alone (the indentation of a pretty-printed icon) counts as one space, however long and however
// many in a row (collapsed as it is read); whitespace alone is no name (the title is). (A tree walker over
// elements, 1, and text, 4, skipping a field's or a form's subtree, 2.)
const text = (el?: Element | null) => {
  if (!el || up(el, field) || is(el, 'form')) return '';
  // (The document's own methods, here and below: a named image, `<img name="createTreeWalker">`, shadows them.)
  const walker = Document.prototype.createTreeWalker.call(document, el, 5, (n) =>
    is(n, `form,${near},${fields}`) ? 2 : 1,
  );
  let read = '';
  for (let i = 0; read.length < 1e3 && i++ < 2e3 && walker.nextNode();)
    read = (read + ((walker.currentNode as Partial<Text>).data ?? '')).replace(/\s+/g, ' ');
  return read.trim();
};

// A chip of a multi-value combobox one types into (MUI's Autocomplete, react-select: a `[role=button]` that is
// no `<button>`), whose text or label is a value chosen or typed: a later sibling of `el` or of its parent (not
// in a form) is such a combobox, or has one as its child (chips come before the input; a button after a search
// box, a toolbar's filter or a table cell's is no chip, nor a native `<button>` before one). (Only through elements of fewer than 99 children: a click in a chart of 100,000 cells reads none.)
const combo = (el: Element | null): unknown =>
  el &&
  el.childElementCount < 99 &&
  ([el, ...(get(el, 'children') as unknown as Element[])].some((c) =>
    is(c, 'input[role=combobox],[aria-autocomplete]'),
  ) ||
    combo(el.nextElementSibling));
const beside = (el: Element, up = 2, p = el.parentElement): unknown =>
  up && p && p.childElementCount < 99 && !is(p, 'form') && (combo(el.nextElementSibling) || beside(p, up - 1));

/**
 * The name of a link or control, as a person would call it: its `data-track` attribute, else its
 * accessible name (`aria-label`, `aria-labelledby`, its `<label>`, the caption of an input button,
 * its text, `title`, an image's `alt`), else its `name` attribute. Never a form field's value, the
 * option chosen (a radio, native or `role="radio"`/`menuitemradio`, or a `role="option"` is named by
 * `data-track` or its `name` only: its own label or text is the choice) nor text the learner typed:
 * nothing in or of a field (`input` but an input button, `textarea`, `select`, `output`, editable content but a
 * `contenteditable="false"` wrapper, and the custom ones:
 * `[role=combobox|listbox|option|textbox|searchbox|spinbutton]`, `[aria-haspopup=listbox]`, and anything
 * beside a native `<select>` in a small wrapper but a label: the button bootstrap-select and bootstrap-multiselect
 * show) is read,
 * not its text, `title`, an image's `alt` in it (a custom select's flag) or a label inside it; a form
 * is never named by its text or an image (an upload's preview); a chip of a combobox one types into
 * (a `[role=button]` that is no `<button>`, a later sibling of which or of its parent, not in a form, is or
 * has as child an `input[role=combobox]` or an `[aria-autocomplete]`: chips come before the input, their
 * text or label a value) is named by `data-track` (or `name`) only; and a name holding an `@` (an email
 * address) is none. Text a site marks private for session-recording tools is read as a field's (never):
 * in or of an element with `data-hj-suppress` (Hotjar's, on the username in Open edX's user menu),
 * `data-private` or class `_lr-hide` (LogRocket), class `fs-mask` or `fs-exclude` (FullStory), `ph-no-capture`
 * (PostHog), `data-dd-privacy="mask"`, `"hidden"` or `"mask-unless-allowlisted"` or class `dd-privacy-mask` or
 * `dd-privacy-hidden` (Datadog), `data-clarity-mask="true"` (Clarity, any case), class `rr-block` or `rr-mask`
 * (rrweb), `sentry-block` or `sentry-mask` (Sentry); an image so marked (its `alt`); a control so marked, or in
 * such an element, is named by `data-track` (or `name`) only, not by its own `aria-label` ("Account menu for alice").
 * Fields and marks are looked for up the composed tree: through the slot an element is shown in and out of shadow
 * roots to their hosts (a web component's button in a marked element, or slotted into a marked one).
 * With `form` (the default for a `<form>`; the host a closed shadow root's form submit comes out of), `el` is named
 * as a form: by `data-track`, its `aria-label`/`aria-labelledby` or `name` only, never by its text, title or images.
 * When unsure, no name (the event still tells the control's kind).
 * Whitespace collapsed, at most 100 characters (only the start of a long text is read).
 *
 * @example controlName(document.querySelector('button[aria-label="Close"]')!) // 'Close'
 */
export function controlName(el: Element, form = is(el, 'form')): string {
  // (A field or a form: none of its title or images.)
  const inField = form || up(el, field);
  const name =
    attr(el, 'data-track') ||
    (!is(el, '[type=radio],[role$=radio],[role=option]') &&
      // (Marked private, or in what is: none of its own names either, its aria-label "Account menu for alice".)
      !up(el, marked) &&
      !(is(el, '[role=button]:not(button)') && beside(el)) &&
      (attr(el, 'aria-label') ||
        (attr(el, 'aria-labelledby') ?? '')
          .split(' ')
          .map((id) => text(Document.prototype.getElementById.call(document, id)))
          .join(' ')
          .trim() ||
        (is(el, 'input:is([type=button],[type=submit],[type=reset])') && (el as HTMLInputElement).value) ||
        (!form && text((el as HTMLInputElement).labels?.[0] ?? el)) ||
        (!inField &&
          (attr(el, 'title') ||
            el.querySelector<HTMLImageElement>(`img[alt]:not(${fields},:is(${near},${fields}) *)`)?.alt)))) ||
    attr(el, 'name') ||
    '';
  // (A name that holds an email address is the learner's, whatever put it there: no name.)
  return /@/.test(name) ? '' : name.replace(/\s+/g, ' ').trim().slice(0, 100);
}
