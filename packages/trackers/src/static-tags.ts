import { stopScript } from './load-script.js';
import { documentProperty } from './document-property.js';

const selector = 'script[type="text/plain"][data-optin-tracker],iframe[data-src][data-optin-tracker]';
/**
 * A tag and the copy of it that ran, kept on the element itself (not in a WeakMap of this module):
 * every copy of this module on the page (two bundles, a hub made anew from another one) sees it.
 */
type Tag = HTMLElement & { optin?: HTMLScriptElement & { optin?: TagOwner | undefined } };

/** The hub that inserted a copy, kept on the copy: `on` while it lives (1), not once destroyed (0). */
export interface TagOwner {
  on: number;
}

/**
 * Activates or deactivates every static tag of the document:
 * `<script type="text/plain" data-optin-tracker="id">` runs as a copy of itself inserted after it,
 * once whatever the copies of this module (taken out again when off: one still on its way then never runs; what one already did cannot be
 * undone, which is why its tracker's cookies are deleted too), and `<iframe data-src data-optin-tracker="id">` gets its `src` (then
 * `about:blank` when off). `state(id)` says whether the tracker is on, `undefined` for one the caller
 * does not have (its tag is left as it is).
 */
export function applyStaticTags(state: (id: string) => boolean | undefined, owner?: TagOwner, nonce?: string): void {
  // (Document's own querySelectorAll and createElement: an element of the page named like one shadows it.)
  for (const tag of documentProperty('querySelectorAll').call(document, selector) as NodeListOf<Tag>) {
    const on = state(tag.dataset.optinTracker as string); // the selector says it is there
    // Another hub's (two apps on a page): left as that hub has it. (Else each took out what the other
    // put in, in turn, for ever: their MutationObservers answer each other.)
    if (on == null) continue;
    if (tag.localName == 'iframe') {
      const src = on ? (tag.dataset.src as string) : 'about:blank'; // the selector says it is there
      if (tag.getAttribute('src') != src) (tag as HTMLIFrameElement).src = src;
    } else if (on && !tag.optin?.isConnected) {
      // A new element, not a clone: a clone of a tag inserted as HTML (innerHTML) would be marked
      // "already started" like it, and never run. Its nonce: the hub's, else the tag's own (which
      // scripts cannot read back from its attribute).
      const copy = documentProperty('createElement').call(document, 'script') as NonNullable<Tag['optin']>;
      for (const attribute of tag.attributes) copy.setAttribute(attribute.name, attribute.value);
      copy.type = ''; // JavaScript
      copy.async = false;
      copy.nonce = (nonce || tag.nonce) as string;
      copy.text = (tag as HTMLScriptElement).text;
      copy.optin = owner;
      tag.after((tag.optin = copy));
      // Off: a copy this hub inserted, or one whose hub is gone (destroyed: an app mounted again takes
      // it over). Not one another live hub inserted (two apps on a page that disagree on it): else each
      // took out what the other put in, in turn, for ever.
    } else if (!on && !(tag.optin?.optin?.on && tag.optin.optin != owner)) stopScript(tag.optin);
  }
}
