import { createServer, type Server, type Socket } from 'node:net';
import { connectDatabase, type Db } from '../../src/db/connect';
import { createMetrics, observeOperatorCounts, serveMetrics } from '../../src/metrics';

/**
 * The API's /metrics while PostgreSQL hangs (a server that accepts connections and never answers, as
 * a stuck or partitioned one does): the scrape still answers quickly with the process's own series,
 * without the gauges read from the database, well inside Prometheus's scrape_timeout (10 s in
 * deploy/prometheus/prometheus.yml), whatever REQUEST_DEADLINE bounds the requests with.
 */
let silent: Server;
const sockets = new Set<Socket>();
let db: Db;
let endpoint: { port: number; close(): Promise<void> };

beforeAll(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as { port: number };
  // A long request deadline, as an operator may set one: the pool would wait that long.
  db = await connectDatabase({ databaseUrl: `postgres://profiles@127.0.0.1:${port}/profiles`, dataDir: '/nonexistent', deadlineMs: 10_000 });
  const metrics = createMetrics();
  observeOperatorCounts(metrics, db, 500);
  metrics.httpRequestDuration.observe({ method: 'GET', route: '/v1/organizations', status_code: '503' }, 0.01);
  endpoint = await serveMetrics(metrics.registry, { host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await endpoint?.close();
  for (const socket of sockets) socket.destroy();
  await db?.destroy().catch(() => undefined);
  await new Promise((resolve) => silent?.close(resolve));
});

test('a scrape while PostgreSQL does not answer is quick, keeps every other series and leaves the gauges out', async () => {
  for (let scrape = 0; scrape < 2; scrape++) {
    const started = Date.now();
    const response = await fetch(`http://127.0.0.1:${endpoint.port}/metrics`);
    const text = await response.text();
    expect({ status: response.status, fast: Date.now() - started < 2_500 }).toEqual({ status: 200, fast: true });
    expect(text).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/v1\/organizations",status_code="503"\} 1$/m);
    expect(text).not.toMatch(/^cps_review_backlog\{/m);
    expect(text).not.toMatch(/^cps_domains_needing_attention /m);
  }
}, 30_000);
