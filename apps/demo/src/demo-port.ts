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

/**
 * {@link demoPort} as `pnpm demo` and `pnpm audit` read it first: when `PORT` is not a port, its words
 * go to stderr and the process ends with exit 2 (a usage error), before anything is started.
 */
export function demoPortOrExit(): number {
  try {
    return demoPort();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return process.exit(2);
  }
}
