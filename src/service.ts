import type { Server } from 'node:http';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startAdminSocket } from './admin-socket';
import { createApp } from './api/app';
import { probeTimeoutMs } from './api/deadline';
import { type Config, loadConfig, withEmbeddedDns } from './config';
import { connectDatabase, type Db, describeDatabase } from './db/connect';
import { publicUrlConcern } from './dcv/public-url';
import { serveDelegationZone } from './dcv/served-zone';
import { migrateToLatest } from './db/migrate';
import { findTemporalCli } from './temporal/cli-binary';
import { connectClient } from './temporal/connection';
import { type DevServer, startDevServer } from './temporal/dev-server';
import { profileWorkflows } from './temporal/profile-client';
import { startReconciler } from './temporal/reconciler';
import { createWorkers, installTemporalLogging } from './temporal/worker';
import { domainWorkflows } from './temporal/domain-client';
import { resolveSecretKey } from './secret-key';
import { readinessProbe, setupWarnings } from './readiness';
import { payloadCodecOf } from './temporal/codec-keys';
import { log as masked } from './log';
import { startNotifier } from './notify/notifier';
import { webhookWorkflows } from './temporal/webhook-client';
import { emailWorkflows } from './temporal/email-client';

export interface ServiceParts {
  api: boolean;
  worker: boolean;
}

export interface RunningService {
  stop(): Promise<void>;
}

const PROJECT_DIR = path.resolve(__dirname, '..');
const log = (line: string) => masked.info(`[certificate-profiles] ${line}`);

/**
 * Boots the parts of the service this process runs. All-in-one (`npm start`) embeds PGlite and a
 * Temporal dev server unless DATABASE_URL / TEMPORAL_ADDRESS point elsewhere, and applies the
 * migrations itself; split processes need both and find them set up by `npm run setup` (they warn
 * at start when not, and /readyz answers 503 until it is).
 */
export async function runService(parts: ServiceParts, config: Config = loadConfig()): Promise<RunningService> {
  const embedded = parts.api && parts.worker;
  if (!embedded && !config.databaseUrl) throw new Error('separate api/worker processes share one database: set DATABASE_URL');
  if (embedded) config = withEmbeddedDns(config);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error) => log(`shutdown: ${error.message}`));
  };
  try {
    const deadlineMs = config.requestDeadlineMs;
    // Requests and activities get a pool bounded by the request deadline; the all-in-one process's
    // migrations (which may legitimately run longer) get their own unbounded connection first.
    const db: Db = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, deadlineMs });
    stops.push(() => db.destroy());
    if (embedded) {
      const applied = await migrate(config, db);
      if (applied.length) log(`database migrated: ${applied.join(', ')}`);
    }
    log(`database: ${describeDatabase(config)}`);

    let address = config.temporal.address;
    let devServer: DevServer | undefined;
    if (!address && embedded) {
      const cliPath = findTemporalCli(PROJECT_DIR, log);
      devServer = await startDevServer({
        cliPath,
        dataDir: path.join(config.dataDir, 'temporal'),
        port: config.temporal.devPort,
        uiPort: config.temporal.uiPort,
        namespace: config.temporal.namespace,
      });
      stops.push(() => devServer!.stop());
      address = devServer.address;
    }
    address ??= '127.0.0.1:7233';
    const secretKey = resolveSecretKey(config, embedded);
    const codec = payloadCodecOf(config.temporal.codecKeys, secretKey);
    const client: Client = await connectClient(config, address, codec);
    stops.push(() => client.connection.close());
    const workflows = profileWorkflows(client, config.temporal.taskQueue, config.timings, undefined, deadlineMs);
    const domains = domainWorkflows(client, config.temporal.taskQueue, config.dcv, undefined, deadlineMs);
    const webhooks = webhookWorkflows(client, config.temporal.taskQueue, deadlineMs);
    const emails = emailWorkflows(
      client,
      config.temporal.taskQueue,
      () => ({ interval: config.notify.email.retryInterval, maxAttempts: config.notify.email.maxAttempts }),
      deadlineMs,
    );
    const ready = readinessProbe(db, client, config.temporal.namespace, probeTimeoutMs(deadlineMs));
    for (const line of setupWarnings(await ready())) masked.warn(`[certificate-profiles] warning: not set up: ${line}`);

    if (parts.worker) {
      const workers = await createWorkers(config, address, db, secretKey, codec);
      void workers.run();
      stops.push(() => workers.shutdown());
      stops.push(startReconciler(db, { profiles: workflows, domains }, config.reconcileInterval.ms ?? 60_000, log));
      stops.push(startNotifier({ db, config, webhooks, emails }, log));
      const here = config.dcv.perspectives.map((p) => `${p.name} (${p.resolvers.join(', ')})`);
      log(`DCV perspectives: ${[...here, ...config.dcv.remotePerspectives.map((name) => `${name} (remote)`)].join('; ')}`);
    }

    if (parts.api) {
      const app = createApp({
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
        createConcurrency: config.createConcurrency,
        ready,
      });
      const server: Server = await new Promise((resolve, reject) => {
        const s = app.listen(config.port, () => resolve(s));
        s.once('error', (error) => reject(new Error(`the API cannot listen on port ${config.port}: ${error.message} (set PORT to move it)`)));
      });
      stops.push(() => new Promise((resolve) => server.close(() => resolve())));
      const base = `http://127.0.0.1:${config.port}`;
      log(`API:         ${base}/v1`);
      log(`API docs:    ${base}/docs (OpenAPI at ${base}/openapi.json)`);
      // Without an external server for the delegation zone, the API processes answer for it (automatic DNS method).
      if (!config.dcv.delegationServer && config.dcv.dnsListen) {
        const dns = await serveDelegationZone(db, config.dcv, log);
        stops.push(() => dns.close());
        log(`DNS:         ${dns.address}:${dns.port} (UDP and TCP), authoritative for ${config.dcv.delegationZone}`);
      }
      const concern = publicUrlConcern(config.dcv.publicUrl);
      if (concern) console.warn(`[certificate-profiles] warning: ${concern}`);
    }
    if (embedded && !config.databaseUrl) stops.push(await startAdminSocket(db, config.dataDir));
    log(`Temporal:    ${address} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})`);
    if (devServer?.uiUrl) log(`Temporal UI: ${devServer.uiUrl}`);
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

/** Runs until SIGINT/SIGTERM, then drains the worker and closes every connection; a signal during start-up waits for it. */
export function runUntilSignal(parts: ServiceParts): void {
  let requested: string | undefined;
  let stop: (() => Promise<void>) | undefined;
  const shutdown = (signal: string) => {
    if (requested) return;
    requested = signal;
    log(`${signal}: shutting down`);
    stop?.().then(
      () => process.exit(0),
      (error) => (masked.error(error), process.exit(1)),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  const failed = (error: unknown) => {
    masked.error(`[certificate-profiles] failed to start: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  };
  let config: Config;
  try {
    config = loadConfig();
    installTemporalLogging(config.logLevel);
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
