import { nodePackage } from '../../tsup.node.js';

// Node only: the library as ESM + CJS bundles, and the executable `dist/cli.js`.
export default nodePackage();
