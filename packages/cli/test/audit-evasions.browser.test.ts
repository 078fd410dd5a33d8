import { describe, expect, test } from 'vitest';
import { auditedSite, findingLines } from './fixtures/audit-run.js';

// What a tracker vendor could ship to keep an id out of the audit's sight: storage made (and removed
// again) by a dedicated worker or a worker of one, and ids kept in Cache Storage or the origin private
// file system, by a page or its workers; audited in Debian's Chromium by the real audit code.

// A worker starts after its page has loaded: later still on a busy machine.
const site = auditedSite((url, { page, js }) => {
  if (url.pathname === '/worker-writes')
    page(
      // A second: on a busy machine the audit may take that long to stop a worker Playwright's own
      // session let run (it is paused at its next statement, see record-activity.ts).
      `<script>const worker = new Worker('/dedicated-writes.js'); worker.onmessage = () => setTimeout(() => worker.postMessage('go'), 1000);</script>`,
    );
  else if (url.pathname === '/dedicated-writes.js')
    // A dedicated worker that says it has started and, once its page answers (a moment later),
    // makes a database, a cache and a file, and removes each again at once: nothing is left for
    // the audit to find when the page has settled.
    js(`postMessage('started');
        onmessage = () => {
          indexedDB.open('worker_db').onsuccess = (e) => { e.target.result.close(); indexedDB.deleteDatabase('worker_db'); };
          caches.open('worker_cache').then(() => caches.delete('worker_cache'));
          navigator.storage.getDirectory().then(async (root) => {
            await root.getFileHandle('worker_file', { create: true });
            await root.removeEntry('worker_file');
          });
        };`);
  else if (url.pathname === '/worker-keeps') page(`<script>new Worker('/worker-keeps.js');</script>`);
  else if (url.pathname === '/worker-keeps.js')
    // An id a dedicated worker keeps, as it starts, in a cache and in a file.
    js(`
          caches.open('kept_cache').then((cache) => cache.put('/uid', new Response('id-1')));
          navigator.storage.getDirectory().then((root) => root.getFileHandle('kept_file', { create: true }));
        `);
  else if (url.pathname === '/nested-worker') page(`<script>new Worker('/outer.js');</script>`);
  else if (url.pathname === '/outer.js') js(`new Worker('/inner.js');`);
  else if (url.pathname === '/inner.js')
    // A worker of a worker: a database made and removed again, once it has started.
    js(`setTimeout(() => {
          indexedDB.open('inner_db').onsuccess = (e) => { e.target.result.close(); indexedDB.deleteDatabase('inner_db'); };
        }, 300);`);
  else if (url.pathname === '/service-worker-cache')
    page(`<script>navigator.serviceWorker.register('/sw-cache.js');</script>`);
  else if (url.pathname === '/sw-cache.js')
    // A cache a service worker opens as it starts, and deletes again.
    js(`caches.open('sw_cache').then(() => caches.delete('sw_cache'));`);
  else if (url.pathname === '/cache-storage')
    // An id kept in Cache Storage, where no cookie or Web Storage read finds it; a cache named as
    // a declared cookie whose purpose is refused; and one asked for as the page leaves.
    page(`<script>
          caches.open('uid_cache').then((cache) => cache.put('/uid', new Response('id-1')));
          caches.open('_vendor');
          addEventListener('pagehide', () => { caches.open('left_cache'); });
        </script>`);
  else if (url.pathname === '/file-system')
    // An id kept in a file of the origin private file system, and a folder.
    page(`<script>
          navigator.storage.getDirectory().then(async (root) => {
            const file = await root.getFileHandle('uid_file', { create: true });
            const writable = await file.createWritable();
            await writable.write('id-1');
            await writable.close();
            await root.getDirectoryHandle('ids', { create: true });
            await root.getFileHandle('uid_file');
          });
        </script>`);
  else if (url.pathname === '/storage-buckets')
    // An id as the name of a storage bucket (its databases inside it are judged already), one
    // opened and deleted again, and one kept.
    page(`<script>
          navigator.storageBuckets.open('uid-8f3a2c91').then(() => navigator.storageBuckets.delete('uid-8f3a2c91'));
          navigator.storageBuckets.open('kept-bucket');
        </script>`);
}, 1500);
const findings = findingLines;

describe('optin audit sees storage a tracker could hide', () => {
  // Cache Storage and the origin private file system need a secure context: localhost is one over http.
  test('a database, a cache and a file a dedicated worker makes and removes again are judged', async () => {
    const report = await site.run('localhost', '/worker-writes');
    expect(findings(report)).toEqual([
      'undeclared_storage cacheStorage.worker_cache@http://localhost',
      'undeclared_storage fileSystem.worker_file@http://localhost',
      'undeclared_storage indexedDB.worker_db@http://localhost',
    ]);
  });

  test('a cache and a file a dedicated worker keeps are judged', async () => {
    const report = await site.run('localhost', '/worker-keeps');
    expect(findings(report)).toEqual([
      'undeclared_storage cacheStorage.kept_cache@http://localhost',
      'undeclared_storage fileSystem.kept_file@http://localhost',
    ]);
    expect(JSON.stringify(report)).not.toContain('id-1');
  });

  test('a database a worker started by a dedicated worker makes and removes again is judged', async () => {
    const report = await site.run('www.optin.test', '/nested-worker');
    expect(findings(report)).toEqual(['undeclared_storage indexedDB.inner_db@http://www.optin.test']);
  });

  test('a cache a service worker opens as it starts and deletes again is judged', async () => {
    // A service worker starts well after its page on a busy machine: a longer wait.
    const report = await site.run('localhost', '/service-worker-cache', 4000);
    expect(findings(report)).toEqual(['undeclared_storage cacheStorage.sw_cache@http://localhost']);
  });

  test('Cache Storage caches a page opens, as it lives and as it leaves, are judged', async () => {
    const report = await site.run('localhost', '/cache-storage');
    expect(findings(report)).toEqual([
      'storage_without_consent cacheStorage._vendor@http://localhost',
      'undeclared_storage cacheStorage.left_cache@http://localhost',
      'undeclared_storage cacheStorage.uid_cache@http://localhost',
    ]);
    expect(JSON.stringify(report)).not.toContain('id-1');
  });

  test('files and folders a page makes in its origin private file system are judged', async () => {
    const report = await site.run('localhost', '/file-system');
    expect(findings(report)).toEqual([
      'undeclared_storage fileSystem.ids@http://localhost',
      'undeclared_storage fileSystem.uid_file@http://localhost',
    ]);
  });

  test('storage buckets a page opens, kept or deleted again, are judged by name', async () => {
    const report = await site.run('localhost', '/storage-buckets');
    expect(findings(report)).toEqual([
      'undeclared_storage storageBucket.kept-bucket@http://localhost',
      'undeclared_storage storageBucket.uid-8f3a2c91@http://localhost',
    ]);
  });
});
