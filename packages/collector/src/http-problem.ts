import { formatPath } from './errors.js';

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

/** What {@link invalidQuery} reads of a zod issue. */
interface QueryIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** `unrecognized_keys` for a parameter the endpoint does not take (named in `keys`). */
  readonly code?: string;
  readonly keys?: readonly string[];
}

/**
 * The 400 of a query string its schema refused (`invalid_query`), naming the parameter:
 * `limit: Too big: expected number to be <=1000`, or `who: not a parameter of this endpoint; remove it`.
 */
export function invalidQuery(error: { readonly issues: readonly QueryIssue[] }): HttpProblem {
  const first = error.issues[0];
  const unknown = first?.code === 'unrecognized_keys' ? first.keys?.[0] : undefined;
  return new HttpProblem(
    400,
    'invalid_query',
    unknown !== undefined
      ? `${unknown}: not a parameter of this endpoint; remove it`
      : first
        ? `${formatPath(first.path)}: ${first.message}`
        : 'invalid query',
  );
}
