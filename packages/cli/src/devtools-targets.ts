import type { Browser } from 'playwright-core';

/** A DevTools command queued on a target before it runs. */
export interface TargetCommand {
  /** The DevTools method, e.g. `Network.enable`. */
  readonly method: string;
  /** Its parameters. */
  readonly params?: Readonly<Record<string, unknown>>;
}

/** What {@link watchTargets} does with the targets of a browser. */
export interface TargetWatch {
  /**
   * The commands queued on every new target of a type (`page`, `shared_worker`, `service_worker`
   * are attached from the browser; `iframe` is attached under the page or frame whose commands ask
   * for it with `Target.setAutoAttach`). A type without commands is let run untouched.
   */
  readonly setup: Readonly<Partial<Record<string, readonly TargetCommand[]>>>;
  /** Called with every event of every target watched, and that target; may answer with commands to send it. */
  event(
    target: WatchedTarget,
    method: string,
    params: Readonly<Record<string, unknown>>,
  ): readonly TargetCommand[] | undefined;
  /** Called when a target watched is gone (a frame removed or navigated away, a worker ended): it reports nothing more. */
  detached?(target: WatchedTarget): void;
}

/** A target {@link watchTargets} watches. */
export interface WatchedTarget {
  /** Tells it from every other target of the browser. */
  readonly id: string;
  /** Its type: `page`, `iframe`, `shared_worker`, `service_worker`. */
  readonly type: string;
  /** Its URL when it was attached (a worker's script). */
  readonly url: string;
}

/** What {@link watchTargets} gives back. */
export interface WatchedTargets {
  /**
   * Resolves once every target the browser started so far has its commands queued and runs. Hold
   * requests until then: a worker runs nothing before its script arrives, and a page nothing before
   * its document does, and each takes the queued messages of its sessions first. Navigate a new page
   * only then, too: a page still held when told to navigate may never load.
   */
  ready(): Promise<void>;
}

const topLevel = new Set(['page', 'shared_worker', 'service_worker']);

/**
 * Keeps a DevTools session of our own on every page, frame in another process (`iframe`) and shared
 * or service worker of `browser`, with `watch.setup`'s commands queued on each before it runs
 * anything, and reports their events. Such sessions stay attached while a document unloads, so what
 * it does then is reported too.
 *
 * Each target is auto-attached waiting for the debugger; a session of our own is attached to it,
 * our commands queued on it, and only then is the target let run. Playwright's own session lets a
 * shared worker run as soon as it is attached, though: now and then such a worker runs its first
 * script before it has taken our commands (a caller can tell from the events). Chromium allows only flat
 * auto-attach at the browser level, whose sessions Playwright does not route: the sessions that
 * listen are therefore non-flat ones (`Target.sendMessageToTarget`), and a frame's session, attached
 * under its parent's, is reached through it. The answers to our commands are not awaited: a target
 * that waits answers nothing.
 */
export async function watchTargets(browser: Browser, watch: TargetWatch): Promise<WatchedTargets> {
  const session = await browser.newBrowserCDPSession();
  // The target of every session of ours, by its path of session ids from the browser's.
  const targets = new Map<string, WatchedTarget>();
  const ours = new Set<string>();
  const pending = new Set<Promise<void>>();
  let lastId = 0;

  const send = (path: readonly string[], method: string, params: Readonly<Record<string, unknown>> = {}) => {
    let message = JSON.stringify({ id: ++lastId, method, params });
    for (let i = path.length - 1; i > 0; i--)
      message = JSON.stringify({
        id: ++lastId,
        method: 'Target.sendMessageToTarget',
        params: { sessionId: path[i], message },
      });
    return session.send('Target.sendMessageToTarget', { sessionId: path[0] ?? '', message });
  };
  // Sent at once, in order (a target takes them in that order), before the target is let run.
  const queue = async (path: readonly string[], commands: readonly TargetCommand[]) => {
    await Promise.all(commands.map(({ method, params }) => send(path, method, params)));
  };

  const attachedUnder = (parent: readonly string[], params: Readonly<Record<string, unknown>>) => {
    const { sessionId, targetInfo } = params as {
      sessionId: string;
      targetInfo: { targetId: string; type: string; url: string };
    };
    const path = [...parent, sessionId];
    const commands = watch.setup[targetInfo.type];
    if (commands) targets.set(path.join(' '), { id: targetInfo.targetId, type: targetInfo.type, url: targetInfo.url });
    void queue(path, [...(commands ?? []), { method: 'Runtime.runIfWaitingForDebugger' }])
      .then(() => (commands ? undefined : send(parent, 'Target.detachFromTarget', { sessionId })))
      .catch(() => undefined);
  };

  const gone = (key: string) => {
    const target = targets.get(key);
    targets.delete(key);
    if (target) watch.detached?.(target);
  };

  const received = (path: readonly string[], message: string) => {
    let data: { method?: string; params?: Readonly<Record<string, unknown>> };
    try {
      data = JSON.parse(message) as typeof data;
    } catch {
      return;
    }
    const { method, params = {} } = data;
    if (!method) return; // an answer: not awaited
    if (method === 'Target.receivedMessageFromTarget')
      received([...path, String(params.sessionId)], String(params.message));
    else if (method === 'Target.attachedToTarget') attachedUnder(path, params);
    else if (method === 'Target.detachedFromTarget') gone([...path, String(params.sessionId)].join(' '));
    else {
      const target = targets.get(path.join(' '));
      const answer = target && watch.event(target, method, params);
      if (answer) void queue(path, answer).catch(() => undefined);
    }
  };

  session.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => received([sessionId], message));
  session.on('Target.detachedFromTarget', ({ sessionId }) => gone(sessionId));
  session.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => {
    // Our own attach is announced too: one session of ours a target.
    if (ours.has(targetInfo.targetId)) return;
    ours.add(targetInfo.targetId);
    const commands = watch.setup[targetInfo.type] ?? [];
    const listening = session
      .send('Target.attachToTarget', { targetId: targetInfo.targetId, flatten: false })
      .then(({ sessionId: own }) => {
        targets.set(own, { id: targetInfo.targetId, type: targetInfo.type, url: targetInfo.url });
        // A worker is let run by our own session, after our commands (a target takes a session's
        // messages in order). Detaching the auto-attached session lets it run too, but that races our
        // messages: a worker so let run ran its script before it took our commands, now and then. A
        // page waits, in the browser, for the auto-attached session only: it is let run by detaching
        // that session, and loads nothing before it is navigated, after `ready`.
        return targetInfo.type === 'page'
          ? queue([own], commands)
          : queue([own], [...commands, { method: 'Runtime.runIfWaitingForDebugger' }]);
      })
      .catch(() => undefined)
      .finally(() =>
        targetInfo.type === 'page'
          ? session.send('Target.detachFromTarget', { sessionId }).catch(() => undefined)
          : undefined,
      )
      .finally(() => pending.delete(listening));
    pending.add(listening);
  });
  await session.send('Target.setAutoAttach', {
    autoAttach: true,
    waitForDebuggerOnStart: true,
    flatten: true,
    filter: [
      ...Object.keys(watch.setup)
        .filter((type) => topLevel.has(type))
        .map((type) => ({ type })),
      { exclude: true },
    ],
  });
  return {
    ready: async () => {
      await Promise.all(pending);
    },
  };
}
