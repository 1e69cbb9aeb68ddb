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
  /** Every attempt to deliver a webhook message, by outcome (see {@link WebhookAttemptOutcome}), with how long it took. */
  webhookAttemptDuration: Histogram<'outcome'>;
  /** Webhook messages finished: `delivered`, or `failed` (the retry schedule used up, 410 Gone, a test message refused). */
  webhookDeliveries: Counter<'status'>;
  /** Endpoints the service disabled: `gone` (the endpoint answered 410), `failing` (a message failed the whole retry schedule). */
  webhookEndpointsDisabled: Counter<'reason'>;
  /** Every attempt to send an email, by outcome: `sent`, `refused` (for good: not retried), `temporary_failure` (retried). */
  emailAttempts: Counter<'outcome'>;
  /** Emails finished: `sent`, `refused` (by the mail server), `failed` (every attempt failed). */
  emails: Counter<'status'>;
}

/** What one webhook attempt came to: a 2xx answer, another answer (3xx included), or none (address guard, DNS, connection, TLS, timeout). */
export type WebhookAttemptOutcome = 'delivered' | 'rejected' | 'no_answer';

/** Buckets of work that waits on the network (DNS, HTTP): up to 30 s. */
const SLOW_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** A registry with the service's series; `processMetrics` adds Node's and the process's own (CPU, memory, event loop, GC). */
export function createMetrics(options: { processMetrics?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Counter<L>({ name, help, labelNames, registers: [registry] });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests answered by the API, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    dcvChecks: counter('cps_dcv_checks_total', 'DCV checks stored, by kind (precheck, recheck, scan) and result code', ['kind', 'code']),
    perspectiveCheckDuration: new Histogram({
      name: 'cps_dcv_perspective_check_duration_seconds',
      help: "One perspective's DCV check of one domain (the method's check and CAA), by perspective and the method check's result code",
      labelNames: ['perspective', 'code'] as const,
      buckets: SLOW_BUCKETS,
      registers: [registry],
    }),
    webhookAttemptDuration: new Histogram({
      name: 'cps_webhook_attempt_duration_seconds',
      help: 'Webhook delivery attempts (DNS, connection and answer), by outcome: delivered (2xx), rejected (any other answer), no_answer (refused by the address guard, DNS, connection, TLS or timeout)',
      labelNames: ['outcome'] as const,
      buckets: SLOW_BUCKETS,
      registers: [registry],
    }),
    webhookDeliveries: counter(
      'cps_webhook_deliveries_total',
      'Webhook messages finished, by status: delivered, or failed (retry schedule used up, 410 Gone, a test message refused)',
      ['status'],
    ),
    webhookEndpointsDisabled: counter(
      'cps_webhook_endpoints_disabled_total',
      'Webhook endpoints the service disabled, by reason: gone (410), failing (a message failed the whole retry schedule)',
      ['reason'],
    ),
    emailAttempts: counter(
      'cps_email_attempts_total',
      'Attempts to send an email, by outcome: sent, refused (for good, not retried), temporary_failure (retried)',
      ['outcome'],
    ),
    emails: counter('cps_emails_total', 'Emails finished, by status: sent, refused (by the mail server), failed (every attempt failed)', ['status']),
  };
}

/** A gauge whose value is read at each scrape: `unread` (the read failed) leaves the series out of the scrape. */
class ReadGauge extends Gauge {
  unread = false;
  override async get() {
    const metric = await super.get();
    return this.unread ? { ...metric, values: [] } : metric;
  }
}

/**
 * Gauges read from PostgreSQL when Prometheus scrapes (cheap counts on partial indexes, see
 * src/db/operator-counts.ts), so every API replica reports the same truth and nothing is kept in
 * memory: the reviewers' backlog and overdue reviews by kind, and the domains needing attention. A
 * scrape while the database does not answer within `timeoutMs` (the readiness probes' bound) leaves
 * them out (the series go absent) rather than fail or hold the scrape past Prometheus's scrape_timeout,
 * which would lose every other series of the process too.
 */
export function observeOperatorCounts(metrics: ServiceMetrics, db: Db, timeoutMs = 2_000): void {
  let pending: Promise<OperatorCounts | undefined> | undefined;
  const read = () =>
    new Promise<OperatorCounts>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      operatorCounts(db, new Date())
        .then(resolve, reject)
        .finally(() => clearTimeout(timer));
    });
  // One database read per scrape for the three gauges, whichever collects first. An outage is one line per
  // scrape, without a stack: its cause is all the operator needs.
  const counts = () =>
    (pending ??= read()
      .catch((error: Error) => void log.warn(`metrics: the operator counts could not be read, left out of this scrape: ${error.message}`))
      .finally(() => setTimeout(() => (pending = undefined), 0)));
  /** A gauge set from the counts at each scrape; no sample at all when the read failed (a label-less gauge would say 0). */
  const fromCounts = (name: string, help: string, labelNames: string[], set: (gauge: Gauge, read: OperatorCounts) => void) =>
    new ReadGauge({
      name,
      help,
      labelNames,
      registers: [metrics.registry],
      async collect() {
        this.reset();
        const read = await counts();
        (this as ReadGauge).unread = !read;
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
