import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'members',
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.browser.test.ts'],
    environment: 'node',
    // The property tests (fast-check) take 2-4 s alone; under CI's load (every project at once on two
    // cores) they came within a hair of the default 5 s.
    testTimeout: 30_000,
  },
});
