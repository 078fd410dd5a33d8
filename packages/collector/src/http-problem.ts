/** An HTTP answer other than success: a status, a stable `code` and a message for the caller. */
export class HttpProblem extends Error {
  /** HTTP status code. */
  readonly statusCode: number;
  /** Stable machine-readable code, e.g. `forbidden`. */
  readonly code: string;
  /** Headers sent with the answer, e.g. the `WWW-Authenticate` challenge of a 401. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(statusCode: number, code: string, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.name = 'HttpProblem';
    this.statusCode = statusCode;
    this.code = code;
    this.headers = headers;
  }
}

/**
 * The 401 of an endpoint read with a bearer token (`unauthorized`), with the challenge RFC 9110
 * requires of a 401 (`WWW-Authenticate: Bearer realm="optin-collector"`, RFC 6750): `message` says
 * which token to send.
 */
export function bearerTokenRequired(message: string): HttpProblem {
  return new HttpProblem(401, 'unauthorized', message, { 'www-authenticate': 'Bearer realm="optin-collector"' });
}
