import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cli',
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.browser.test.ts'],
    environment: 'node',
    // Each test runs the built binary (a Node start-up and a config import, 1 s or more on a busy machine).
    testTimeout: 30_000,
  },
});
