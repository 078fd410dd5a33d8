/** The Chromium `optin audit` drives: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/**
 * Command-line flags for a quiet headless Chromium that talks to nothing but the pages it is sent to
 * (no sync, updates or background requests to confuse an audit), with optional host resolver rules
 * (`MAP *.edx.org 127.0.0.1`).
 */
export function chromiumArgs(hostRules: readonly string[] = []): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    ...(hostRules.length ? [`--host-resolver-rules=${hostRules.join(', ')}`] : []),
  ];
}
