// @vitest-environment happy-dom
// @vitest-environment-options {"url":"https://www.optin.test/","settings":{"handleDisabledFileLoadingAsSuccess":true}}
import { expect, test } from 'vitest';
import { loadScript } from '../src/index.js';

test('adds one async script per src, with the nonce and SRI given', async () => {
  const first = loadScript('https://cdn.example.com/a.js', {
    nonce: 'n0nce',
    integrity: 'sha384-abc',
    attributes: { 'data-x': '1' },
  });
  const again = loadScript('https://cdn.example.com/a.js');
  expect(again).toBe(first);
  const scripts = document.querySelectorAll('script');
  expect(scripts).toHaveLength(1);
  const script = scripts[0]!;
  // (Async as every script a page creates, which happy-dom does not model: see the browser tests.)
  expect([script.nonce, script.integrity, script.crossOrigin, script.dataset.x]).toEqual([
    'n0nce',
    'sha384-abc',
    'anonymous',
    '1',
  ]);
  expect(await first).toBe(true);
});

test('a removed script is added again on the next call', async () => {
  await loadScript('https://cdn.example.com/b.js');
  document.querySelector('script[src="https://cdn.example.com/b.js"]')!.remove();
  await loadScript('https://cdn.example.com/b.js');
  expect(document.querySelectorAll('script[src="https://cdn.example.com/b.js"]')).toHaveLength(1);
});
