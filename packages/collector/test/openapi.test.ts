import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleSource } from './cli-bundle.js';
import { getJson, testConfig, testCredentials } from './helpers.js';

describe('OpenAPI document', () => {
  it("reports the version of the package it runs from, and Segment's one-letter paths", async () => {
    // The collector as installed: its bundle in dist/ beside a package.json of another version.
    const dir = mkdtempSync(join(tmpdir(), 'optin-version-'));
    try {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@optin/collector', version: '7.8.9-test' }));
      symlinkSync(join(import.meta.dirname, '..', 'node_modules'), join(dir, 'node_modules'));
      mkdirSync(join(dir, 'dist'));
      const file = await bundleSource('index', join(dir, 'dist', 'index.mjs'));
      const installed = (await import(pathToFileURL(file).href)) as typeof import('../src/index.js');
      const collector = await installed.createCollector({
        config: testConfig,
        credentials: testCredentials,
        storage: new installed.SqliteStorage(':memory:'),
      });
      try {
        const url = await collector.listen(0);
        const doc = await getJson(`${url}/openapi.json`);
        expect(doc.body.info.version).toBe('7.8.9-test');
        expect(Object.keys(doc.body.paths)).toEqual(
          expect.arrayContaining(['/v1/batch', '/v1/b', '/v1/t', '/v1/p', '/v1/i', '/v1/s']),
        );
        expect(doc.body.paths['/v1/b']).toEqual(doc.body.paths['/v1/batch']);
        // Sec-GPC and the stamp that says a grant under it was the learner's explicit choice.
        expect(doc.body.components.schemas.Track.properties.context.properties.consent.properties.gpc).toMatchObject({
          type: 'boolean',
          description: expect.stringMatching(/Global Privacy Control/),
        });
        const secGpc = (doc.body.paths['/v1/batch'].post.parameters as { name: string; description?: string }[]).find(
          (p) => p.name === 'Sec-GPC',
        );
        expect(secGpc?.description).toMatch(/context\.consent\.gpc/);
      } finally {
        await collector.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
