import { defineConfig } from 'tsup';

const entries = ['index', 'segment', 'ga4', 'gtm', 'meta', 'linkedin', 'hotjar'].map((name) => `src/${name}.ts`);

// ESM is emitted one file per module so that bundlers drop whole unused modules (the zod schema of
// `defineTracker` included) thanks to `sideEffects: false`; CJS (Node, no tree-shaking) is one
// bundle per entry point (the package root and each adapter subpath).
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
