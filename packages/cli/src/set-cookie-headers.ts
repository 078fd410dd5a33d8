/** What {@link setCookieHeaders} gives back: where to tell it about requests and answers. */
export interface SetCookieHeaders {
  /** A request (or a redirect of it) went to `url`: `id` is its DevTools network id. */
  requested(id: string, url: string): void;
  /** An answer to request `id` arrived with these raw headers (DevTools `Network.responseReceivedExtraInfo`). */
  answered(id: string, headers: Readonly<Record<string, unknown>>): void;
}

/** The `Set-Cookie` lines of raw headers (any case; several are joined by newlines). */
function setCookieLines(headers: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(headers)
    .filter(([name, value]) => name.toLowerCase() === 'set-cookie' && typeof value === 'string')
    .flatMap(([, value]) => (value as string).split('\n'))
    .filter((line) => line.trim() !== '');
}

/**
 * Pairs every `Set-Cookie` header with the URL that sent it, so that `found` can name the cookie on
 * the host that set it. DevTools reports raw headers (`Network.responseReceivedExtraInfo`) by
 * request id alone, on the session of the target that made the request, and in any order with the
 * request itself; a request that is redirected keeps its id. Every request and redirect, in order,
 * is seen by the browser-wide request interception, with that id: the n-th answer to a request is
 * the answer of its n-th URL.
 *
 * @example
 * const headers = setCookieHeaders((header, url) => console.log(header, url));
 * headers.answered('7.2', { 'Set-Cookie': 'id=1' }); // nothing yet
 * headers.requested('7.2', 'https://t.example/p'); // logs "id=1 https://t.example/p"
 */
export function setCookieHeaders(found: (header: string, url: string) => void): SetCookieHeaders {
  const requests = new Map<string, { urls: string[]; answers: string[][] }>();
  const entry = (id: string) => {
    let known = requests.get(id);
    if (!known) requests.set(id, (known = { urls: [], answers: [] }));
    return known;
  };
  const pair = (known: { urls: string[]; answers: string[][] }) => {
    while (known.urls.length && known.answers.length) {
      const url = known.urls.shift() ?? '';
      for (const header of known.answers.shift() ?? []) found(header, url);
    }
  };
  return {
    requested: (id, url) => {
      const known = entry(id);
      known.urls.push(url);
      pair(known);
    },
    answered: (id, headers) => {
      const known = entry(id);
      known.answers.push(setCookieLines(headers));
      pair(known);
    },
  };
}
