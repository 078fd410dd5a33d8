import type { Browser } from 'playwright-core';

/** What {@link watchWorkerSockets} gives back. */
export interface WorkerSockets {
  /**
   * Resolves once every worker started so far has its Network domain enable queued. Hold requests
   * until then: a worker runs nothing before its script arrives, and takes the queued messages of
   * its sessions as it starts, before its script runs, so no socket it opens is missed.
   */
  ready(): Promise<void>;
}

/**
 * Reports the URL of every WebSocket connection a shared worker or a service worker of `browser`
 * opens. Page and frame sockets (dedicated workers' too) are page events; these workers are
 * targets of their own, which no page reports. Each is auto-attached as it starts, and a session of
 * our own attached to it with its Network domain enable queued; Playwright lets a starting worker
 * run at once, so the caller holds requests (the worker's script) until {@link WorkerSockets.ready}.
 * The worker cannot answer before its script arrives, so the answer is not awaited. Chromium allows only flat
 * auto-attach at the browser level, whose sessions Playwright does not route: the listening session
 * is therefore a non-flat one (`Target.sendMessageToTarget`).
 */
export async function watchWorkerSockets(browser: Browser, found: (url: string) => void): Promise<WorkerSockets> {
  const session = await browser.newBrowserCDPSession();
  const attached = new Set<string>();
  const pending = new Set<Promise<void>>();
  session.on('Target.receivedMessageFromTarget', ({ message }) => {
    const data = JSON.parse(message) as { method?: string; params?: { url?: unknown } };
    if (data.method === 'Network.webSocketCreated' && typeof data.params?.url === 'string') found(data.params.url);
  });
  const listen = async (targetId: string) => {
    const { sessionId } = await session.send('Target.attachToTarget', { targetId, flatten: false });
    await session.send('Target.sendMessageToTarget', {
      sessionId,
      message: JSON.stringify({ id: 1, method: 'Network.enable', params: {} }),
    });
  };
  session.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => {
    // Our own non-flat attach is announced too: one listening session a worker.
    if (attached.has(targetInfo.targetId)) return;
    attached.add(targetInfo.targetId);
    const listening = listen(targetInfo.targetId)
      .catch(() => undefined)
      // The auto-attached session is not needed: detaching it never leaves the worker waiting.
      .finally(() => session.send('Target.detachFromTarget', { sessionId }).catch(() => undefined))
      .finally(() => pending.delete(listening));
    pending.add(listening);
  });
  await session.send('Target.setAutoAttach', {
    autoAttach: true,
    waitForDebuggerOnStart: true,
    flatten: true,
    filter: [{ type: 'shared_worker' }, { type: 'service_worker' }, { exclude: true }],
  });
  return {
    ready: async () => {
      await Promise.all(pending);
    },
  };
}
