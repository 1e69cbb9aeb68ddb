import express, { type Express, type RequestHandler } from 'express';
import path from 'node:path';
import { requireRole } from './auth';
import { codecRouter } from './codec-server';
import type { ApiContext } from './context';
import { bulkLane } from './bulk-lane';
import { schemaBehind, secretKeyGate } from './schema-behind';
import { interactivePresence } from '../db/interactive-presence';
import { probeTimeoutMs, requestDeadline, within } from './deadline';
import { openApiDocument } from './openapi';
import { readinessBody } from './readiness';
import { declaredQueryOnly, routeTable, takesBody } from './route-table';
import { observeRequests } from './request-observer';
import { DEFAULT_DEADLINE_MS, RETRY_AFTER_SECONDS } from '../temporal/update-errors';
import { problemHandler, requireJsonBody, routeNotFound, verifyJsonBody } from './problem';
import { accountEventsRouter } from './routes/account-events';
import { administratorsRouter } from './routes/administrators';
import { dcvFilesRouter } from './routes/dcv-files';
import { dnsProvidersRouter } from './routes/dns-providers';
import { domainsRouter } from './routes/domains';
import { organizationsRouter } from './routes/organizations';
import { reviewsRouter } from './routes/reviews';
import { webhooksRouter } from './routes/webhooks';
import { notificationSettingsRouter } from './routes/notification-settings';
import { consoleRouter } from '../console';

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Certificate profile service API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui' });</script></body></html>`;

/** The HTTP API without a listener, so tests and both process shapes mount the same app. */
export function createApp(ctx: ApiContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(observeRequests(ctx.metrics));
  // Behind reverse proxies, req.ip (the console's login rate limit) is the client's, from X-Forwarded-For.
  if (ctx.console?.trustProxy !== undefined) app.set('trust proxy', ctx.console.trustProxy);
  const deadlineMs = ctx.requestDeadlineMs ?? DEFAULT_DEADLINE_MS;
  app.use(requestDeadline(deadlineMs));
  // Every answer is what its Content-Type says (no sniffing a JSON body into a script or page), and the
  // API's answers carry names, phone numbers, email addresses and secrets: no cache keeps them
  // (RFC 9111 §5.2.2.5; OWASP REST Security Cheat Sheet).
  app.use((_req, res, next) => (res.set('X-Content-Type-Options', 'nosniff'), next()));
  app.use('/v1', (_req, res, next) => (res.set('Cache-Control', 'no-store'), next()));
  // Nothing seals, opens or encrypts with a SECRET_KEY not yet checked (the database was away or not set up at start).
  const keyChecked = secretKeyGate(ctx.db, ctx.secretKeyChecked);
  app.use('/codec', keyChecked, codecRouter({ db: ctx.db, codec: ctx.codec, uiOrigins: ctx.uiOrigins }));
  const document = openApiDocument();
  const routes = routeTable(document.paths);
  // Only operations that declare a request body read one (the document says which).
  const readsBody = takesBody(routes);
  const jsonBody = express.json({ limit: '64kb', type: ['application/json', 'application/*+json'], verify: verifyJsonBody });
  // Read only once the caller is known (after its role's check): a request without a valid key answers
  // 401 (a customer key on a reviewer route 403) whatever its body, and no body is read for it.
  const readBody: RequestHandler[] = [
    (req, res, next) => (readsBody(req) ? jsonBody(req, res, next) : next()),
    (req, res, next) => (readsBody(req) ? requireJsonBody(req, res, next) : next()),
    declaredQueryOnly(routes),
  ];

  app.get('/openapi.json', (_req, res) => res.json(document));
  app.get('/docs', (_req, res) => res.type('html').send(DOCS_PAGE));
  // Its files only, served as they are: the package's main module loads its 1 MB browser bundle (0.5 s at every start).
  app.use('/docs/assets', express.static(path.dirname(require.resolve('swagger-ui-dist/package.json')), { index: false }));
  app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  // Each probe is bounded inside ctx.ready (in parallel); this bounds the whole in case one is not.
  app.get('/readyz', async (_req, res) => {
    const readiness = await within(ctx.ready(), probeTimeoutMs(deadlineMs) + 250, { database: false, temporal: false });
    if (ctx.secretKeyChecked) {
      readiness.secretKey = ctx.secretKeyChecked();
      if (!readiness.secretKey)
        readiness.details = {
          ...readiness.details,
          secretKey: 'not yet checked against the database (away or not set up at start); requests answer 503 until it is',
        };
    }
    const { missing, ...body } = readinessBody(readiness);
    if (missing.length === 0) return void res.json(body);
    res.status(503).setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.json({ ...body, missing });
  });

  app.use(keyChecked);

  // A reviewer's decision in progress (src/app/reviews.ts) holds back the creates about to start.
  const presence = ctx.presence ?? interactivePresence();
  ctx = { ...ctx, presence, bulkLane: bulkLane(ctx.createConcurrency, presence, ctx.createYieldMaxMs ?? 1_000) };
  // Express would answer OPTIONS itself, 200 text/plain with its own Allow (HEAD too); the API documents no
  // OPTIONS (and takes no cross-origin calls): 405 with the documented methods, as for any other.
  const notFound = routeNotFound(routes);
  app.use((req, res, next) => (req.method === 'OPTIONS' && req.path.startsWith('/v1/') ? notFound(req, res, next) : next()));
  const customer = [requireRole(ctx.db, 'customer'), ...readBody];
  app.use('/v1/organizations', customer, organizationsRouter(ctx));
  app.use('/v1/administrators', customer, administratorsRouter(ctx));
  app.use('/v1/domains', customer, domainsRouter(ctx));
  app.use('/v1/dns-providers', customer, dnsProvidersRouter(ctx));
  app.use('/v1/events', customer, accountEventsRouter(ctx));
  app.use('/v1/webhooks', customer, webhooksRouter(ctx));
  app.use('/v1/notification-settings', customer, notificationSettingsRouter(ctx));
  app.use('/v1/reviews', requireRole(ctx.db, 'reviewer'), ...readBody, reviewsRouter(ctx));
  app.use('/dcv', dcvFilesRouter(ctx));
  // The web console beside the API: its own authentication (sessions), CSP and error pages.
  app.use('/console', consoleRouter(ctx));
  app.get('/', (_req, res) => res.redirect(302, '/console/'));

  app.use(notFound);
  app.use(schemaBehind(ctx.db));
  app.use(problemHandler);
  return app;
}
