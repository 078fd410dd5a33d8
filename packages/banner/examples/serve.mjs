/**
 * Runnable example: bundles page.ts the way a site's bundler would (ESM, one chunk per language)
 * and serves it on http://127.0.0.1:8080 (or $PORT) under a strict Content-Security-Policy.
 *
 *   pnpm --filter @optin/consent --filter @optin/banner build
 *   node packages/banner/examples/serve.mjs            # then open the URL; ?lang=ar, es, fr, zh
 */
import { createServer } from 'node:http';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const { outputFiles } = await build({
  entryPoints: { page: fileURLToPath(new URL('./page.ts', import.meta.url)) },
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  outdir: '/assets',
  write: false,
});
const assets = new Map(outputFiles.map((f) => [`/${basename(f.path)}`, f.text]));
const port = Number(process.env.PORT ?? 8080);
const csp = "default-src 'self'; script-src 'self'; style-src 'self'";

createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const asset = assets.get(url.pathname);
  if (asset) return res.writeHead(200, { 'content-type': 'text/javascript' }).end(asset);
  if (url.pathname !== '/') return res.writeHead(404).end();
  const lang = (url.searchParams.get('lang') ?? 'en').replace(/[^a-z-]/gi, '');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp }).end(
    `<!doctype html><html lang="${lang}"><meta charset="utf-8"><title>CS50 · HarvardX</title>` +
      '<h1>CS50: Introduction to Computer Science</h1><p>Consent in force: <code id="grants"></code></p>' +
      '<footer><button id="settings" type="button">Manage cookies</button></footer>' +
      '<script type="module" src="/page.js"></script>',
  );
}).listen(port, '127.0.0.1', () => console.log(`Open http://127.0.0.1:${port}/ (add ?lang=ar, es, fr or zh)`));
