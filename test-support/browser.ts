/**
 * Real-Chromium test support: launches Debian's chromium through playwright-core, serves pages on
 * 127.0.0.1 (every `*.optin.test` host resolves there), and bundles browser entry points with esbuild.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../packages/cli/src/chromium.js';

/** Launches headless Chromium (the flags `optin audit` uses) with `*.optin.test` mapped to 127.0.0.1 plus any `extraHostRules`, and `extraArgs`. */
export async function launchChromium(extraHostRules: string[] = [], extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      ...chromiumArgs(['MAP *.optin.test 127.0.0.1', 'MAP optin.test 127.0.0.1', ...extraHostRules]),
      ...extraArgs,
    ],
  });
}

/** A request handler for {@link serve}: return true when it answered. */
export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

/** A running test server. */
export interface TestServer {
  server: Server;
  port: number;
  /** `http://<host>:<port>` */
  origin(host?: string): string;
  close(): Promise<void>;
}

/** Serves `routes` (first to answer wins; 404 otherwise) on 127.0.0.1 and a free port. */
export async function serve(routes: Route[]): Promise<TestServer> {
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
      for (const route of routes) if (await route(req, res, url)) return;
      res.writeHead(404).end('not found');
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    origin: (host = '127.0.0.1') => `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Bundles a TypeScript/JS browser entry (file path) into one IIFE script string. */
export async function bundle(entry: string, define: Record<string, string> = {}): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    define,
    logLevel: 'error',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild produced nothing for ${entry}`);
  return output.text;
}

/** A route answering `path` with fixed content. */
export function file(path: string, body: string | (() => string), type = 'text/html; charset=utf-8'): Route {
  return (_req, res, url) => {
    if (url.pathname !== path) return false;
    res
      .writeHead(200, { 'content-type': type, 'cache-control': 'no-store' })
      .end(typeof body === 'function' ? body() : body);
    return true;
  };
}

/** Every cookie of a context as `name@domain=value` strings, sorted (for readable assertions). */
export async function cookieList(context: BrowserContext): Promise<string[]> {
  return (await context.cookies()).map((c) => `${c.name}@${c.domain}=${c.value}`).sort();
}
