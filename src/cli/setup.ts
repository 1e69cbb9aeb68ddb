import { Connection, isGrpcServiceError } from '@temporalio/client';
import type { Config } from '../config';
import { connectDatabase, describeDatabase } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import { connectionOptions } from '../temporal/connection';
import { ensureNamespace, registerSearchAttributes } from '../temporal/namespace-setup';

/** What `npm run setup` did; every field empty or false on a second run. */
export interface SetupReport {
  database: string;
  migrationsApplied: string[];
  temporal: string;
  namespace: string;
  namespaceCreated: boolean;
  searchAttributesAdded: string[];
}

/** How long setup waits for a Temporal cluster that is still starting (compose starts both at once). */
const TEMPORAL_WAIT_MS = 120_000;

/**
 * `npm run setup`, the one-shot step before `npm run api` / `npm run worker` (the `setup` service of
 * docker-compose.yml): applies the database migrations, then waits until Temporal serves, creates the
 * namespace if it does not exist (TEMPORAL_NAMESPACE_RETENTION) and registers the service's search
 * attributes it lacks. Idempotent: a second run changes nothing.
 *
 * @throws Error when TEMPORAL_ADDRESS is unset, Temporal does not serve within two minutes, or an
 *   attribute is registered under another type
 */
export async function runSetup(config: Config): Promise<SetupReport> {
  const address = config.temporal.address;
  if (!address)
    throw new Error('TEMPORAL_ADDRESS is required: setup registers the search attributes on that cluster (npm start does it on its own dev server)');
  // Migrations run unbounded, on one connection: they may legitimately take longer than a request.
  const db = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  let migrationsApplied: string[];
  try {
    migrationsApplied = await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  const connection = await connectWhenServing(config, address, TEMPORAL_WAIT_MS);
  try {
    const { namespace } = config.temporal;
    const namespaceCreated = await ensureNamespace(connection, namespace, config.temporal.namespaceRetention.ms ?? 30 * 86_400_000);
    const searchAttributesAdded = await registerSearchAttributes(connection, namespace);
    return { database: describeDatabase(config), migrationsApplied, temporal: address, namespace, namespaceCreated, searchAttributesAdded };
  } finally {
    await connection.close();
  }
}

/** grpc.health.v1 ServingStatus.SERVING; UNIMPLEMENTED: a frontend without the health service. */
const SERVING = 1;
const UNIMPLEMENTED = 12;

/** Connects once the frontend reports SERVING (what `temporal operator cluster health` asks), retrying each second until `timeoutMs`. */
async function connectWhenServing(config: Config, address: string, timeoutMs: number): Promise<Connection> {
  const until = Date.now() + timeoutMs;
  let last: string | undefined;
  let told = 0;
  for (;;) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ ...connectionOptions(config, address), connectTimeout: 5_000 });
      const { status } = await connection.withDeadline(Date.now() + 5_000, () =>
        connection!.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' }),
      );
      if (status === SERVING) return connection;
      last = `health status ${status}`;
    } catch (error) {
      if (connection && isGrpcServiceError(error) && error.code === UNIMPLEMENTED) return connection;
      last = (error as Error).message;
    }
    await connection?.close().catch(() => undefined);
    if (Date.now() >= until) throw new Error(`Temporal at ${address} is not serving after ${timeoutMs / 1000} s: ${last}`);
    // A person may be watching (compose starts Temporal alongside): say what is awaited, every 10 s.
    if (Date.now() - told >= 10_000) {
      told = Date.now();
      process.stderr.write(`[certificate-profiles] waiting for Temporal at ${address} to serve (${last}); giving up after ${timeoutMs / 1000} s\n`);
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
