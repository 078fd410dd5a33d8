import { defineProject } from 'vitest/config';

// Servers are tested over real HTTP on 127.0.0.1 against real SQLite, PostgreSQL and NATS. Files run
// one after another: the crash and benchmark-like tests want both cores to themselves.
export default defineProject({
  test: {
    name: 'collector',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
