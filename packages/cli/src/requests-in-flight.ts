import { untilQuiet } from './until-quiet.js';

/** The requests the audit still waits for an answer to, as the browser and DevTools report them. */
export interface RequestsInFlight {
  /** A request the browser is about to send (request interception), by its DevTools network id. */
  made(networkId: string, url: string): void;
  /**
   * A DevTools event a page, frame or worker (`owner`, its target id) reported: of a request,
   * `Network.requestWillBeSent` (the target, frame and document it is then known to),
   * `responseReceived`, `responseReceivedExtraInfo` (a redirect's leads to the next request of its
   * chain), `loadingFinished` or `loadingFailed` (one the page cancelled is dropped); or
   * `Page.frameNavigated`: a frame shows a new document, so what its old one, and the frames in it,
   * still waited for is never reported (the navigation may have cancelled it, and when the frame went
   * to another site no `loadingFailed` comes) but still waited for: the network answers a beacon the
   * old document sent, and the `Set-Cookie` of that answer is what the audit must see.
   */
  reported(owner: string, method: string, params: Readonly<Record<string, unknown>>): void;
  /** A page, frame or worker gone (`owner`, its target id): nothing more will be told of its requests. */
  detached(owner: string): void;
  /** How many requests have been made so far: give it to {@link RequestsInFlight.settle} as `since`. */
  mark(): number;
  /**
   * Resolves once every request made since `since` (a count of {@link RequestsInFlight.mark}) has
   * its answer's headers or has failed, and none has been made for a moment; or after `capMs`, with
   * the URLs of those still unanswered then. A request the page dropped is not waited for, unless
   * `leaving`: a leaving document drops what it sends, and the network still answers a beacon or a
   * keepalive fetch. A dropped request, or one no page, frame or worker watched reports (its target
   * gone), is never reported.
   */
  settle(capMs: number, since?: number, leaving?: boolean): Promise<string[]>;
}

/** The bookkeeping of the requests not answered yet ({@link RequestsInFlight}), empty. */
export function requestsInFlight(): RequestsInFlight {
  // Requests not answered yet, by DevTools network id: when made (in `mark`'s count), their URL,
  // whether the page dropped them, and whether their document is gone (waited for, never reported).
  const inFlight = new Map<string, { made: number; url: string; dropped: boolean; gone?: boolean }>();
  // The target that reported each request, by network id (before or after the request is
  // intercepted), and the frame and document that made it (none for a worker's).
  const owners = new Map<string, { target: string; frame: string | undefined; loader: string | undefined }>();
  // The frame each frame is in, by frame id, as their navigations told.
  const parents = new Map<string, string>();
  const within = (frame: string | undefined, ancestor: string) => {
    for (let f = frame, hops = 0; f !== undefined && hops <= parents.size; f = parents.get(f), hops++)
      if (f === ancestor) return true;
    return false;
  };
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  let made = 0;
  return {
    made: (networkId, url) => {
      inFlight.set(networkId, { made: ++made, url, dropped: false });
    },
    reported: (owner, method, params) => {
      if (method === 'Page.frameNavigated') {
        const frame = (params.frame ?? {}) as Readonly<Record<string, unknown>>;
        const [navigated, loader, parent] = [text(frame.id), text(frame.loaderId), text(frame.parentId)];
        if (navigated === undefined) return;
        if (parent !== undefined) parents.set(navigated, parent);
        for (const [networkId, request] of inFlight) {
          const by = owners.get(networkId);
          if (within(by?.frame, navigated) && (by?.frame !== navigated || by.loader !== loader)) request.gone = true;
        }
        return;
      }
      const id = text(params.requestId);
      if (id !== undefined && method === 'Network.requestWillBeSent')
        owners.set(id, { target: owner, frame: text(params.frameId), loader: text(params.loaderId) });
      const pending = id === undefined ? undefined : inFlight.get(id);
      if (!pending || id === undefined || method === 'Network.requestWillBeSent') return;
      // A redirect's answer leads to the next request of the chain, under the same id.
      if (method === 'Network.responseReceivedExtraInfo' && /^3/.test(String(params.statusCode))) return;
      // A document that leaves drops what it sent; the network still answers a beacon or a keepalive fetch.
      if (method === 'Network.loadingFailed' && params.canceled === true) pending.dropped = true;
      else inFlight.delete(id);
    },
    detached: (owner) => {
      for (const [networkId, request] of inFlight) if (owners.get(networkId)?.target === owner) request.dropped = true;
    },
    mark: () => made,
    settle: async (capMs, since = 0, leaving = false) => {
      const waited = () => [...inFlight].filter(([, r]) => r.made > since && (leaving || !r.dropped));
      // Only a request a target still watched reports is known to be unanswered.
      return (await untilQuiet(waited, capMs))
        .filter(([id, r]) => !r.dropped && !r.gone && owners.has(id))
        .map(([, r]) => r.url);
    },
  };
}
