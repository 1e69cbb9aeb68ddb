import { createServer, type Server } from 'node:http';
import { answerClientError } from './api/client-error';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startAdminSocket } from './admin-socket';
import { runAdminCommand } from './cli/admin-commands';
import { createApp } from './api/app';
import { interactivePresence } from './db/interactive-presence';
import { probeTimeoutMs } from './api/deadline';
import { apiListenHost, type Config, loadConfig, localAddressOf, withEmbeddedDefaults } from './config';
import { connectDatabase, type Db, describeDatabase } from './db/connect';
import { organizationNames } from './db/organization-names';
import { publicUrlConcern } from './dcv/public-url';
import { nameServerConcern, serveDelegationZone } from './dcv/served-zone';
import { migrateToLatest } from './db/migrate';
import { findTemporalCli } from './temporal/cli-binary';
import { connectClient } from './temporal/connection';
import { type DevServer, startDevServer } from './temporal/dev-server';
import { registerSearchAttributes } from './temporal/namespace-setup';
import { profileWorkflows } from './temporal/profile-client';
import { reconcileWorkflows } from './temporal/reconciler';
import { createWorkers, installTemporalRuntime } from './temporal/worker';
import { domainWorkflows } from './temporal/domain-client';
import { resolveSecretKey } from './secret-key';
import { checkSecretKeyOnceSetUp, secretKeyAgrees } from './secret-key-startup';
import { readinessProbe, setupWarnings } from './readiness';
import { payloadCodecOf } from './temporal/codec-keys';
import { log, setLogLevel, startupLog } from './log';
import { createMetrics, observeOperatorCounts, serveMetrics } from './metrics';
import { repeat, startNotifier } from './notify/notifier';
import { expireIdempotencyKeys } from './db/idempotent-create';
import { replanRenewalsDue } from './dcv/renewals-due';
import { webhookWorkflows } from './temporal/webhook-client';
import { emailWorkflows } from './temporal/email-client';
import { startsInFlight } from './app/start-after-commit';

export interface ServiceParts {
  api: boolean;
  worker: boolean;
}

export interface RunningService {
  stop(): Promise<void>;
}

const PROJECT_DIR = path.resolve(__dirname, '..');
/** Start-up and shutdown lines (where things are): always written. */
const tell = (line: string) => startupLog.info(line);

/**
 * Boots the parts of the service this process runs. All-in-one (`npm start`) embeds PGlite and a
 * Temporal dev server unless DATABASE_URL / TEMPORAL_ADDRESS point elsewhere, and applies the
 * migrations itself; split processes need both and find them set up by `npm run setup` (they warn
 * at start when not, and /readyz answers 503 until it is).
 */
export async function runService(parts: ServiceParts, config: Config = loadConfig()): Promise<RunningService> {
  const embedded = parts.api && parts.worker;
  if (!embedded && !config.databaseUrl) throw new Error('separate api/worker processes share one database: set DATABASE_URL');
  if (embedded) config = withEmbeddedDefaults(config);
  // A bad HOST or a taken port is said before anything starts, not after the migrations and the dev server.
  if (parts.api) await canListen(config.port, apiListenHost(config));
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error) => log.warn({ err: error }, 'shutdown step failed'));
  };
  try {
    const deadlineMs = config.requestDeadlineMs;
    // Requests and activities get a pool bounded by the request deadline; the all-in-one process's
    // migrations (which may legitimately run longer) get their own unbounded connection first.
    const db: Db = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, deadlineMs });
    stops.push(() => db.destroy());
    if (embedded) {
      const applied = await migrate(config, db);
      if (applied.length) tell(`database migrated: ${applied.join(', ')}`);
    }
    tell(`database: ${describeDatabase(config)}`);
    // One registry per process: the API's and the worker's series side by side in the all-in-one.
    const metrics = createMetrics({ processMetrics: true });

    let address = config.temporal.address;
    let devServer: DevServer | undefined;
    if (!address && embedded) {
      const cliPath = findTemporalCli(PROJECT_DIR, tell);
      devServer = await startDevServer({
        cliPath,
        dataDir: path.join(config.dataDir, 'temporal'),
        port: config.temporal.devPort,
        uiPort: config.temporal.uiPort,
        namespace: config.temporal.namespace,
        // Everything in this process needs it: the service stops, saying why, rather than answer 503 forever.
        onExit: (how, logFile) => stopFailed(`the embedded Temporal dev server exited (${how}); see ${logFile}`),
      });
      stops.push(() => devServer!.stop());
      address = devServer.address;
    }
    address ??= '127.0.0.1:7233';
    const secretKey = resolveSecretKey(config, embedded);
    const codec = payloadCodecOf(config.temporal.codecKeys, secretKey);
    const client: Client = await connectClient(config, address, codec);
    stops.push(() => client.connection.close());
    // A dev server's file from before a search attribute existed keeps its old set (start-dev adds none to an
    // existing file): the embedded service registers what is missing, as `npm run setup` does elsewhere.
    if (devServer) {
      const added = await registerSearchAttributes(client.connection, config.temporal.namespace);
      if (added.length) tell(`search attributes registered: ${added.join(', ')}`);
    }
    const names = organizationNames(db);
    const workflows = profileWorkflows(client, config.temporal.taskQueue, config.timings, undefined, deadlineMs, names);
    const domains = domainWorkflows(client, config.temporal.taskQueue, config.dcv, undefined, deadlineMs, names);
    const webhooks = webhookWorkflows(client, config.temporal.taskQueue, deadlineMs);
    const emails = emailWorkflows(
      client,
      config.temporal.taskQueue,
      () => ({ interval: config.notify.email.retryInterval, maxAttempts: config.notify.email.maxAttempts }),
      deadlineMs,
    );
    const ready = readinessProbe(db, client, config.temporal.namespace, probeTimeoutMs(deadlineMs));
    const readiness = await ready();
    // Not fatal (it may be starting too; every request and pass retries), but said: a process that starts quietly looks healthy.
    if (!readiness.database)
      log.warn(`${describeDatabase(config)} does not answer yet (DATABASE_URL): until it does, requests answer 503 and background passes retry`);
    for (const line of setupWarnings(readiness)) log.warn(`not set up: ${line}`);
    // SECRET_KEY checked against the database's record (src/db/secret-key-check.ts) before anything seals, opens
    // or encrypts with it: now when the database is set up; otherwise the API answers 503 and the worker's
    // part waits, while a check every few seconds tries again.
    let secretKeyChecked = readiness.database && readiness.migrations ? await secretKeyAgrees(db, secretKey) : false;

    // `register` takes the part's stop functions (run last registered first).
    const startWorkerPart = async (register: (...stop: Array<() => Promise<void>>) => void) => {
      const workers = await createWorkers(config, address, db, secretKey, codec, {}, metrics);
      workers.run().catch((error) => stopFailed(`the worker failed: ${error instanceof Error ? error.message : error}`, error));
      register(() => workers.shutdown());
      register(
        repeat(
          'reconciler: unmarked rows whose workflows were started (or found running)',
          () => config.reconcileInterval.ms ?? 60_000,
          async () => (await reconcileWorkflows(db, { profiles: workflows, domains })).started,
          log,
        ),
      );
      register(startNotifier({ db, config, webhooks, emails }));
      register(
        repeat(
          'renewals replanned',
          () => config.notify.noticeInterval.ms ?? 3_600_000,
          () => replanRenewalsDue(db, domains, config.dcv.revalidateBefore),
          log,
        ),
        repeat(
          'idempotency keys expired',
          () => 3_600_000,
          () => expireIdempotencyKeys(db, config.idempotencyKeyRetention.ms),
          log,
        ),
      );
      const here = config.dcv.perspectives.map((p) => `${p.name} (${p.resolvers.join(', ')})`);
      tell(`DCV perspectives: ${[...here, ...config.dcv.remotePerspectives.map((name) => `${name} (remote)`)].join('; ')}`);
    };
    if (parts.worker && secretKeyChecked) await startWorkerPart((...stop) => stops.push(...stop));
    if (!secretKeyChecked) {
      stops.push(
        checkSecretKeyOnceSetUp(db, secretKey, stopFailed, async (register) => {
          secretKeyChecked = true;
          if (parts.worker) await startWorkerPart(register);
        }),
      );
    }

    if (parts.api) {
      observeOperatorCounts(metrics, db, probeTimeoutMs(deadlineMs));
      // Reviewers' decisions in progress hold back creates. API processes on one PostgreSQL hear each other's
      // (LISTEN/NOTIFY); the all-in-one on PGlite is one process and needs no more.
      const presence = interactivePresence({ databaseUrl: config.databaseUrl });
      stops.push(() => presence.close());
      // Run after the server has closed (stops run last first): the creates it answered have their workflows started before the connections close.
      stops.push(() => startsInFlight());
      const app = createApp({
        metrics,
        db,
        workflows,
        domains,
        webhooks,
        timings: config.timings,
        dcv: config.dcv,
        notify: config.notify,
        secretKey,
        codec,
        uiOrigins: config.temporal.uiOrigins,
        requestDeadlineMs: deadlineMs,
        secretKeyChecked: () => secretKeyChecked,
        createConcurrency: config.createConcurrency,
        createYieldMaxMs: config.createYieldMaxMs,
        presence,
        console: config.console,
        ready,
      });
      // Not app.listen's callback: Express 5 also calls it with the 'error' event (a port taken), as if listening.
      const server: Server = await new Promise((resolve, reject) => {
        const s = createServer(app).on('clientError', answerClientError);
        s.once('listening', () => resolve(s));
        s.once('error', (error) => reject(cannotListen(config.port, config.host, error)));
        // Unset HOST: every interface (Node's default); `npm start` has set loopback (withEmbeddedDefaults).
        s.listen(config.port, config.host);
      });
      stops.push(() => new Promise((resolve) => server.close(() => resolve())));
      const base = `http://${localAddressOf(config.host)}:${config.port}`;
      tell(`API:         ${base}/v1`);
      tell(`API docs:    ${base}/docs (OpenAPI at ${base}/openapi.json)`);
      tell(`Console:     ${config.console.publicUrl}/console/ (sign in; npm run cli -- user create ... invites its first user)`);
      // Without an external server for the delegation zone, the API processes answer for it (automatic DNS method).
      if (!config.dcv.delegationServer && config.dcv.dnsListen) {
        const dns = await serveDelegationZone(db, config.dcv, (line) => log.info(line));
        stops.push(() => dns.close());
        tell(`DNS:         ${dns.address}:${dns.port} (UDP and TCP), authoritative for ${config.dcv.delegationZone}`);
        const nameServer = nameServerConcern(config.dcv);
        if (nameServer) log.warn(nameServer);
      }
      const concern = publicUrlConcern(config.dcv.publicUrl);
      if (concern) log.warn(concern);
    }
    if (config.metrics.listen) {
      const endpoint = await serveMetrics(metrics.registry, config.metrics.listen);
      stops.push(() => endpoint.close());
      tell(`Metrics:     http://${config.metrics.listen.host}:${endpoint.port}/metrics`);
    }
    if (parts.worker && config.metrics.temporalListen)
      tell(`Temporal SDK metrics: http://${config.metrics.temporalListen.host}:${config.metrics.temporalListen.port}/metrics`);
    if (embedded && !config.databaseUrl) stops.push(await startAdminSocket(config.dataDir, (route, body) => runAdminCommand(db, config.console, route, body)));
    tell(`Temporal:    ${address} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})`);
    if (devServer?.uiUrl) tell(`Temporal UI: ${devServer.uiUrl}`);
    return { stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** All-in-one only: PGlite on the pool, PostgreSQL on a connection of its own without the request deadline. */
async function migrate(config: Config, db: Db): Promise<string[]> {
  if (!config.databaseUrl) return migrateToLatest(db);
  const unbounded = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  try {
    return await migrateToLatest(unbounded);
  } finally {
    await unbounded.destroy();
  }
}

/** Set once the process is stopping: what ends then (the embedded dev server, the worker) is no failure. */
let shuttingDown = false;

/**
 * Something every part of this process needs ended on its own: the service stops, saying why, with exit
 * code 1, rather than answer 503 forever. While it is stopping anyway, a warning only.
 */
function stopFailed(why: string, error?: unknown, advice = 'start the service again'): void {
  if (shuttingDown) return void log.warn({ err: error }, `while stopping: ${why}`);
  log.error({ err: error }, `${why}. Stopping: ${advice}`);
  process.exitCode = 1;
  process.kill(process.pid, 'SIGTERM');
}

/** Runs until SIGINT/SIGTERM, then drains the worker and closes every connection; a signal during start-up waits for it. */
export function runUntilSignal(parts: ServiceParts): void {
  let requested: string | undefined;
  let stop: (() => Promise<void>) | undefined;
  const shutdown = (signal: string) => {
    if (requested) return;
    requested = signal;
    shuttingDown = true;
    tell(`${signal}: shutting down`);
    stop?.().then(
      () => process.exit(process.exitCode ?? 0),
      (error) => (log.error({ err: error }, 'shutdown failed'), process.exit(1)),
    );
  };
  // What the service writes (the embedded database, the email outbox's messages with their addressees,
  // the dev server's history, the secret key) is readable by its own user only.
  process.umask(0o077);
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  const failed = (error: unknown) => {
    log.error(`failed to start: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  };
  let config: Config;
  try {
    config = loadConfig();
    setLogLevel(config.logLevel);
    installTemporalRuntime(config);
  } catch (error) {
    return failed(error);
  }
  runService(parts, config).then((service) => {
    stop = service.stop;
    if (requested) {
      requested = undefined;
      shutdown('signal during start-up');
    }
  }, failed);
}

const cannotListen = (port: number, host: string | undefined, error: Error) =>
  new Error(`the API cannot listen on ${host ? `${host} port ${port}` : `port ${port}`}: ${error.message} (set PORT or HOST to move it)`);

/** Binds `host`:`port` and lets it go: rejects as the API's listen would (the address is not this machine's, the port is taken). */
function canListen(port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => reject(cannotListen(port, host, error)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
