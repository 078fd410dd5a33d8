import type { BrowserContext, Page } from 'playwright-core';
import type { ObservedStorage } from './audit-findings.js';

/** The origin of a DevTools storage id (`securityOrigin`, else the origin of its `storageKey`), or `null`. */
function originOf(id: { securityOrigin?: string; storageKey?: string }): string | null {
  if (id.securityOrigin && /^https?:\/\//.test(id.securityOrigin)) return id.securityOrigin;
  try {
    const origin = new URL(id.storageKey ?? '').origin;
    return /^https?:\/\//.test(origin) ? origin : null;
  } catch {
    return null;
  }
}

/**
 * Reports every localStorage and sessionStorage key `page` (and the frames in its process) writes,
 * as Chromium's DevTools `DOMStorage` domain sees it: by `setItem` or by property assignment, and
 * also while the page unloads (`pagehide`, `unload`), when a page's own reports can no longer reach
 * Node. Resolves once the domain is enabled.
 */
export async function watchDomStorage(
  context: BrowserContext,
  page: Page,
  found: (write: ObservedStorage) => void,
): Promise<void> {
  const session = await context.newCDPSession(page);
  const added = ({
    storageId,
    key,
  }: {
    storageId: { securityOrigin?: string; storageKey?: string; isLocalStorage: boolean };
    key: string;
  }) => {
    const origin = originOf(storageId);
    if (origin) found({ area: storageId.isLocalStorage ? 'localStorage' : 'sessionStorage', name: key, origin });
  };
  session.on('DOMStorage.domStorageItemAdded', added);
  session.on('DOMStorage.domStorageItemUpdated', added);
  await session.send('DOMStorage.enable');
}
