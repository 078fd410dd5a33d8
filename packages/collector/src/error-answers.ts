import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { CollectorError } from './errors.js';
import { HttpProblem } from './http-problem.js';
import type { Metrics } from './metrics.js';
import { limits } from './segment-schema.js';

/** The body of every error answer of the collector: `{ error: { code, message } }`. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

const errorBody = (code: string, message: string): ErrorBody => ({ error: { code, message } });

const unavailable = errorBody('unavailable', 'the collector could not store the request; retry later');

/**
 * Our code and message for an error Fastify raises before or while parsing a request (`encoding`:
 * the body's `Content-Encoding`, which the message names when the decoded body is what failed).
 */
function bodyOf(error: FastifyError | SyntaxError, status: number, encoding?: string): ErrorBody {
  if (status === 413)
    return errorBody('too_large', `the body is over ${limits.maxBodyBytes / 1024} KB; split the batch`);
  if (status === 415) return errorBody('unsupported_media_type', 'send Content-Type: application/json');
  if (status === 414) return errorBody('uri_too_long', 'a path segment is too long');
  const code = 'code' in error ? error.code : undefined;
  if (code === 'FST_ERR_BAD_URL') return errorBody('invalid_url', 'the path is not valid percent-encoded UTF-8');
  // Fastify's own messages name `application/json`, whatever the content type and encoding were.
  const decoded = encoding ? ` (once decoded from ${encoding})` : '';
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError)
    return errorBody('invalid_json', `the body is not valid JSON${decoded}`);
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return errorBody('invalid_json', `the body is empty${decoded}`);
  return errorBody('bad_request', error.message);
}

/**
 * Fastify's `frameworkErrors` and `clientErrorHandler` options: what Fastify and Node answer before
 * any route runs (a badly percent-encoded path, a path parameter over the limit, a request that is
 * not HTTP, headers too large, a timeout) in the collector's shape, `{ error: { code, message } }`,
 * like every other answer. Counted as `rejected` by code.
 */
export function frameworkErrorOptions(metrics: Metrics): {
  frameworkErrors: (error: FastifyError, request: unknown, reply: FastifyReply) => void;
  clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => void;
} {
  return {
    frameworkErrors(error, _request, reply) {
      const status = error.statusCode ?? 500;
      if (status >= 500) {
        void reply.code(503).send(unavailable);
        return;
      }
      const body = bodyOf(error, status);
      metrics.inc('rejected', { reason: body.error.code });
      void reply.code(status).send(body);
    },
    clientErrorHandler(error, socket) {
      // A reset connection has nobody left to answer.
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      const [status, body] =
        error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, errorBody('request_timeout', 'the request did not arrive in time')]
          : error.code === 'HPE_HEADER_OVERFLOW'
            ? [431, errorBody('headers_too_large', 'the request headers are too large')]
            : [400, errorBody('bad_request', 'the request is not valid HTTP/1.1')];
      metrics.inc('rejected', { reason: body.error.code });
      const text = JSON.stringify(body);
      if (socket.writable)
        socket.write(
          `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
        );
      socket.destroy(error);
    },
  };
}

/**
 * The not-found and error handlers: every 4xx in the collector's shape with a stable code
 * (`HttpProblem`s as they are; a string no backend stores, refused by the storage, is a 400
 * `invalid_body`); anything else is logged and answered 503 `unavailable` (retry later).
 */
export function registerErrorAnswers(app: FastifyInstance, metrics: Metrics): void {
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(errorBody('not_found', 'no such endpoint')));
  app.setErrorHandler((error: FastifyError | HttpProblem | CollectorError, request, reply) => {
    if (error instanceof HttpProblem)
      return reply.code(error.statusCode).headers(error.headers).send(errorBody(error.code, error.message));
    if (error instanceof CollectorError) {
      if (error.code === 'unstorable_text') {
        metrics.inc('rejected', { reason: 'invalid_body' });
        const [issue] = error.issues;
        return reply
          .code(400)
          .send(errorBody('invalid_body', issue ? `${issue.path}: ${issue.message}` : error.message));
      }
    } else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      const body = bodyOf(error, error.statusCode, request.headers['content-encoding']);
      metrics.inc('rejected', { reason: body.error.code });
      return reply.code(error.statusCode).send(body);
    }
    app.log.error(error);
    return reply.code(503).send(unavailable);
  });
}
