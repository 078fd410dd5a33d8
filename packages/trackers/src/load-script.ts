import { documentProperty } from './document-property.js';

/** Options of {@link loadScript}. */
export interface LoadScriptOptions {
  /** CSP nonce of the page (`<script nonce>`), so a strict `script-src 'nonce-…'` allows it. */
  readonly nonce?: string | undefined;
  /** Subresource Integrity hash (`sha384-...`); sets `crossorigin="anonymous"` too. */
  readonly integrity?: string | undefined;
  /** Extra attributes of the script element. */
  readonly attributes?: Readonly<Record<string, string>> | undefined;
}

/**
 * A script {@link addScript} added: the promise of its load, and `ran` once it has run (its `load`
 * event: a script taken out before it arrived never runs).
 */
export type AddedScript = HTMLScriptElement & { optin: Promise<boolean>; ran?: boolean };

// Each src's script.
const loading = new Map<string, AddedScript>();

/**
 * Takes a script out of the page for good: it is moved to a document of its own, where one still
 * on its way never runs (a script runs only in the document it was prepared in: HTML, "execute the
 * script element"), whereas a merely removed one still runs when it arrives.
 */
export function stopScript(script: Element | undefined): void {
  if (script) new Document().adoptNode(script);
}

/**
 * Adds `<script async src>` to the document once: calling again with the same `src` returns the
 * same promise while that element is in the document (a removed one is added again). Resolves
 * `true` when it loaded and `false` when it failed (network error, CSP, SRI mismatch): it never
 * rejects or throws, so one broken vendor cannot break the page.
 *
 * @example
 * if (!(await loadScript('https://example.com/tag.js', { nonce }))) console.warn('tag blocked');
 */
export function loadScript(src: string, options: LoadScriptOptions = {}): Promise<boolean> {
  return addScript(src, options).optin;
}

/** {@link loadScript}, answering the script element (a new one, or the one in the document for `src`). */
export function addScript(src: string, options: LoadScriptOptions): AddedScript {
  let script = loading.get(src);
  if (script?.isConnected) return script;
  // (Document's own createElement and head: an element of the page named like one shadows it.)
  script = documentProperty('createElement').call(document, 'script') as AddedScript;
  script.optin = new Promise<boolean>((resolve) => {
    script.onload = () => resolve((script.ran = true));
    script.onerror = () => resolve(false);
  });
  // (No `async = true`: a script a page creates is async until it says otherwise.)
  script.nonce = options.nonce ?? '';
  if (options.integrity) {
    script.integrity = options.integrity;
    script.crossOrigin = 'anonymous';
  }
  for (const [name, value] of Object.entries(options.attributes ?? {})) script.setAttribute(name, value);
  script.src = src;
  loading.set(src, script);
  documentProperty('head').append(script);
  return script;
}
