import { defineConfig, type Options } from 'tsup';

/**
 * The build of a browser package: ESM one file per module, so that bundlers drop whole unused
 * modules (zod schemas included) thanks to `sideEffects: false`; CJS (Node, which does not
 * tree-shake) one bundle per entry point, what they share in chunks of their own, so that every
 * entry point has the same classes (`instanceof TrackerError` holds for an adapter's error) and the
 * same module state. `entries` are the package's entry points (`src/index.ts`
 * and one per subpath export).
 */
export function browserPackage(entries: string[]): Options[] {
  return defineConfig([
    { entry: ['src/**/*.ts'], format: ['esm'], bundle: false, dts: { entry: entries }, clean: true, target: 'es2022' },
    { entry: entries, format: ['cjs'], splitting: true, dts: { entry: entries }, target: 'es2022' },
  ]) as Options[];
}
