import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase } from '../support/database';
import { ADMINISTRATOR, eventually, ORGANIZATION } from '../support/harness';
import { freePort } from '../support/ports';
import { administratorApproval, organizationApproval } from '../support/review-records';
import { type LogLine, logLines, type ServiceProcess, spawnService } from '../support/service-process';

/**
 * Issue 8 item 5 (and the log half of item 4) on the production shape: `npm run api` and `npm run
 * worker` as their own processes on PostgreSQL and the test run's Temporal dev server, as an operator
 * runs them with Prometheus scraping METRICS_LISTEN and TEMPORAL_METRICS_LISTEN.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let api: ServiceProcess;
let worker: ServiceProcess;
let url: string;
const metricsUrl = { api: '', worker: '', temporal: '' };
let customerKey: string;
let reviewerKey: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const [port, apiMetrics, workerMetrics, temporalMetrics] = [await freePort(), await freePort(), await freePort(), await freePort()];
  url = `http://127.0.0.1:${port}`;
  metricsUrl.api = `http://127.0.0.1:${apiMetrics}/metrics`;
  metricsUrl.worker = `http://127.0.0.1:${workerMetrics}/metrics`;
  metricsUrl.temporal = `http://127.0.0.1:${temporalMetrics}/metrics`;
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS!,
    TEMPORAL_TASK_QUEUE: `observability-${port}`,
    SECRET_KEY: randomBytes(32).toString('base64'),
    PORT: String(port),
    LOG_LEVEL: 'info',
    // A public address: nothing to warn about, so a healthy start prints no warning at all.
    DCV_PUBLIC_URL: 'https://dcv.example-ca.com',
    // A resolver that refuses at once: pre-checks end quickly with a CA-side code.
    DCV_PERSPECTIVES: 'primary=127.0.0.1:1',
    // Reviews fall due after 2 s, so the overdue count moves within the test.
    REVIEW_SLA: '2s',
  };
  await run(process.execPath, [require.resolve('tsx/cli'), 'src/cli/index.ts', 'setup'], { cwd: ROOT, env });
  worker = spawnService('src/worker.ts', { ...env, METRICS_LISTEN: `127.0.0.1:${workerMetrics}`, TEMPORAL_METRICS_LISTEN: `127.0.0.1:${temporalMetrics}` });
  api = spawnService('src/api.ts', { ...env, METRICS_LISTEN: `127.0.0.1:${apiMetrics}` });
  await eventually(async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), 60_000, 'api ready');
  await eventually(async () => (worker.output().includes('DCV perspectives') ? true : undefined), 90_000, 'worker polling');
  const key = async (resource: string) =>
    JSON.parse((await run(process.execPath, [require.resolve('tsx/cli'), 'src/cli/index.ts', resource, 'create', '--name', 'Ops'], { cwd: ROOT, env })).stdout)
      .apiKey as string;
  customerKey = await key('account');
  reviewerKey = await key('reviewer');
}, 180_000);

afterAll(async () => {
  api?.kill();
  worker?.kill();
  await Promise.all([api?.exited, worker?.exited]);
  await database?.drop();
});

async function call(key: string, method: string, route: string, body?: unknown, requestId?: string) {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(requestId ? { 'x-request-id': requestId } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, requestId: response.headers.get('x-request-id'), body: (await response.json()) as any };
}

/** The value of one series in Prometheus text format (the sum over series with more labels than given); 0 when absent. */
async function metric(endpoint: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(endpoint)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? ([^ ]+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const series = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => series[k] === v)) sum += Number(match[3]);
  }
  return sum;
}

const linesOf = (process: ServiceProcess, requestId: string): LogLine[] => logLines(process.output()).filter((line) => line.requestId === requestId);

/** The lines of a request once there are `count` (the API writes its line when the answer has left, a moment after the client has it). */
const linesWhen = (process: ServiceProcess, requestId: string, count = 1) =>
  eventually(async () => (linesOf(process, requestId).length >= count ? linesOf(process, requestId) : undefined), 10_000, `log lines of ${requestId}`);

/** Polls a series until it reaches `value`. */
const metricReaches = (endpoint: string, name: string, labels: Record<string, string>, value: number) =>
  eventually(async () => ((await metric(endpoint, name, labels)) === value ? value : undefined), 10_000, `${name} ${JSON.stringify(labels)} = ${value}`);

test('every line is JSON; the request id is in the API line and in the worker lines of the workflow and its activity', async () => {
  const created = await call(customerKey, 'POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR });
  expect(created.status).toBe(201);
  // A caller's well-formed id is taken and echoed; a malformed one is replaced.
  const requestId = `decide-${randomUUID()}`;
  const decided = await call(reviewerKey, 'POST', `/v1/reviews/organizations/${created.body.id}/decision`, organizationApproval(), requestId);
  expect(decided).toMatchObject({ status: 200, requestId });
  expect((await call(reviewerKey, 'GET', '/v1/reviews', undefined, 'bad id with spaces')).requestId).toMatch(/^[0-9a-f-]{36}$/);

  expect(await linesWhen(api, requestId)).toEqual([
    expect.objectContaining({ level: 'info', msg: 'request completed', method: 'POST', route: '/v1/reviews/:kind/:id/decision', status: 200 }),
  ]);
  const inWorker = await eventually(async () => {
    const lines = linesOf(worker, requestId);
    return lines.some((l) => l.msg === 'status changed') ? lines : undefined;
  });
  // The activity that wrote the decision, and the workflow's own line, both under the request's id.
  expect(inWorker).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ level: 'info', msg: 'activity completed', activityType: 'decide', workflowId: `organization:${created.body.id}` }),
      expect.objectContaining({ level: 'info', msg: 'status changed', from: 'under_review', to: 'approved', workflowId: `organization:${created.body.id}` }),
    ]),
  );
  // Personal data never reaches the log: the administrator's email and phone are nowhere.
  for (const output of [api.output(), worker.output()]) for (const value of ['acme.cn', '13800138000', 'Li.Lei']) expect(output).not.toContain(value);
});

test('routes are logged and labelled as patterns (a router mounted under a parameter too); a secret in a path never reaches the log', async () => {
  const administrator = randomUUID();
  const requestId = `nested-${randomUUID()}`;
  expect((await call(customerKey, 'GET', `/v1/administrators/${administrator}/domains`, undefined, requestId)).status).toBe(404);
  expect(await linesWhen(api, requestId)).toEqual([expect.objectContaining({ route: '/v1/administrators/:id/domains', status: 404 })]);
  expect(
    await metric(metricsUrl.api, 'http_request_duration_seconds_count', { method: 'GET', route: '/v1/administrators/:id/domains', status_code: '404' }),
  ).toBe(1);
  expect(await (await fetch(metricsUrl.api)).text()).not.toContain(administrator); // no series per id

  // A console invitation's token is a credential (it sets a password): its path is logged without it.
  const token = randomBytes(24).toString('base64url');
  const invitationId = `invitation-${randomUUID()}`;
  await fetch(`${url}/console/invitations/${token}`, { headers: { 'x-request-id': invitationId } });
  expect(await linesWhen(api, invitationId)).toEqual([
    expect.objectContaining({ path: '/console/invitations/[redacted]', route: '/console/invitations/:token' }),
  ]);
  // Also inside a query value (the console's language links carry `back=`), and percent-encoded.
  const viaLink = `invitation-link-${randomUUID()}`;
  await fetch(`${url}/console/language?lang=zh-CN&back=${encodeURIComponent(`/console/invitations/${token}`)}`, { headers: { 'x-request-id': viaLink } });
  expect(await linesWhen(api, viaLink)).toEqual([expect.objectContaining({ path: '/console/language?lang=zh-CN&back=/console/invitations/[redacted]' })]);
  const encoded = `invitation-encoded-${randomUUID()}`;
  await fetch(`${url}/console/invitations/${token.slice(0, 4)}%${token.charCodeAt(4).toString(16)}${token.slice(5)}`, { headers: { 'x-request-id': encoded } });
  expect((await linesWhen(api, encoded))[0].path).toBe('/console/invitations/[redacted]');
  expect(api.output()).not.toContain(token);
  expect(api.output()).not.toContain(token.slice(5));

  // Personal data in a path is masked piece by piece, percent-encoded or not; the rest of the path stays readable.
  const masked = `masked-${randomUUID()}`;
  await call(customerKey, 'GET', '/v1/organizations?status=zhang.san@example.com&limit=%2B8613912345678&after=138%200013%208000', undefined, masked);
  expect(await linesWhen(api, masked)).toEqual([expect.objectContaining({ path: '/v1/organizations?status=[email]&limit=[phone]&after=[phone]' })]);
});

test('a business refusal (409) is one info line, with no stack and no warning', async () => {
  const first = await call(customerKey, 'POST', '/v1/organizations', { organization: { ...ORGANIZATION, name: 'Refusal First Co., Ltd.' } });
  const second = await call(customerKey, 'POST', '/v1/organizations', { organization: { ...ORGANIZATION, name: 'Refusal Second Co., Ltd.' } });
  expect([first.status, second.status]).toEqual([201, 201]);
  // Refused by the activity (the account already holds that legal name): a 409 from inside the worker.
  const requestId = `refused-${randomUUID()}`;
  const refused = await call(customerKey, 'PATCH', `/v1/organizations/${second.body.id}`, { name: 'Refusal First Co., Ltd.' }, requestId);
  expect(refused.status).toBe(409);
  // Refused by the workflow's validator (a decision on an organization not under review any more).
  const decided = await call(reviewerKey, 'POST', `/v1/reviews/organizations/${first.body.id}/decision`, organizationApproval());
  expect(decided.status).toBe(200);
  const again = await call(reviewerKey, 'POST', `/v1/reviews/organizations/${first.body.id}/decision`, organizationApproval(), `again-${requestId}`);
  expect(again.status).toBe(409);

  expect(await linesWhen(api, requestId)).toEqual([expect.objectContaining({ level: 'info', msg: 'request completed', status: 409 })]);
  const refusal = await eventually(async () => {
    const lines = linesOf(worker, requestId);
    return lines.length ? lines : undefined;
  });
  expect(refusal).toEqual([expect.objectContaining({ level: 'info', msg: 'activity refused', activityType: 'edit', refusal: 'Duplicate' })]);
  expect(await linesWhen(api, `again-${requestId}`)).toEqual([expect.objectContaining({ level: 'info', status: 409 })]);
  expect(linesOf(worker, `again-${requestId}`)).toEqual([]);
  // No stack anywhere, and nothing at warn or error since start-up: a healthy run.
  for (const output of [api.output(), worker.output()]) {
    expect(output).not.toMatch(/\n\s+at /);
    expect(logLines(output).filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
  }
});

test('/metrics exposes HTTP histograms, review backlog and overdue, DCV outcomes and perspective latency, and they move', async () => {
  const route = { method: 'POST', route: '/v1/organizations', status_code: '201' };
  // Reviews left from the tests above are all past their 2 s first, so the counts below move by this test only.
  await eventually(async () => {
    const [backlog, overdue] = [
      await metric(metricsUrl.api, 'cps_review_backlog', { kind: 'organization' }),
      await metric(metricsUrl.api, 'cps_review_overdue', { kind: 'organization' }),
    ];
    return backlog === overdue ? true : undefined;
  });
  const before = {
    creates: await metric(metricsUrl.api, 'http_request_duration_seconds_count', route),
    organizationBacklog: await metric(metricsUrl.api, 'cps_review_backlog', { kind: 'organization' }),
    administratorBacklog: await metric(metricsUrl.api, 'cps_review_backlog', { kind: 'administrator' }),
    organizationsOverdue: await metric(metricsUrl.api, 'cps_review_overdue', { kind: 'organization' }),
    prechecks: await metric(metricsUrl.worker, 'cps_dcv_checks_total', { kind: 'precheck' }),
    perspective: await metric(metricsUrl.worker, 'cps_dcv_perspective_check_duration_seconds_count', { perspective: 'primary' }),
  };
  const created = await call(customerKey, 'POST', '/v1/organizations', {
    organization: { ...ORGANIZATION, name: 'Metrics Co., Ltd.' },
    administrator: ADMINISTRATOR,
  });
  expect(created.status).toBe(201);
  await metricReaches(metricsUrl.api, 'http_request_duration_seconds_count', route, before.creates + 1);
  expect(await metric(metricsUrl.api, 'http_request_duration_seconds_bucket', { ...route, le: '+Inf' })).toBe(before.creates + 1);
  // Read from PostgreSQL at the scrape: one more of each under review, overdue once its 2 s have passed.
  expect(await metric(metricsUrl.api, 'cps_review_backlog', { kind: 'organization' })).toBe(before.organizationBacklog + 1);
  expect(await metric(metricsUrl.api, 'cps_review_backlog', { kind: 'administrator' })).toBe(before.administratorBacklog + 1);
  await metricReaches(metricsUrl.api, 'cps_review_overdue', { kind: 'organization' }, before.organizationsOverdue + 1);
  expect(await metric(metricsUrl.api, 'cps_domains_needing_attention')).toBe(0);

  // Approved: out of the backlog. Then a domain's pre-check through the one perspective.
  const administratorId = created.body.administrators[0].id;
  expect((await call(reviewerKey, 'POST', `/v1/reviews/organizations/${created.body.id}/decision`, organizationApproval())).status).toBe(200);
  expect((await call(reviewerKey, 'POST', `/v1/reviews/administrators/${administratorId}/decision`, administratorApproval())).status).toBe(200);
  expect(await metric(metricsUrl.api, 'cps_review_backlog', { kind: 'organization' })).toBe(before.organizationBacklog);
  expect(await metric(metricsUrl.api, 'cps_review_overdue', { kind: 'organization' })).toBe(before.organizationsOverdue);
  const domain = await call(customerKey, 'POST', `/v1/administrators/${administratorId}/domains`, {
    domain: 'metrics.example.com',
    autoValidation: false,
    method: 'dns',
  });
  expect(domain.status).toBe(201);
  const precheck = await call(customerKey, 'POST', `/v1/domains/${domain.body.id}/validate`);
  expect(precheck.status).toBe(200);
  const code: string = precheck.body.code;
  expect(
    await eventually(async () => ((await metric(metricsUrl.worker, 'cps_dcv_checks_total', { kind: 'precheck' })) === before.prechecks + 1 ? true : undefined)),
  ).toBe(true);
  expect(await metric(metricsUrl.worker, 'cps_dcv_checks_total', { kind: 'precheck', code })).toBeGreaterThanOrEqual(1);
  expect(await metric(metricsUrl.worker, 'cps_dcv_perspective_check_duration_seconds_count', { perspective: 'primary' })).toBeGreaterThan(before.perspective);
  // Node's own series too.
  expect(await metric(metricsUrl.api, 'process_resident_memory_bytes')).toBeGreaterThan(0);
});

test("the Temporal SDK's worker metrics are served by its runtime on TEMPORAL_METRICS_LISTEN", async () => {
  const slots = { task_queue: `observability-${new URL(url).port}`, worker_type: 'ActivityWorker' };
  expect(await metric(metricsUrl.temporal, 'temporal_worker_task_slots_available', slots)).toBeGreaterThan(0);
  const completed = await metric(metricsUrl.temporal, 'temporal_activity_execution_latency_count');
  expect(completed).toBeGreaterThan(0);
  // More activities run: the SDK's counts move.
  await call(customerKey, 'POST', '/v1/organizations', { organization: { ...ORGANIZATION, name: 'Sdk Metrics Co., Ltd.' } }).then(async (created) =>
    call(reviewerKey, 'POST', `/v1/reviews/organizations/${created.body.id}/decision`, organizationApproval()),
  );
  expect(await eventually(async () => ((await metric(metricsUrl.temporal, 'temporal_activity_execution_latency_count')) > completed ? true : undefined))).toBe(
    true,
  );
  // The service's own endpoint answers nothing but /metrics.
  expect((await fetch(metricsUrl.api.replace('/metrics', '/v1/organizations'))).status).toBe(404);
});

test('a client that leaves before its answer is on record too: one line at status 499, and the histogram', async () => {
  const requestId = `left-${randomUUID()}`;
  const body = JSON.stringify({ organization: { ...ORGANIZATION, name: 'Left Early Ltd.' }, administrator: ADMINISTRATOR });
  const before = await metric(metricsUrl.api, 'http_request_duration_seconds_count', { status_code: '499' });
  // Half the body, then the connection closed: the request arrived, no answer can go out.
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `POST /v1/organizations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${customerKey}\r\nContent-Type: application/json\r\n` +
      `X-Request-Id: ${requestId}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`,
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  socket.destroy();
  expect(await linesWhen(api, requestId)).toEqual([
    expect.objectContaining({ level: 'info', msg: 'client closed the connection before the answer', method: 'POST', status: 499 }),
  ]);
  expect(await metric(metricsUrl.api, 'http_request_duration_seconds_count', { status_code: '499' })).toBe(before + 1);
});

test('a request Node refuses before the API sees it (headers past 16 KiB) is answered as problem+json, not an empty body, and logged', async () => {
  const answer = await fetch(`${url}/v1/organizations/${'a'.repeat(20_000)}`, { headers: { authorization: `Bearer ${customerKey}` } });
  expect([answer.status, answer.headers.get('content-type')]).toEqual([431, 'application/problem+json; charset=utf-8']);
  expect(await answer.json()).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
  await eventually(async () => (logLines(api.output()).some((l) => l.msg === 'request refused before it was read' && l.status === 431) ? true : undefined));
});

test('garbage after a completed answer on a kept-alive connection gets its own 400 after it, and the connection closes', async () => {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  await eventually(async () => (received.includes('{"status":"ok"}') ? true : undefined));
  socket.write('NOT HTTP AT ALL\r\n\r\n');
  await closed;
  expect(received.match(/HTTP\/1\.1 \d+/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 400']);
  expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\{"status":"ok"\}HTTP\/1\.1 400 Bad Request\r\n[\s\S]*"status":400/);
});

test('garbage pipelined behind a request whose answer is still being sent gets no answer inside it: the connection is closed', async () => {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined); // a reset is one way to be closed
  socket.write('GET /openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nNOT HTTP AT ALL\r\n\r\n');
  await closed;
  expect(received).not.toMatch(/HTTP\/1\.1 400/);
});
