import { controlName } from './control-name.js';
import { shareNetwork } from './share-network.js';

const used = 'optin.ui.control_used';

/** Elements whose clicks are recorded (native checkboxes, radios and selects are recorded on `change`). */
const clickable =
  'a[href],button,summary,[role=button],[role=switch],[role=checkbox],[role=tab],[role=menuitem],[data-track],[data-share],[type=button],[type=submit],[type=reset],[type=image]';

/**
 * Records links and controls with one delegated listener on the document (capture phase, through
 * open shadow roots), so elements added later count too: link clicks (the middle button's, which
 * opens a new tab, too) as `edx.ui.lms.link_clicked` `{ current_url, target_url, outbound }`, share
 * controls as `edx.social.share_clicked { network }`, and buttons, `[role=button]`, `summary`,
 * toggles, selects and form submits as `optin.ui.control_used { control, name, current_url }` (a
 * native checkbox, radio or select once, on `change`, whatever its role). Never a field's value, the
 * option chosen or typed text ({@link controlName}), nor a link or control inside editable content
 * (what the learner typed there).
 * `own` tells the site's hosts (for `outbound`). It stops when `signal` is aborted.
 *
 * @example autotrack((event, properties) => hub.track(event, properties), (host) => host.endsWith('edx.org'), stop.signal);
 */
export function autotrack(
  track: (event: string, properties: Readonly<Record<string, unknown>>) => void,
  own: (host: string) => boolean,
  signal: AbortSignal,
): void {
  const listener = (e: Event) => {
    const current_url = location.href;
    const path = e.composedPath();
    const field = path[0] as HTMLInputElement;
    const nativeKind = (f?: HTMLInputElement | null) =>
      f && (f.tagName == 'SELECT' ? 'select' : /^(checkbox|radio)$/.test(f.type) && 'toggle');
    const native = nativeKind(field);
    // (`button`: 0 for the left one, 1 the middle one, 2 the right one; none on `change` and `submit`.)
    const { button } = e as Partial<MouseEvent>;
    if (button == null) {
      const control = e.type == 'submit' ? 'form' : native;
      if (control) track(used, { control, name: controlName(field), current_url });
      return;
    }
    // A native checkbox, radio or select is recorded on `change` only: a click on it, or on its label
    // (whatever the label's or a wrapper's role or data-track), is the same use.
    const label = path.find((n): n is HTMLLabelElement => n instanceof HTMLLabelElement);
    if (native || nativeKind(label?.control as HTMLInputElement | null | undefined)) return;
    const el = path.find((n): n is Element => n instanceof Element && n.matches(clickable));
    // A link opened with the middle button (a new tab) is used too; no other button but the left is. Links
    // and controls in editable content are what the learner typed there (a pasted link's URL): never.
    if (!el || (el as HTMLElement).isContentEditable || (button && (button > 1 || el.tagName != 'A'))) return;
    const network = shareNetwork(el);
    // Resolved as the browser follows it: against the page's `<base href>`, if it has one.
    const href = new URL(el.getAttribute('href') ?? '', el.baseURI);
    const target_url = /^https?:$/.test(href.protocol) ? href.href : undefined;
    if (network) track('edx.social.share_clicked', { network, current_url, target_url });
    else if (el.tagName == 'A') {
      if (target_url) track('edx.ui.lms.link_clicked', { current_url, target_url, outbound: !own(href.hostname) });
    } else
      track(used, {
        control: el.getAttribute('role') ?? (el.tagName == 'INPUT' ? 'button' : el.tagName.toLowerCase()),
        name: controlName(el),
        current_url,
      });
  };
  for (const type of ['click', 'auxclick', 'change', 'submit'])
    document.addEventListener(type, listener, { capture: true, signal });
}
