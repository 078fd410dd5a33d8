import { attr, controlName, is, up } from './control-name.js';
import { shareNetwork } from './share-network.js';

/** Elements whose clicks are recorded (native checkboxes, radios and selects are recorded on `change`). */
const clickable =
  'a[href],button,summary,[role=button],[role=switch],[role=checkbox],[role=tab],[role=menuitem],[data-track],[data-share],[type=button],[type=submit],[type=reset],[type=image]';

/** A `[role=button]` that Enter and Space do not click (as they do a native button, link or summary). */
const custom = '[role=button]:not(a[href],button,summary,input)';

/**
 * Records links and controls with one delegated listener on the document (capture phase, through
 * open shadow roots), so elements added later count too: link clicks (the middle button's, which
 * opens a new tab, too) as `edx.ui.lms.link_clicked` `{ current_url, target_url, outbound }`, share
 * controls as `edx.social.share_clicked { network }`, and buttons, `[role=button]`, `summary`,
 * toggles, selects and form submits as `optin.ui.control_used { control, name, current_url }` (a
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
    const path = e.composedPath();
    // Not allowed now: nothing read (naming a control reads its text, a whole long card's). Nor the consent
    // UI's controls, the banner's or a site's own marked so (no one learns when the learner used them).
    if (!may() || up(path[0], 'optin-banner,[data-optin-consent]')) return;
    const current_url = clean(location.href);
    // In editable content: `n` or what holds it (through shadow roots), an editor's `contenteditable="false"`
    // island (a link card, a task's checkbox) too.
    const edited = (n: EventTarget) => path.slice(path.indexOf(n)).some((p) => (p as HTMLElement).isContentEditable);
    // (An option of a listbox select, clicked: that select's use.)
    const field = (up(path[0], 'select') || path[0]) as HTMLInputElement;
    const use = (control: unknown, el: Element) =>
      control && track('optin.ui.control_used', { control, name: controlName(el), current_url });
    const nativeKind = (f?: HTMLInputElement | null) =>
      f && (f.localName == 'select' ? 'select' : /^(checkbox|radio)$/.test(f.type) && 'toggle');
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
    // (A control in editable content, as below, never.)
    if (button == null) return edited(field) || use(e.type == 'submit' ? 'form' : native, field);
    // A native checkbox, radio or select is recorded on `change` only: a click on it, or on its label
    // (whatever the label's or a wrapper's role or data-track), is the same use.
    if (native || nativeKind(path.find((n) => n instanceof HTMLLabelElement)?.control as HTMLInputElement | null))
      return;
    const el = path.find((n): n is Element => is(n, clickable));
    // A link opened with the middle button (a new tab) is used too; no other button but the left is. Links
    // and controls in editable content are what the learner typed there (a pasted link's URL): never.
    // A click the page makes on a custom button (`el.click()` from its keydown handler) is that key's use.
    if (!el || edited(el) || (button && (button > 1 || el.localName != 'a')) || (!e.isTrusted && is(el, custom)))
      return;
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
    else if (el.localName == 'a') {
      if (target_url)
        track('edx.ui.lms.link_clicked', { current_url, target_url, outbound: !own((href as URL).hostname) });
    } else use(attr(el, 'role') ?? (el.localName == 'input' ? 'button' : el.localName), el);
  };
  for (const type of ['click', 'auxclick', 'change', 'submit', 'keydown'])
    document.addEventListener(type, listener, { capture: true, signal });
}
