/**
 * The packages as a config in a scratch directory cannot resolve them by name: each file's URL, as
 * text to import from.
 */
export const dist = (path: string): string =>
  JSON.stringify(new URL(`../node_modules/@optin/${path}`, import.meta.url).href);

/**
 * The source of a valid config of 400 Members (a `declare` answer of over 100 kB, more than a pipe
 * holds, so a slow reader keeps optin writing it), whose fifth line is `line` (a timer, an exit: it
 * may call `writeFileSync`) and whose last lines, after its export, are `after`.
 */
export const largeConfig = (line: string, ...after: string[]): string =>
  [
    `import { edxPolicy } from ${dist('consent/dist/index.js')};`,
    `import { defineConfig, defineMember } from ${dist('members/dist/index.js')};`,
    `import { ga4 } from ${dist('trackers/dist/ga4.js')};`,
    "import { writeFileSync } from 'node:fs';",
    line,
    `export default defineConfig({ policy: edxPolicy, platform: { trackers: [] }, members: [${Array.from(
      { length: 400 },
      (_, i) =>
        `defineMember({ id: 'M${i}', name: 'Member ${i} University', orgs: ['Org${i}'], trackers: [ga4({ id: 'G-M${i}', cookiePrefix: 'm${i}' })] })`,
    ).join(',\n')}] });`,
    ...after,
    '',
  ].join('\n');
