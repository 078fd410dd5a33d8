import { defineConfig } from 'tsup';

// Node-only package: one bundled ESM and one bundled CJS file, each with its .d.ts; parse5 stays an
// external dependency (it ships both formats).
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  platform: 'node',
  target: 'node20',
});
