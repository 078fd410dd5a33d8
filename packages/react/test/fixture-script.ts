import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * A page script: `fixtures/<name>` bundled for the browser with React 19, or with 18.3 through the
 * root's `react-18` and `react-dom-18` aliases.
 */
export async function fixtureScript(name: string, react: '18' | '19'): Promise<string> {
  const built = await build({
    entryPoints: [fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    alias: react === '18' ? { react: 'react-18', 'react-dom': 'react-dom-18' } : {},
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'error',
  });
  return built.outputFiles[0]?.text ?? '';
}
