import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { log, requestContext } from '../log';
import type { ServiceMetrics } from '../metrics';

/**
 * A caller's `X-Request-Id` is taken when it is 1–128 visible ASCII characters without quotes or
 * backslashes (a UUID, a ULID, a proxy's trace id); anything else is replaced by a new UUID.
 */
const WELL_FORMED = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;

/** Probes polled by orchestrators every few seconds: their lines are written at debug. */
const PROBES = new Set(['/healthz', '/readyz']);

/**
 * The route pattern that answered (`/v1/organizations/:id`), for metric labels of bounded cardinality.
 * Express keeps `req.route` but restores `req.baseUrl` when an error leaves a router, so the pattern is
 * taken at the moment Express sets the route.
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
      // A router's own root (`/`) is the mount path itself: `/v1/organizations`, not `/v1/organizations/`.
      if (value && typeof value.path === 'string') pattern = value.path === '/' && req.baseUrl ? req.baseUrl : `${req.baseUrl}${value.path}`;
    },
  });
  return () => pattern;
}

/**
 * The first middleware of the API. Gives every request its id (`X-Request-Id` in the request, if well
 * formed, else a new UUID; echoed in the response) and runs the rest of it inside that id's context, so
 * every log line it causes, and every Temporal call it makes (a header the workflows pass to their
 * activities), carries it. When the answer is sent: one JSON line (`request completed`, with method,
 * path, route, status and duration; 5xx at warn, probes at debug) and one observation of
 * `http_request_duration_seconds{method, route, status_code}`. Unknown paths are labelled `unmatched`,
 * answers given before routing (a missing API key) `unrouted`.
 */
export function observeRequests(metrics?: Pick<ServiceMetrics, 'httpRequestDuration'>): RequestHandler {
  return (req, res, next) => {
    const offered = req.get('x-request-id');
    const requestId = offered && WELL_FORMED.test(offered) ? offered : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    const routeOf = watchRoute(req);
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // No route matched: an unknown path (404), or an answer given before routing (authentication, the body).
      const route = routeOf() ?? (res.statusCode === 404 ? 'unmatched' : 'unrouted');
      metrics?.httpRequestDuration.observe({ method: req.method, route, status_code: String(res.statusCode) }, seconds);
      const level = res.statusCode >= 500 ? 'warn' : PROBES.has(req.path) ? 'debug' : 'info';
      requestContext.run({ requestId }, () =>
        log[level]({ method: req.method, path: req.originalUrl, route, status: res.statusCode, durationMs: Math.round(seconds * 1000) }, 'request completed'),
      );
    });
    requestContext.run({ requestId }, next);
  };
}
