import { defineConfig } from 'vitest/config';

// One project a package (its own vitest.config.ts) for unit tests in Node, plus one project for
// every real-Chromium test (`*.browser.test.ts`), which need a built package and Debian's chromium.
export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
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
