/**
 * What a request carries besides its URL, read by field name: the fields of a form or JSON body and
 * the user of HTTP Basic auth. Each reader gives every value it finds, none when the body or header
 * is not of its shape.
 */

/** The header `name` of `headers`, whatever case the page wrote it in (`Authorization`, `content-type`). */
export function header(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/**
 * The values of the field `name` in a form body: `multipart/form-data` (a `FormData`), by the boundary
 * its `contentType` names, else URL-encoded (an HTML form's POST, `URLSearchParams`, a beacon's text).
 *
 * @example formFields('id=222&ev=PageView', 'text/plain', 'id'); // ['222']
 */
export function formFields(body: string, contentType: string, name: string): string[] {
  const boundary = /^multipart\/form-data;.*\bboundary="?([^";]+)/i.exec(contentType)?.[1];
  if (!boundary) return new URLSearchParams(body).getAll(name);
  // Each part: its headers, a blank line, its value (up to the line break before the next boundary).
  return body.split(`--${boundary}`).flatMap((part) => {
    const split = part.indexOf('\r\n\r\n');
    const disposition = /^content-disposition:\s*form-data;\s*name="([^"]*)"/im.exec(part.slice(0, split));
    return split >= 0 && disposition?.[1] === name ? [part.slice(split + 4).replace(/\r\n$/, '')] : [];
  });
}

/**
 * The string values of `name` in a JSON object body and in each object of its arrays (a batch of
 * events: `{ writeKey, batch: [{ writeKey, … }] }`). None for a body that is not a JSON object.
 *
 * @example jsonFields('{"writeKey":"HX1","type":"track"}', 'writeKey'); // ['HX1']
 */
export function jsonFields(body: string, name: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const own = (value: unknown): string[] => {
    const field = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
    return typeof field === 'string' ? [field] : [];
  };
  const objects = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? [parsed] : [];
  return objects.flatMap((o) => [
    ...own(o),
    ...Object.values(o).flatMap((v: unknown) => (Array.isArray(v) ? v.flatMap(own) : [])),
  ]);
}

/**
 * The user of an HTTP Basic `Authorization` header (`Basic base64(user:password)`), where an API key
 * travels as the user with no password (Segment's write key). None for any other header.
 *
 * @example basicUser('Basic SFgxOg=='); // ['HX1']
 */
export function basicUser(authorization: string | undefined): string[] {
  const encoded = /^basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(authorization ?? '')?.[1];
  if (!encoded) return [];
  const user = Buffer.from(encoded, 'base64').toString('utf8').split(':')[0];
  return user ? [user] : [];
}
