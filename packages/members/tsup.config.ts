import { defineConfig } from 'tsup';

// ESM is emitted one file per module so that bundlers drop whole unused modules (zod schemas
// included) thanks to `sideEffects: false`; CJS (Node, no tree-shaking) is one bundle.
export default defineConfig([
  {
    entry: ['src/**/*.ts'],
    format: ['esm'],
    bundle: false,
    dts: { entry: 'src/index.ts' },
    clean: true,
    target: 'es2022',
  },
  {
    entry: ['src/index.ts'],
    format: ['cjs'],
    dts: { entry: 'src/index.ts' },
    target: 'es2022',
  },
]);
