import { createHash } from 'node:crypto';

/** The characters `@optin/email` escapes in attribute values, by the reference it writes. */
const references: Readonly<Record<string, string>> = { '&amp;': '&', '&quot;': '"', '&#39;': "'" };

/**
 * The Content-Security-Policy of an email document shown in a frame of the site: images from
 * `imageOrigin` only (the collector, for the open pixel), nothing else fetched, no script, no form,
 * and exactly the `style` attributes the email carries, allowed by hash (`'unsafe-hashes'`) rather
 * than by `'unsafe-inline'`: mail is styled inline, the open pixel of `@optin/email` too. It is
 * sandboxed even when opened on its own; only a learner's click may navigate the tab. Only
 * double-quoted `style` attributes are read, as `@optin/email` and the demo's email write them.
 */
export function emailFramePolicy(html: string, imageOrigin: string): string {
  const styles = new Set(
    [...html.matchAll(/\sstyle="([^"]*)"/g)].map(([, value = '']) =>
      value.replace(/&amp;|&quot;|&#39;/g, (reference) => references[reference] ?? reference),
    ),
  );
  const hashes = [...styles].map((style) => `'sha256-${createHash('sha256').update(style).digest('base64')}'`);
  return [
    "default-src 'none'",
    `img-src ${imageOrigin}`,
    ...(hashes.length ? [`style-src-attr 'unsafe-hashes' ${hashes.join(' ')}`] : []),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
    'sandbox allow-top-navigation-by-user-activation',
  ].join('; ');
}
