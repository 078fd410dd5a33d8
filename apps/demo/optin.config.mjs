// The demo's config as `optin declare` and `optin audit` read it (after `pnpm build`).
import { declaredSiteConfig } from './dist/site.js';

export default declaredSiteConfig(process.env.OPTIN_DEMO_COLLECTOR ?? 'http://collector.edx.localhost:3001');
