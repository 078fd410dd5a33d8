// `pnpm demo`: starts the demo site and collector and prints where to go.
import { demoPortOrExit } from './demo-port.js';
import { startDemo } from './demo-server.js';

const port = demoPortOrExit();
const demo = await startDemo({ port }).catch((error: unknown) => {
  console.error(`The demo did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
console.log(`Optin demo
  site       ${demo.siteUrl}/   (courses: HarvardX, MITx, edX; banner, preferences, Member scope)
  dashboards ${demo.siteUrl}/dashboard/HarvardX  ${demo.siteUrl}/dashboard/MITx
  email      ${demo.siteUrl}/email   (signed open pixel and click links)
  list       ${demo.siteUrl}/third-parties   (the declaration: third parties and tracked emails)
  collector  ${demo.collectorUrl}/openapi.json
  tokens     platform ${demo.tokens.platform}  HarvardX ${demo.tokens.HarvardX}  MITx ${demo.tokens.MITx}
Every *.localhost name is this machine. Ctrl-C stops.`);
const stop = () => void demo.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
