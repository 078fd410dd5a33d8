import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'banner',
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/**/*.browser.test.ts'],
    environment: 'happy-dom',
  },
});
