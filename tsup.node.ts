import { defineConfig, type Options } from 'tsup';

/**
 * The build of a Node-only package with a command: `src/index.ts` as one ESM and one CJS bundle
 * (with `.d.ts`, dependencies left external), and `src/cli.ts` as an executable ESM file `dist/cli.js`.
 */
export function nodePackage(): Options[] {
  return defineConfig([
    {
      entry: { index: 'src/index.ts' },
      format: ['esm', 'cjs'],
      dts: true,
      clean: true,
      shims: true,
      target: 'node20',
      platform: 'node',
    },
    {
      entry: { cli: 'src/cli.ts' },
      format: ['esm'],
      target: 'node20',
      platform: 'node',
      banner: { js: '#!/usr/bin/env node' },
    },
  ]) as Options[];
}
