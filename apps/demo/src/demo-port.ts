/**
 * The port of the demo's site, from `PORT` as `pnpm demo` and its audit read it (default 3000; the
 * collector takes the next one). Throws, with words a person can act on, when it is not a port.
 */
export function demoPort(given: string | undefined = process.env.PORT): number {
  const text = given ?? '3000';
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65534)
    throw new Error(`PORT=${text} is not a port: give a whole number up to 65534, e.g. PORT=4000 pnpm demo.`);
  return port;
}
