import { controlName, up } from './control-name.js';
import { attr, get, is } from './dom.js';
import { shareNetwork } from './share-network.js';

/** Elements whose clicks are recorded (native checkboxes, radios and selects are recorded on `change`). */
const clickable =
  'a[href],button,summary,[role=button],[role=switch],[role=checkbox],[role=tab],[role=menuitem],[data-track],[data-share],[type=button],[type=submit],[type=reset],[type=image]';

/** A `[role=button]` that Enter and Space do not click (as they do a native button, link or summary). */
const custom = '[role=button]:not(a[href],button,summary,input)';

/**
 * Editable content, as `up` looks for it from a control (through shadow roots): anything in an editor, in its
 * `contenteditable="false"` islands too (a link card, a task's checkbox); not a field itself, an editor's root
 * either (a tracked search box's or editor's click is a use: what is typed in it is never read). (Not
 * `isContentEditable`, which a form's field or the document's image of that name shadows.)
 */
const edited = ':read-write *';

/**
 * Records links and controls with one delegated listener on the window (capture phase, through
 * open shadow roots), so elements added later count too: link clicks (the middle button's, which
 * opens a new tab, too) as `edx.ui.lms.link_clicked` `{ current_url, target_url, outbound }`, share
 * controls as `edx.social.share_clicked { network }`, and buttons, `[role=button]`, `summary`,
 * toggles, selects, tracked text fields (`textbox`) and form submits as `optin.ui.control_used { control, name, current_url }` (a
 * native checkbox, radio or select once, on `change`, whatever its role; a custom `[role=button]` the page
 * activates with Enter or Space, once a key). Never a field's value, the
 * option chosen or typed text ({@link controlName}), nor a link or control inside editable content
 * (what the learner typed there), in a `contenteditable="false"` island of an editor too, nor one of the
 * consent UI (`<optin-banner>`, its shadow root and what it holds, or an element of the site's marked
 * `data-optin-consent`, such as a "Cookie settings" button that opens it). Nothing is read (no name) while
 * `may` answers no.
 * `clean` gives a URL as it may be sent (the page's `current_url`, a link's `target_url`: without its
 * `#fragment` unless hash routes are pages, secret query values and an Open edX profile's username redacted),
 * `own` tells the site's hosts (for `outbound`). It stops when `signal` is aborted.
 *
 * @example autotrack((event, properties) => hub.track(event, properties), (url) => url, (host) => host.endsWith('edx.org'), stop.signal, () => consent.allows('analytics'));
 */
export function autotrack(
  track: (event: string, properties: Readonly<Record<string, unknown>>) => void,
  clean: (url: string) => string,
  own: (host: string) => boolean,
  signal: AbortSignal,
  may: () => unknown,
): void {
  const listener = (e: Event) => {
    const [target] = e.composedPath();
    // Not allowed now: nothing read (naming a control reads its text, a whole long card's). Nor the consent
    // UI's controls, the banner's or a site's own marked so (no one learns when the learner used them).
    if (!may() || up(target, 'optin-banner,[data-optin-consent]')) return;
    const current_url = clean(location.href);
    // (An option of a listbox select, clicked: that select's use.)
    const field = (up(target, 'select') || target) as HTMLInputElement;
    // (A form, or the host a form's submit comes out of a closed shadow root as: never named by its text.)
    const use = (control: unknown, el: Element) =>
      control && track('optin.ui.control_used', { control, name: controlName(el, control == 'form'), current_url });
    const nativeKind = (f: unknown) =>
      is(f, 'select') ? 'select' : is(f, 'input:is([type=checkbox],[type=radio])') && 'toggle';
    const native = nativeKind(field);
    // (`button`: 0 for the left one, 1 the middle one, 2 the right one; none on `change` and `submit`.)
    // A key is a left click on a custom `[role=button]` when it is Enter or Space, with which ARIA has the
    // page activate it (in its own keydown handler: no click event); any other key is no use of ours. (A
    // key a script dispatches at the document has no element to match.)
    const {
      button = e.type == 'keydown'
        ? /^( |Enter)$/.test((e as KeyboardEvent).key) && is(field, custom)
          ? 0
          : 2
        : undefined,
    } = e as Partial<MouseEvent>;
    // (A control in editable content, as below, never. A submit at an element: a form's, or, passed on out of a closed
    // shadow root, its host's, but not a host's around a form of its own (that form's submit was this use); not one a
    // script dispatches at the window or the document. In a forgiving :is(), so a browser without :has() matches nothing.)
    if (button == null) return up(field, edited) || use(e.type == 'submit' ? is(field, ':is(:not(:has(form)))') && 'form' : native, field);
    // A native checkbox, radio or select is recorded on `change` only: a click on it, or on its label
    // (whatever the label's or a wrapper's role or data-track), is the same use.
    if (native || nativeKind((up(target, 'label') as HTMLLabelElement | null)?.control)) return;
    const el = up(target, clickable);
    // A link opened with the middle button (a new tab) is used too; no other button but the left is. Links
    // and controls in editable content are what the learner typed there (a pasted link's URL): never.
    // A click the page makes on a custom button (`el.click()` from its keydown handler) is that key's use.
    if (!el || up(el, edited) || (button && (button > 1 || !is(el, 'a'))) || (!e.isTrusted && is(el, custom))) return;
    const network = shareNetwork(el);
    // Resolved as the browser follows it: against the page's `<base href>`, if it has one. An href that
    // is no URL (`http://`, an empty template value) is none.
    let href: URL | undefined;
    try {
      href = new URL(attr(el, 'href') ?? '', el.baseURI);
    } catch {
      // no URL
    }
    const target_url = href && /^https?:$/.test(href.protocol) ? clean(href.href) : undefined;
    if (network) track('edx.social.share_clicked', { current_url, target_url, network });
    else if (is(el, 'a')) {
      if (target_url)
        track('edx.ui.lms.link_clicked', { current_url, target_url, outbound: !own((href as URL).hostname) });
    } else
      use(
        // A field one types in (a text, date or number field, a textarea, an editor's root), editable, read-only (a
        // coupon shown, a locked email) or disabled (`disabled`, which no learner's click reaches but a page's script's
        // does; `aria-disabled`), is a `textbox`, whatever its role but a box's (`combobox`, `searchbox`); an input
        // button a `button` (`readonly` too), and so a slider, colour or file input.
        is(
          el,
          ':is(:read-write,textarea,input:not([type=button],[type=submit],[type=reset],[type=image],[type=range],[type=color],[type=file])):not([role$=box])',
        )
          ? 'textbox'
          : (attr(el, 'role') ?? (is(el, 'input') ? 'button' : get(el, 'localName'))),
        el,
      );
  };
  for (const type of ['click', 'auxclick', 'change', 'submit', 'keydown'])
    addEventListener(type, listener, { capture: true, signal });
}
