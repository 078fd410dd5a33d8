import { defineConfig } from 'tsup';

const entries = ['index', 'locales/index', 'locales/es', 'locales/fr', 'locales/ar', 'locales/zh'].map(
  (name) => `src/${name}.ts`,
);

// ESM is emitted one file per module, so `import('./es.js')` stays a real dynamic import: a page's
// bundler splits each catalog into its own chunk and the English banner never carries them. CJS
// (Node, e.g. server rendering) is one bundle per entry point.
export default defineConfig([
  {
    entry: ['src/**/*.ts'],
    format: ['esm'],
    bundle: false,
    dts: { entry: entries },
    clean: true,
    target: 'es2022',
  },
  {
    entry: entries,
    format: ['cjs'],
    dts: { entry: entries },
    target: 'es2022',
  },
]);
