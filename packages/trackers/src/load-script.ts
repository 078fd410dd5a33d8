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
 * Adds anew a script {@link stopScript} took out before it ran: a new element with its attributes and
 * nonce (a stopped one never runs again), whose load settles the promise the first one was given.
 */
export function restartScript(script: AddedScript): AddedScript {
  const copy = document.createElement('script') as AddedScript;
  for (const { name, value } of script.attributes) copy.setAttribute(name, value);
  const { nonce, optin, onload, onerror, src } = script;
  Object.assign(copy, { nonce, optin, onload, onerror });
  loading.set(src, copy);
  document.head.append(copy);
  return copy;
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
  script = document.createElement('script') as AddedScript;
  script.optin = new Promise<boolean>((resolve) => {
    // (The element the event is on: a copy restartScript made gets the same handlers.)
    script.onload = (event) => resolve(((event.target as AddedScript).ran = true));
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
  document.head.append(script);
  return script;
}
