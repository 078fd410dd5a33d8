import { browserPackage } from '../../tsup.browser.js';

export default browserPackage(['src/index.ts', 'src/course-key.ts']);
