import { browserPackage } from '../../tsup.browser.js';

// One ESM file per module keeps `import('./es.js')` a real dynamic import: a page's bundler splits each
// catalog into its own chunk, and the English banner never carries them.
export default browserPackage(
  ['index', 'locales/index', 'locales/es', 'locales/fr', 'locales/ar', 'locales/zh'].map((name) => `src/${name}.ts`),
);
