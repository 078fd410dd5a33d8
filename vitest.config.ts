import { defineConfig } from 'vitest/config';

// One project a package (its own vitest.config.ts) for unit tests in Node, plus one project for
// every real-Chromium test (`*.browser.test.ts`), which need a built package and Debian's chromium.
export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      // @optin/react's unit tests again on React 18, its oldest supported major (`react-18` and
      // `react-dom-18` are npm aliases of 18.3.1): the same files, with `react` and `react-dom` (and
      // their subpaths) resolved to them. `npx vitest run --project react-18`. (The browser project's
      // hydration test bundles for both React versions itself, with esbuild.)
      {
        extends: './packages/react/vitest.config.ts',
        root: './packages/react',
        resolve: {
          alias: [
            { find: 'react-dom', replacement: 'react-dom-18' },
            { find: 'react', replacement: 'react-18' },
          ],
        },
        test: { name: 'react-18' },
      },
      {
        test: {
          name: 'browser',
          include: ['packages/*/test/**/*.browser.test.ts', 'apps/*/test/**/*.browser.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
