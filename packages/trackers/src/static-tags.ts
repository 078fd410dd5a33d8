import { stopScript } from './load-script.js';

const selector = 'script[type="text/plain"][data-optin-tracker],iframe[data-src][data-optin-tracker]';
const clones = new WeakMap<Element, HTMLScriptElement>();

/**
 * Activates or deactivates every static tag of the document:
 * `<script type="text/plain" data-optin-tracker="id">` runs as a copy of itself inserted after it
 * (taken out again when off: one still on its way then never runs; what one already did cannot be
 * undone, which is why its tracker's cookies are deleted too), and `<iframe data-src data-optin-tracker="id">` gets its `src` (then
 * `about:blank` when off). `state(id)` says whether the tracker is on; `undefined` when unknown.
 */
export function applyStaticTags(state: (id: string) => boolean | undefined, nonce?: string): void {
  for (const tag of document.querySelectorAll<HTMLElement>(selector)) {
    const on = state(tag.dataset.optinTracker as string) === true; // the selector says it is there
    if (tag instanceof HTMLIFrameElement) {
      const src = on ? (tag.dataset.src ?? '') : 'about:blank';
      if (tag.getAttribute('src') !== src) tag.src = src;
    } else if (on && !clones.get(tag)?.isConnected) {
      const copy = document.createElement('script');
      for (const { name, value } of tag.attributes) if (name !== 'type') copy.setAttribute(name, value);
      copy.async = false;
      if (nonce) copy.nonce = nonce;
      copy.text = (tag as HTMLScriptElement).text;
      tag.after(copy);
      clones.set(tag, copy);
    } else if (!on) stopScript(clones.get(tag));
  }
}
