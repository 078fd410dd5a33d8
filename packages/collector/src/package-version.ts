import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The version of `@optin/collector`, from its `package.json`, found from this module's folder up
 * (`src/` in development, `dist/` once built, or wherever a test bundles it under the package);
 * `unknown` when the code was bundled away from it.
 */
export function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const found = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (found.name === '@optin/collector' && typeof found.version === 'string') return found.version;
    } catch {
      // No package.json here (or not JSON): look further up.
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
