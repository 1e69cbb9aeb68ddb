import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowExecutionDescription } from '@temporalio/client';
import { startsInFlight } from '../../src/app/start-after-commit';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { createApp } from '../../src/api/app';
import { type Config, loadConfig, type LogLevel, type Timings } from '../../src/config';
import { setLogLevel } from '../../src/log';
import { requestIdClientInterceptor } from '../../src/temporal/request-id';
import { connectDatabase, type Db } from '../../src/db/connect';
import { migrateToLatest } from '../../src/db/migrate';
import { organizationNames } from '../../src/db/organization-names';
import { createAccount, createReviewer } from '../../src/db/principals';
import { parseDuration } from '../../src/domain/duration';
import { domainWorkflows, type DomainWorkflows } from '../../src/temporal/domain-client';
import { profileWorkflows, type ProfileWorkflows } from '../../src/temporal/profile-client';
import { codecKeysOf } from '../../src/temporal/codec-keys';
import { type CodecKey, dataConverterOf, EncryptionCodec } from '../../src/temporal/payload-codec';
import type { ServiceMetrics } from '../../src/metrics';
import { createWorkers } from '../../src/temporal/worker';
import { interactivePresence } from '../../src/db/interactive-presence';
import { webhookWorkflows } from '../../src/temporal/webhook-client';
import { emailWorkflows } from '../../src/temporal/email-client';
import { startNotifier } from '../../src/notify/notifier';
import { contract } from './contract';
import { createTestDatabase } from './database';
import { administratorApproval, organizationApproval } from './review-records';

let runtimeInstalled = false;

export interface Harness {
  baseUrl: string;
  db: Db;
  /** The test's PostgreSQL database (undefined on PGlite), for tests that hold locks from their own connection. */
  databaseUrl?: string;
  client: Client;
  taskQueue: string;
  workflows: ProfileWorkflows;
  domains: DomainWorkflows;
  config: Config;
  /** The payload codec of the API, the client and the workers, and its keys (the first seals). */
  codec: EncryptionCodec;
  codecKeys: CodecKey[];
  /** SECRET_KEY of the API and workers: seals DNS provider and webhook secrets. */
  secretKey: Buffer;
  /** A new account; `keyName` names its key (the actor its changes show in the audit trail; default "default"). */
  customer(name?: string, keyName?: string): Promise<Api>;
  reviewer(name?: string): Promise<Api>;
  /** Calls without a key, or with an arbitrary Authorization header. */
  anonymous(): Api;
  /** Stops the workers and starts them again, on the same task queue and database, with `env` as their configuration (a redeploy). */
  restartWorkers(env: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface Api {
  key: string;
  id: string;
  request<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
}

export const fastTimings = (overrides: Partial<Record<keyof Timings, string>> = {}): Timings => ({
  reviewSla: parseDuration(overrides.reviewSla ?? '1h'),
  reviewReminderInterval: parseDuration(overrides.reviewReminderInterval ?? '1h'),
  identityReusePeriod: overrides.identityReusePeriod ? parseDuration(overrides.identityReusePeriod) : undefined,
  expiringWindow: parseDuration(overrides.expiringWindow ?? '30d'),
});

/**
 * The real service in-process: HTTP API on a loopback port, a worker on its own task queue of the shared
 * Temporal dev server, and a fresh PostgreSQL database (or embedded PGlite).
 */
export async function startHarness(
  options: {
    timings?: Timings;
    database?: 'postgres' | 'pglite';
    continueAsNewAfterEvents?: number;
    env?: Record<string, string>;
    /** The workers' Prometheus series (src/metrics.ts), as the service passes them. */
    metrics?: ServiceMetrics;
  } = {},
): Promise<Harness> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    // The service's own lines (a request each) would drown the test output: warnings and errors only, unless LOG_LEVEL asks.
    setLogLevel((process.env.LOG_LEVEL?.toUpperCase() as LogLevel | undefined) ?? 'WARN');
    runtimeInstalled = true;
  }
  const timings = options.timings ?? fastTimings();
  const testDb = options.database === 'pglite' ? undefined : await createTestDatabase();
  const db = await connectDatabase({ databaseUrl: testDb?.url, dataDir: mkdtempSync(path.join(os.tmpdir(), 'cps-pglite-')) });
  await migrateToLatest(db);

  const address = process.env.TEST_TEMPORAL_ADDRESS!;
  const taskQueue = `test-${randomBytes(4).toString('hex')}`;
  // DATA_DIR of its own: emails without SMTP_URL are written under it.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cps-data-'));
  const config: Config = {
    ...loadConfig({ DCV_PERSPECTIVES: 'primary=127.0.0.1:1', DATA_DIR: dataDir, ...options.env, TEMPORAL_TASK_QUEUE: taskQueue }),
    timings,
  };
  const secretKey = randomBytes(32);
  const codecKeys = codecKeysOf(config.temporal.codecKeys, secretKey);
  const codec = new EncryptionCodec(codecKeys);
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, dataConverter: dataConverterOf(codec), interceptors: { workflow: [requestIdClientInterceptor] } });
  const startWorkers = (workerConfig: Config, workerCodec: EncryptionCodec) =>
    createWorkers(workerConfig, address, db, secretKey, workerCodec, { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! } }, options.metrics);
  // The API's interactive requests hold back its creates, as in the service (one process: no peers to hear).
  const presence = interactivePresence();
  let workers = await startWorkers(config, codec);
  let running = workers.run();
  // REQUEST_DEADLINE from `env` bounds the API's requests and workflow calls, as in the service.
  const names = organizationNames(db);
  const workflows = profileWorkflows(client, taskQueue, timings, options.continueAsNewAfterEvents, config.requestDeadlineMs, names);
  const domains = domainWorkflows(client, taskQueue, config.dcv, options.continueAsNewAfterEvents, config.requestDeadlineMs, names);
  const webhooks = webhookWorkflows(client, taskQueue, config.requestDeadlineMs);
  // The worker's notification passes (webhook dispatch, expiry notices), as the service runs them.
  const emails = emailWorkflows(client, taskQueue, () => ({ interval: config.notify.email.retryInterval, maxAttempts: config.notify.email.maxAttempts }));
  const stopNotifier = startNotifier({ db, config, webhooks, emails });

  const app = createApp({
    requestDeadlineMs: config.requestDeadlineMs,
    db,
    workflows,
    domains,
    webhooks,
    timings,
    dcv: config.dcv,
    notify: config.notify,
    secretKey,
    createConcurrency: config.createConcurrency,
    createYieldMaxMs: config.createYieldMaxMs,
    presence,
    console: config.console,
    codec,
    uiOrigins: config.temporal.uiOrigins,
    ready: async () => ({ database: true, temporal: true }),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as { port: number };
  const baseUrl = `http://127.0.0.1:${port}`;

  const api = (key: string, id: string): Api => ({
    key,
    id,
    async request(method, requestPath, body, headers = {}) {
      const response = await fetch(`${baseUrl}${requestPath}`, {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      // Every answer the suite receives must be one /openapi.json declares for the operation.
      contract().assert({ method, path: requestPath, status: response.status, headers: response.headers, text });
      const json = /[/+]json\b/.test(response.headers.get('content-type') ?? '');
      return { status: response.status, headers: response.headers, body: text ? (json ? JSON.parse(text) : text) : undefined };
    },
  });

  return {
    baseUrl,
    db,
    databaseUrl: testDb?.url,
    client,
    taskQueue,
    workflows,
    domains,
    config,
    codec,
    codecKeys,
    secretKey,
    async customer(name = 'Customer', keyName?: string) {
      const { accountId, apiKey } = await createAccount(db, name, keyName);
      return api(apiKey, accountId);
    },
    async reviewer(name = 'Reviewer') {
      const { reviewerId, apiKey } = await createReviewer(db, name);
      return api(apiKey, reviewerId);
    },
    anonymous: () => api('', ''),
    async restartWorkers(env) {
      await workers.shutdown();
      await running;
      const next: Config = { ...loadConfig({ DCV_PERSPECTIVES: 'primary=127.0.0.1:1', DATA_DIR: dataDir, ...env, TEMPORAL_TASK_QUEUE: taskQueue }), timings };
      const nextCodec = new EncryptionCodec(codecKeysOf(next.temporal.codecKeys, secretKey));
      workers = await startWorkers(next, nextCodec);
      running = workers.run();
    },
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      // As the service does: the creates answered have their workflows started before the connections close.
      await startsInFlight();
      await stopNotifier();
      await workers.shutdown();
      await running;
      await presence.close();
      await connection.close();
      await db.destroy();
      await testDb?.drop();
    },
  };
}

/** How many organizations, administrators and audit events the database holds: a refused request changes none. */
export async function profileRowCounts(db: Db): Promise<{ organizations: number; administrators: number; events: number }> {
  const count = async (table: 'organizations' | 'administrators' | 'events') => (await db.selectFrom(table).select('id').execute()).length;
  return { organizations: await count('organizations'), administrators: await count('administrators'), events: await count('events') };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

/**
 * The description of workflow `workflowId` once it exists: a create answers before its workflows start
 * (src/app/start-after-commit.ts), so a test that reads one right after a create waits for it.
 */
export function startedWorkflow(client: Client, workflowId: string): Promise<WorkflowExecutionDescription> {
  return eventually(() => client.workflow.getHandle(workflowId).describe(), 10_000, `workflow ${workflowId} started`);
}

export const ORGANIZATION = {
  name: 'Acme Network Technology Co., Ltd.',
  department: 'IT',
  country: 'CN',
  province: 'Beijing',
  city: 'Beijing',
  address: '1 Zhongguancun Street, Haidian District',
  landline: '010 6552 9988',
};

export const ADMINISTRATOR = {
  firstName: 'Lei',
  lastName: 'Li',
  position: 'CTO',
  phone: '138 0013 8000',
  email: 'Li.Lei@Acme.CN',
};

let approvedOrganizations = 0;

/**
 * An organization and its administrator, both approved: what adding domains needs first. Each call is
 * another organization (an account holds each legal entity once).
 */
export async function approvedAdministrator(
  customer: Api,
  reviewer: Api,
  name = `Acme Network Technology ${++approvedOrganizations} Co., Ltd.`,
): Promise<{ organizationId: string; administratorId: string }> {
  const organization = (await customer.request('POST', '/v1/organizations', { organization: { ...ORGANIZATION, name }, administrator: ADMINISTRATOR })).body;
  const administratorId = organization.administrators[0].id;
  for (const [path, decision] of [
    [`/v1/reviews/organizations/${organization.id}/decision`, organizationApproval()],
    [`/v1/reviews/administrators/${administratorId}/decision`, administratorApproval()],
  ] as const) {
    const answer = await reviewer.request('POST', path, decision);
    if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return { organizationId: organization.id, administratorId };
}

/** A new customer of `harness` with an approved organization and administrator. */
export async function customerWithApprovedAdministrator(harness: Harness): Promise<{ customer: Api; administratorId: string }> {
  const customer = await harness.customer();
  const { administratorId } = await approvedAdministrator(customer, await harness.reviewer());
  return { customer, administratorId };
}

/** Reads a customer's domains: now, until a predicate holds, and their audit trail. */
export function domainWatcher(customer: Api, defaultTimeoutMs = 20_000) {
  const get = async (id: string) => (await customer.request('GET', `/v1/domains/${id}`)).body;
  const events = async (id: string) =>
    (await customer.request('GET', `/v1/domains/${id}/events?limit=100`)).body.items as { action: string; note: string | null }[];
  return {
    get,
    until: (id: string, predicate: (d: any) => boolean, what: string, timeoutMs = defaultTimeoutMs) =>
      eventually(
        async () => {
          const domain = await get(id);
          return predicate(domain) ? domain : undefined;
        },
        timeoutMs,
        what,
      ),
    events,
    actions: async (id: string) => (await events(id)).map((e) => e.action),
  };
}
