import { isUtf8 } from 'node:buffer';
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { Problem } from '../problem';
import { isDatabaseUnavailable } from '../db/unavailable';
import { describeError, isTemporalUnavailable, serviceUnavailable } from '../temporal/update-errors';
import { log } from '../log';
import { type Route, routeOf } from './route-table';
import { loggablePath } from './request-observer';

export { conflict, type FieldError, notFound, parse, Problem, validationProblem } from '../problem';

/** Writes a problem+json answer with the problem's headers. */
export function sendProblem(res: Parameters<ErrorRequestHandler>[2], problem: Problem, instance: string): void {
  send(res, problem, instance);
}

/** The RFC 9457 body of a problem; `instance` is the request's URL where there is one. */
export function problemBody(problem: Problem, req?: { originalUrl: string }): Record<string, unknown> {
  return {
    type: problem.extra.type ?? 'about:blank',
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    ...(req ? { instance: req.originalUrl } : {}),
    ...(problem.extra.errors ? { errors: problem.extra.errors } : {}),
    ...problem.extra.members,
  };
}

function send(res: Parameters<ErrorRequestHandler>[2], problem: Problem, instance: string): void {
  for (const [name, value] of Object.entries(problem.extra.headers ?? {})) res.setHeader(name, value);
  res
    .status(problem.status)
    .type('application/problem+json')
    .json(problemBody(problem, { originalUrl: instance }));
}

/**
 * The last handler: a path the API documents but not with this method answers 405 with Allow
 * (from the OpenAPI paths, so the two cannot drift); anything else 404.
 */
export function routeNotFound(routes: Route[]): RequestHandler {
  return (req, res) => {
    const route = routeOf(routes, req.path);
    if (!route) return send(res, new Problem(404, 'Not Found', `no route for ${req.method} ${req.path}`), req.originalUrl);
    const allow = Object.keys(route.operations)
      .map((m) => m.toUpperCase())
      .join(', ');
    send(res, new Problem(405, 'Method Not Allowed', `${req.path} accepts ${allow}, not ${req.method}`, { headers: { Allow: allow } }), req.originalUrl);
  };
}

/**
 * A body with content that is not JSON is refused before any handler reads it: without this the JSON
 * parser skips it and the handler would answer "organization: expected object", which misleads.
 */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody || req.is(['application/json', 'application/*+json'])) return next();
  const type = req.headers['content-type'] ?? 'none';
  next(
    new Problem(415, 'Unsupported Media Type', `the request body must be application/json, not ${type}`, { headers: { 'Accept-Post': 'application/json' } }),
  );
};

/**
 * `verify` of express.json, on the raw bytes before they are parsed: JSON between systems is UTF-8 (RFC 8259 §8.1). Another declared charset answers
 * 415; bytes that are not well-formed UTF-8 (a stray byte, a truncated sequence, an overlong form, an encoded
 * surrogate, a code point past U+10FFFF) answer 400 before anything is decoded, so no U+FFFD reaches a handler;
 * arrays and objects nested deeper than `MAX_BODY_DEPTH` answer 400.
 */
export function verifyJsonBody(_req: unknown, _res: unknown, body: Buffer, encoding: string): void {
  if (!/^utf-?8$/i.test(encoding))
    throw Object.assign(new Error(`unsupported charset "${encoding.toUpperCase()}"`), { status: 415, type: 'charset.unsupported' });
  if (!isUtf8(body)) throw Object.assign(new Error('the request body is not valid UTF-8'), { status: 400, type: 'entity.not.utf8' });
  if (nestingDepth(body) > MAX_BODY_DEPTH) throw Object.assign(new Error('the request body nests too deep'), { status: 400, type: 'entity.too.deep' });
}

/** No operation's body nests deeper than a few levels; a deeper one (thousands of `[`) would overflow what reads it recursively. */
export const MAX_BODY_DEPTH = 32;

/** How deep `json`'s arrays and objects nest (brackets outside strings), counted in one pass without recursion. */
function nestingDepth(json: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const byte = json[i];
    if (inString) {
      if (byte === 0x5c)
        i++; // an escape: the next byte is not the string's end
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (byte === 0x7d || byte === 0x5d) depth--;
  }
  return deepest;
}

/** body-parser's refusals, in words a client can act on. */
function bodyProblem(error: { type?: string; status?: number; message?: string; body?: string; limit?: number }): Problem | undefined {
  switch (error.type) {
    case 'entity.parse.failed': {
      const body = String(error.body ?? '').trimStart();
      const detail = body.startsWith('{') || body.startsWith('[') ? 'the request body is not valid JSON' : 'the request body must be a JSON object';
      return new Problem(400, 'Malformed JSON', detail, { errors: [{ field: '(body)', message: String(error.message) }] });
    }
    case 'entity.not.utf8':
      return new Problem(400, 'Malformed request body', 'the request body is not valid UTF-8 (RFC 8259 §8.1)', {
        errors: [{ field: '(body)', message: 'not valid UTF-8', rule: 'utf-8' }],
      });
    case 'request.aborted':
      // Nobody reads it (the client is gone); the request's log line says status 499.
      return new Problem(400, 'Request aborted', 'the client closed the connection before its body arrived');
    case 'entity.too.deep':
      return new Problem(400, 'Malformed request body', `the request body nests arrays and objects more than ${MAX_BODY_DEPTH} levels deep`, {
        errors: [{ field: '(body)', message: `nested more than ${MAX_BODY_DEPTH} levels deep`, rule: 'max-depth', values: { maximum: MAX_BODY_DEPTH } }],
      });
    case 'entity.too.large':
      return new Problem(413, 'Request body too large', `the request body is larger than ${Math.round((error.limit ?? 0) / 1024)} kB`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new Problem(415, 'Unsupported Media Type', `${error.message}; send uncompressed UTF-8 JSON`);
    default:
      // zlib's own errors ("incorrect header check") when a declared gzip/deflate body is not one.
      if (typeof (error as { errno?: unknown }).errno === 'number' && error.status === 400) {
        return new Problem(400, 'Malformed request body', `the body cannot be decompressed as its Content-Encoding says: ${error.message}`);
      }
      return undefined;
  }
}

/**
 * Everything a client can cause is a 4xx; PostgreSQL or Temporal unreachable (or past the request
 * deadline) is a 503 with Retry-After; an unexpected error is a logged 500 that reveals nothing.
 */
export const problemHandler: ErrorRequestHandler = (error, req, res, _next) => {
  // The request deadline already answered 503 (./deadline.ts); what the handler did later is dropped.
  if (res.headersSent) {
    if ((error as { code?: string })?.code !== 'ERR_HTTP_HEADERS_SENT')
      log.warn(`${req.method} ${loggablePath(req)} after its answer: ${describeError(error)}`);
    return;
  }
  if (error instanceof Problem) return send(res, error, req.originalUrl);
  // Before the outage checks: the body's own failures carry socket codes too (a client that left mid-body: ECONNABORTED).
  const known = bodyProblem(error ?? {});
  if (known) return send(res, known, req.originalUrl);
  if (isDatabaseUnavailable(error)) {
    log.warn(`${req.method} ${loggablePath(req)}: database unavailable: ${describeError(error)}`);
    return send(res, serviceUnavailable('the database is unavailable; retry the request'), req.originalUrl);
  }
  if (isTemporalUnavailable(error)) {
    log.warn(`${req.method} ${loggablePath(req)}: workflow service unavailable: ${describeError(error)}`);
    return send(res, serviceUnavailable('the workflow service is unavailable; retry the request'), req.originalUrl);
  }
  // The router could not percent-decode a path parameter (`%ff`, `%ED%A0%80`: not UTF-8). It names no
  // resource, like any unknown id: 404, which every operation with a path parameter declares.
  if (error instanceof URIError) return send(res, new Problem(404, 'Not Found', `no resource has the path ${req.path}: ${error.message}`), req.originalUrl);
  const status = typeof error?.status === 'number' ? error.status : undefined;
  if (status && status >= 400 && status < 500)
    return send(res, new Problem(status, STATUS_CODES[status] ?? 'Bad Request', String(error.message ?? '')), req.originalUrl);
  log.error({ err: error }, `${req.method} ${loggablePath(req)} failed`);
  send(res, new Problem(500, 'Internal Server Error', 'an unexpected error occurred; it has been logged'), req.originalUrl);
};
