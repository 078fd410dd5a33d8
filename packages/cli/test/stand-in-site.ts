/**
 * The local stand-in site of the audit browser tests: one HTTP server on 127.0.0.1 that answers for
 * the site and every vendor (`*.optin.test`, through Chromium's host rules), records each request it
 * answers, serves the test's page script (a fixture bundled with esbuild) at `/page.js`, and loads the
 * config the audit judges by. `standInSite` starts it before the file's tests and stops it after.
 */
import { execFile } from 'node:child_process';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { OptinConfig } from '@optin/members';
import { afterAll, beforeAll } from 'vitest';
import { bundle, serve, type TestServer } from '../../../test-support/browser.js';
import { loadConfig } from '../src/index.js';

/** The path of a file in `test/fixtures/`. */
export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Chromium host rules sending the stand-in's names (`www.optin.test`, the apex `optin.test`) to it. */
export const hostRules = ['MAP *.optin.test 127.0.0.1', 'MAP optin.test 127.0.0.1'];

/** A request the stand-in answered. */
export interface Hit {
  /** Host (without port) and path: `ads.harvardx.optin.test/ads.js`. */
  at: string;
  /** Its host, without port. */
  host: string;
  /** Its headers (`sec-gpc`, …). */
  headers: IncomingHttpHeaders;
}

/** One request, as a test's `answer` sees it. */
export interface StandInRequest {
  url: URL;
  /** Its host, without port. */
  host: string;
  res: ServerResponse;
  /** Answers 200 with this script. */
  js: (body: string) => void;
  /** Answers 200 with an HTML page whose body is `body`. */
  html: (body: string) => void;
}

/** A running stand-in site: what it saw, where it is, and the config the audit is given. */
export interface StandInSite {
  /** Every request answered since the last `hits.length = 0`. */
  readonly hits: Hit[];
  /** `http://<host>:<port>` of the stand-in. */
  origin: (host: string) => string;
  /** The config loaded from the fixture named. */
  readonly config: OptinConfig;
  /** Runs the built `optin` binary with `args`, as users run it: its exit code and stdout. */
  optin: (...args: string[]) => Promise<{ code: number; stdout: string }>;
}

/**
 * Serves the stand-in site for the tests of the file that calls it: `answer` answers each request
 * it knows (returning true), `/page.js` is the `page` fixture bundled (its `VENDOR_PORT` the
 * stand-in's port, as the `config` fixture reads it from the environment), anything else `204`.
 */
export function standInSite(options: {
  page: string;
  config: string;
  answer: (request: StandInRequest) => boolean;
}): StandInSite {
  const hits: Hit[] = [];
  let server: TestServer | undefined;
  let config: OptinConfig | undefined;
  let page = '';
  const started = (): TestServer => {
    if (!server) throw new Error('the stand-in site is not running yet (it starts in beforeAll)');
    return server;
  };

  beforeAll(async () => {
    server = await serve([
      (req, res, url) => {
        const host = (req.headers.host ?? '').split(':')[0] ?? '';
        hits.push({ at: `${host}${url.pathname}`, host, headers: req.headers });
        const js = (body: string) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(body);
        const html = (body: string) =>
          res
            .writeHead(200, { 'content-type': 'text/html' })
            .end(`<!doctype html><html lang="en"><title>t</title>${body}</html>`);
        if (url.pathname === '/page.js') js(page);
        else if (!options.answer({ url, host, res, js, html })) res.writeHead(204).end();
        return true;
      },
    ]);
    const port = String(server.port);
    process.env.VENDOR_PORT = port;
    page = await bundle(fixture(options.page), { VENDOR_PORT: JSON.stringify(port) });
    config = await loadConfig(fixture(options.config));
  });

  afterAll(async () => {
    await server?.close();
  });

  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  return {
    hits,
    origin: (host) => started().origin(host),
    get config() {
      if (!config) throw new Error('the stand-in site is not running yet (it starts in beforeAll)');
      return config;
    },
    optin: (...args) =>
      promisify(execFile)(process.execPath, [cli, ...args], {
        env: { ...process.env, VENDOR_PORT: String(started().port) },
      }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: unknown) => error as { code: number; stdout: string },
      ),
  };
}
