import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'email',
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});
