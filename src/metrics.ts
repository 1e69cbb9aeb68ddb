import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ListenAddress } from './dcv/delegation-server';
import type { Db } from './db/connect';
import { type OperatorCounts, operatorCounts } from './db/operator-counts';
import { log } from './log';

/**
 * The service's own Prometheus series (prom-client), one registry per process. Names follow the
 * Prometheus conventions (base units, `_total` counters); the service's own carry the `cps_` prefix.
 */
export interface ServiceMetrics {
  registry: Registry;
  /** Every HTTP request the API answered: `route` is the matched route pattern (`/v1/organizations/:id`), never the raw path. */
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** Every DCV check stored (customer pre-checks, the workflow's rechecks, CA scans) by its result code (src/dcv/result-codes.ts). */
  dcvChecks: Counter<'kind' | 'code'>;
  /** One perspective's checks of one domain (method and CAA, in parallel), by perspective and the method check's code. */
  perspectiveCheckDuration: Histogram<'perspective' | 'code'>;
}

/** A registry with the service's series; `processMetrics` adds Node's and the process's own (CPU, memory, event loop, GC). */
export function createMetrics(options: { processMetrics?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests answered by the API, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    dcvChecks: new Counter({
      name: 'cps_dcv_checks_total',
      help: 'DCV checks stored, by kind (precheck, recheck, scan) and result code',
      labelNames: ['kind', 'code'] as const,
      registers: [registry],
    }),
    perspectiveCheckDuration: new Histogram({
      name: 'cps_dcv_perspective_check_duration_seconds',
      help: "One perspective's DCV check of one domain (the method's check and CAA), by perspective and the method check's result code",
      labelNames: ['perspective', 'code'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

/**
 * Gauges read from PostgreSQL when Prometheus scrapes (cheap counts on partial indexes, see
 * src/db/operator-counts.ts), so every API replica reports the same truth and nothing is kept in
 * memory: the reviewers' backlog and overdue reviews by kind, and the domains needing attention. A
 * scrape while the database does not answer leaves them out (the series go absent) rather than fail.
 */
export function observeOperatorCounts(metrics: ServiceMetrics, db: Db): void {
  let pending: Promise<OperatorCounts | undefined> | undefined;
  // One database read per scrape for the three gauges, whichever collects first.
  const counts = () =>
    (pending ??= operatorCounts(db, new Date())
      .catch((error) => void log.warn({ err: error }, 'metrics: the operator counts could not be read'))
      .finally(() => setTimeout(() => (pending = undefined), 0)));
  /** A gauge set from the counts at each scrape (reset first: a failed read leaves it empty). */
  const fromCounts = (name: string, help: string, labelNames: string[], set: (gauge: Gauge, read: OperatorCounts) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [metrics.registry],
      async collect() {
        this.reset();
        const read = await counts();
        if (read) set(this, read);
      },
    });
  const byKind = (field: 'backlog' | 'overdue') => (gauge: Gauge, read: OperatorCounts) => {
    for (const [kind, n] of Object.entries(read[field])) gauge.set({ kind }, n);
  };
  fromCounts('cps_review_backlog', 'Organizations and administrators under review, by kind', ['kind'], byKind('backlog'));
  fromCounts('cps_review_overdue', 'Reviews past their due time (REVIEW_SLA), by kind', ['kind'], byKind('overdue'));
  fromCounts('cps_domains_needing_attention', 'Domains flagged needsAttention (a CA-side fault, or something the customer must fix)', [], (gauge, read) =>
    gauge.set(read.domainsNeedingAttention),
  );
}

/**
 * Serves `GET /metrics` (Prometheus text format) on its own listener, apart from the public API port,
 * so only the network that can reach this address (the compose network, a cluster-internal port) can
 * scrape it. Anything else answers 404.
 */
export async function serveMetrics(registry: Registry, listen: ListenAddress): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') return void res.writeHead(404).end();
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error) => {
        log.error({ err: error }, 'metrics: scrape failed');
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new Error(`the metrics endpoint cannot listen on ${listen.host}:${listen.port}: ${error.message} (set METRICS_LISTEN)`)),
    );
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
