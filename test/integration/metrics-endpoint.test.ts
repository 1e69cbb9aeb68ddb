import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { connectDatabase, type Db } from '../../src/db/connect';
import { createMetrics, observeOperatorCounts, serveMetrics } from '../../src/metrics';
import { ADMINISTRATOR, eventually, ORGANIZATION, startHarness } from '../support/harness';
import { startSmtpSink } from '../support/smtp-sink';
import { startReceiver } from '../support/webhook-receiver';

/**
 * The API's /metrics while PostgreSQL hangs (a server that accepts connections and never answers, as
 * a stuck or partitioned one does): the scrape still answers quickly with the process's own series,
 * without the gauges read from the database, well inside Prometheus's scrape_timeout (10 s in
 * deploy/prometheus/prometheus.yml), whatever REQUEST_DEADLINE bounds the requests with.
 */
/** The scrape_timeout Prometheus is deployed with, read from its configuration (seconds there). */
const SCRAPE_TIMEOUT_MS =
  Number(/^\s*scrape_timeout:\s*(\d+)s\s*$/m.exec(readFileSync(join(__dirname, '../../deploy/prometheus/prometheus.yml'), 'utf8'))![1]) * 1000;
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
  // A long request deadline, as an operator may set one: the pool would wait that long, far past the
  // scrape_timeout, so a scrape held by it cannot pass for a quick one however slow the machine.
  db = await connectDatabase({ databaseUrl: `postgres://profiles@127.0.0.1:${port}/profiles`, dataDir: '/nonexistent', deadlineMs: 60_000 });
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
    // Inside Prometheus's scrape_timeout (the contract), not a tighter bound a loaded CI machine may miss.
    expect({ status: response.status, withinScrapeTimeout: Date.now() - started < SCRAPE_TIMEOUT_MS }).toEqual({ status: 200, withinScrapeTimeout: true });
    expect(text).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/v1\/organizations",status_code="503"\} 1$/m);
    expect(text).not.toMatch(/^cps_review_backlog\{/m);
    expect(text).not.toMatch(/^cps_domains_needing_attention /m);
  }
}, 150_000);

/** The value of one sample in a Prometheus text exposition (0 when absent). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

test('webhook deliveries and emails are counted by outcome, attempts timed, endpoints disabled counted by reason', async () => {
  const metrics = createMetrics();
  const scrape = await serveMetrics(metrics.registry, { host: '127.0.0.1', port: 0 });
  const smtp = await startSmtpSink();
  smtp.recipient = (address) => (address.startsWith('bounce@') ? { code: 550, message: 'mailbox unavailable' } : undefined);
  const receiver = await startReceiver();
  const harness = await startHarness({
    metrics,
    env: {
      WEBHOOK_ALLOW_PRIVATE_ADDRESSES: '127.0.0.1/32',
      WEBHOOK_DISPATCH_INTERVAL: '200ms',
      SMTP_URL: smtp.url,
      REVIEWER_EMAILS: 'desk@ca.example,bounce@ca.example',
    },
  });
  try {
    const read = async () => (await fetch(`http://127.0.0.1:${scrape.port}/metrics`)).text();
    const customer = await harness.customer();
    const created = (await customer.request('POST', '/v1/webhooks', { url: receiver.url })).body;
    receiver.secrets = [created.secret];
    // A test message answered 204, one answered 500 (a test is tried once), then 410 Gone disables the endpoint.
    const statuses = [204, 500, 410];
    receiver.answer = () => ({ status: statuses[receiver.received.length - 1] });
    for (let n = 1; n <= 3; n++) {
      expect((await customer.request('POST', `/v1/webhooks/${created.id}/test`)).status).toBe(202);
      await eventually(
        async () => (await customer.request('GET', `/v1/webhooks/${created.id}/deliveries?status=pending`)).body.items.length === 0 || undefined,
        20_000,
      );
    }
    // A submission (an organization with its administrator) tells the reviewers twice: one address takes both, the other refuses them for good.
    expect((await customer.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR })).status).toBe(201);
    const text = await eventually(async () => {
      const got = await read();
      return sample(got, 'cps_emails_total{status="refused"}') >= 2 && sample(got, 'cps_emails_total{status="sent"}') >= 2 ? got : undefined;
    }, 30_000);
    expect(sample(text, 'cps_webhook_attempt_duration_seconds_count{outcome="delivered"}')).toBe(1);
    expect(sample(text, 'cps_webhook_attempt_duration_seconds_count{outcome="rejected"}')).toBe(2);
    expect(sample(text, 'cps_webhook_attempt_duration_seconds_bucket{le="+Inf",outcome="rejected"}')).toBe(2);
    expect(sample(text, 'cps_webhook_deliveries_total{status="delivered"}')).toBe(1);
    expect(sample(text, 'cps_webhook_deliveries_total{status="failed"}')).toBe(2);
    expect(sample(text, 'cps_webhook_endpoints_disabled_total{reason="gone"}')).toBe(1);
    expect(sample(text, 'cps_email_attempts_total{outcome="sent"}')).toBe(2);
    expect(sample(text, 'cps_email_attempts_total{outcome="refused"}')).toBe(2);
    expect(sample(text, 'cps_emails_total{status="sent"}')).toBe(2);
    expect(sample(text, 'cps_emails_total{status="refused"}')).toBe(2);
    expect(text).toMatch(/^# HELP cps_webhook_endpoints_disabled_total /m);
  } finally {
    await harness.stop();
    await receiver.close();
    await smtp.close();
    await scrape.close();
  }
}, 90_000);
