import { defineConfig } from 'tsup';

// The server runs on Node with its dependencies external; the page script is bundled for the
// browser with everything in it (one chunk per banner language, loaded only when shown).
export default defineConfig([
  {
    entry: {
      server: 'src/server.ts',
      'audit-demo': 'src/audit-demo.ts',
      'demo-server': 'src/demo-server.ts',
      site: 'src/site.ts',
    },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    clean: true,
  },
  {
    entry: { app: 'src/page/app.ts' },
    outDir: 'dist/public',
    format: ['esm'],
    target: 'es2022',
    platform: 'browser',
    splitting: true,
    minify: true,
    noExternal: [/.*/],
  },
]);
