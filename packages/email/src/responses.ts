import type { VerifiedClick } from './verifier.js';

/** A framework-neutral HTTP response: write `status`, `headers` and `body` as they are. */
export interface EmailResponse {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: Uint8Array | string;
}

// GIF89a, 1×1, one transparent pixel: 42 bytes.
const gif = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

/** The bytes of a 1×1 transparent GIF (a fresh copy each call, so nobody can alter the shared one). */
export function transparentGif(): Uint8Array {
  return new Uint8Array(Buffer.from(gif, 'base64'));
}

/** The answer to `GET /e/o/:token`, whatever the token: the pixel, never cached, so every open is seen. */
export function pixelResponse(): EmailResponse {
  const body = transparentGif();
  return {
    status: 200,
    headers: {
      'content-type': 'image/gif',
      'content-length': String(body.byteLength),
      'cache-control': 'no-store, no-cache, must-revalidate, max-age=0',
      expires: '0',
      'x-content-type-options': 'nosniff',
    },
    body,
  };
}

/**
 * The answer to `GET /e/c/:token` for a verified click: a 302 to the signed URL. It takes the
 * verification result, not a string, so a redirect can only ever go to a URL a signer signed.
 * `Referrer-Policy: no-referrer` keeps the token out of the target site's logs.
 */
export function redirectResponse(click: VerifiedClick): EmailResponse {
  return {
    status: 302,
    headers: {
      location: click.url,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'content-length': '0',
    },
    body: '',
  };
}

/** The short page shown for a link that did not verify: it says so, links nowhere, loads nothing. */
export function invalidLinkPage(): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    '<title>This link is not valid</title>',
    '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}</style>',
    '<h1>This link is not valid</h1>',
    '<p>The link may have expired, or it was changed after the email was sent. You have not been redirected.</p>',
    '<p>If you need the page, open the email again or go to the site directly.</p>',
    '</html>',
    '',
  ].join('\n');
}

/** The answer to `GET /e/c/:token` for any token that did not verify: 400, the short page, no `Location`. */
export function invalidLinkResponse(): EmailResponse {
  const body = invalidLinkPage();
  return {
    status: 400,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    },
    body,
  };
}
