import { browserPackage } from '../../tsup.browser.js';

export default browserPackage(
  ['index', 'segment', 'ga4', 'gtm', 'meta', 'linkedin', 'hotjar'].map((name) => `src/${name}.ts`),
);
