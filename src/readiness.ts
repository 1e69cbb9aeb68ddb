import type { Client } from '@temporalio/client';
import { isGrpcServiceError } from '@temporalio/client';
import { within } from './api/deadline';
import type { Readiness } from './api/readiness';
import type { Db } from './db/connect';
import { pendingMigrations } from './db/migrate';
import { complete, describeGaps, inspectNamespace } from './temporal/namespace-setup';

const SETUP = 'run npm run setup (the setup service of docker-compose.yml)';

/** A check that could not be made for lack of rights (PERMISSION_DENIED, UNIMPLEMENTED), not for an outage. */
const NOT_ASKABLE = new Set([7, 12]);

/**
 * The readiness probes of /readyz and of the start-up check, in parallel, each bounded by `timeoutMs`:
 * the database with its pending migrations (one read of Kysely's migration table), Temporal
 * (GetSystemInfo), and the namespace's search attributes. Never throws.
 */
export function readinessProbe(db: Db, client: Client, namespace: string, timeoutMs: number): () => Promise<Readiness> {
  return async () => {
    const [migrations, temporal, namespaceGaps] = await Promise.all([
      within(
        pendingMigrations(db).then((pending) => ({ pending })),
        timeoutMs,
        undefined,
      ),
      within(
        client.withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({})).then(() => true),
        timeoutMs,
        false,
      ),
      within(
        inspectNamespace(client.connection, namespace, Date.now() + timeoutMs).then(
          (gaps) => ({ gaps }),
          (error) => ({ error: (error as Error).message, unaskable: isGrpcServiceError(error) && NOT_ASKABLE.has(error.code) }),
        ),
        timeoutMs,
        { error: `no answer within ${timeoutMs} ms`, unaskable: false },
      ),
    ]);
    const readiness: Readiness = { database: migrations !== undefined, temporal, migrations: migrations ? migrations.pending.length === 0 : null, details: {} };
    if (migrations?.pending.length) readiness.details!.migrations = `${migrations.pending.length} pending (${migrations.pending.join(', ')}): ${SETUP}`;
    if ('gaps' in namespaceGaps) {
      readiness.searchAttributes = complete(namespaceGaps.gaps);
      if (!readiness.searchAttributes) readiness.details!.searchAttributes = `${describeGaps(namespace, namespaceGaps.gaps)}: ${SETUP}`;
    } else if (temporal && !namespaceGaps.unaskable) {
      readiness.searchAttributes = false;
      readiness.details!.searchAttributes = `could not be read: ${namespaceGaps.error}`;
    } else {
      // Temporal unreachable, or not ours to ask (a Temporal Cloud key without operator rights).
      readiness.searchAttributes = null;
    }
    if (Object.keys(readiness.details!).length === 0) delete readiness.details;
    return readiness;
  };
}

/** The lines a process prints at start when the database or the namespace is not set up (nothing when they are). */
export function setupWarnings(readiness: Readiness): string[] {
  return (['migrations', 'searchAttributes'] as const).filter((name) => readiness[name] === false).map((name) => `${name}: ${readiness.details?.[name]}`);
}
