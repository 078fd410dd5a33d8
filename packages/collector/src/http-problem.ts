/** An HTTP answer other than success: a status, a stable `code` and a message for the caller. */
export class HttpProblem extends Error {
  /** HTTP status code. */
  readonly statusCode: number;
  /** Stable machine-readable code, e.g. `forbidden`. */
  readonly code: string;

  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.name = 'HttpProblem';
    this.statusCode = statusCode;
    this.code = code;
  }
}
