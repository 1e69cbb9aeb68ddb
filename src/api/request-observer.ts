import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { log, maskPersonalData, requestContext } from '../log';
import type { ServiceMetrics } from '../metrics';
import { WELL_FORMED_REQUEST_ID } from './request-id-header';

/** Probes polled by orchestrators every few seconds: their lines are written at debug. */
const PROBES = new Set(['/healthz', '/readyz']);

/**
 * Paths that carry a credential (a console invitation's token sets a password): wherever one appears in a
 * logged URL, as the path or inside a query value (the console's `back=` links), its secret part is replaced.
 */
const SECRET_PATHS = [/(\/console\/invitations\/)[^/?#&\s]+/g];
const REDACTED = '[redacted]';

/**
 * `req.originalUrl` as a log may hold it: each segment, parameter name and value percent-decoded, a
 * credential in it (SECRET_PATHS) replaced by `[redacted]`, and each piece masked on its own (src/log.ts:
 * `%2B8613800138000` is a phone number too, and an address in a query's value masks that value, not the
 * whole path, which an address's characters could otherwise run across). Works before routing too.
 */
export function loggablePath(req: Pick<Request, 'originalUrl'>): string {
  const decoded = req.originalUrl
    .split(/([/?&=#])/)
    .map(decodeURIComponentSafe)
    .join('');
  const redacted = SECRET_PATHS.reduce((text, pattern) => text.replace(pattern, `$1${REDACTED}`), decoded);
  // Only a part that could hold an address or a number is given to the (costly) matcher.
  return redacted
    .split(/([/?&=#])/)
    .map((part) => (/@|\d(?:[\s().-]*\d){4}/.test(part) ? maskPersonalData(part) : part))
    .join('');
}

/** `url` with each segment that is the value of one of `params` written as the parameter (`:id`). */
function templated(url: string, params: Record<string, string>): string {
  const names = new Map(Object.entries(params).map(([name, value]) => [value, name]));
  return url
    .split('/')
    .map((segment) => {
      const name = segment && names.get(decodeURIComponentSafe(segment));
      return name ? `:${name}` : segment;
    })
    .join('/');
}

const decodeURIComponentSafe = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/**
 * The route pattern that answered (`/v1/organizations/:id`), for metric labels of bounded cardinality.
 * Express keeps `req.route` but restores `req.baseUrl` when an error leaves a router, so the pattern is
 * taken at the moment Express sets the route. A router mounted under a parameter
 * (`/v1/administrators/:id/domains`) has the value in `req.baseUrl`: written back as the parameter.
 */
function watchRoute(req: Request): () => string | undefined {
  let route: Request['route'];
  let pattern: string | undefined;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: Request['route']) => {
      route = value;
      if (!value || typeof value.path !== 'string') return;
      // Wildcard parameters (arrays) name no single segment; only plain values are written back.
      const params = Object.fromEntries(Object.entries(req.params ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
      const base = templated(req.baseUrl, params);
      // A router's own root (`/`) is the mount path itself: `/v1/organizations`, not `/v1/organizations/`.
      pattern = value.path === '/' && base ? base : `${base}${value.path}`;
    },
  });
  return () => pattern;
}

/**
 * The first middleware of the API. Gives every request its id (`X-Request-Id` in the request, if well
 * formed, else a new UUID; echoed in the response) and runs the rest of it inside that id's context, so
 * every log line it causes, and every Temporal call it makes (a header the workflows pass to their
 * activities), carries it. When the answer is sent: one JSON line (`request completed`, with method,
 * path, route, status and duration; 5xx at warn, probes at debug; a client that left first is status
 * 499, `client closed the connection before the answer`) and one observation of
 * `http_request_duration_seconds{method, route, status_code}`. Unknown paths are labelled `unmatched`,
 * answers given before routing (a missing API key) `unrouted`.
 */
/** nginx's status for a request whose client closed the connection before the answer. */
export const CLIENT_CLOSED_REQUEST = 499;

export function observeRequests(metrics?: Pick<ServiceMetrics, 'httpRequestDuration'>): RequestHandler {
  return (req, res, next) => {
    const offered = req.get('x-request-id');
    const requestId = offered && WELL_FORMED_REQUEST_ID.test(offered) ? offered : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    const routeOf = watchRoute(req);
    const record = (status: number, message: string) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // No route matched: an unknown path (404), or an answer given before routing (authentication, the body).
      const route = routeOf() ?? (status === 404 ? 'unmatched' : 'unrouted');
      metrics?.httpRequestDuration.observe({ method: req.method, route, status_code: String(status) }, seconds);
      const level = status >= 500 ? 'warn' : PROBES.has(req.path) ? 'debug' : 'info';
      if (!log.isLevelEnabled(level)) return;
      requestContext.run({ requestId }, () =>
        log[level]({ method: req.method, path: loggablePath(req), route, status, durationMs: Math.round(seconds * 1000) }, message),
      );
    };
    res.once('finish', () => record(res.statusCode, 'request completed'));
    // The client left before its answer: what the request started may still take effect, so it is on record
    // too, as status 499 (nginx's "client closed request"; no answer was sent).
    res.once('close', () => res.writableFinished || record(CLIENT_CLOSED_REQUEST, 'client closed the connection before the answer'));
    requestContext.run({ requestId }, next);
  };
}
