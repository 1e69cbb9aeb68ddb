import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import { Pool } from 'pg';
import type { Database } from './schema';
import { PGliteDialect } from './pglite-dialect';
import { log } from '../log';

export type Db = Kysely<Database>;

/**
 * Runs `work` in `db` when `db` is a transaction already, otherwise in a new one: a step of several writes
 * that its caller may put into a larger transaction (Kysely cannot nest transactions). Rejects with
 * `work`'s error, after the rollback when the transaction is its own. Joined, a statement that fails aborts
 * the caller's whole transaction (PostgreSQL: nothing more runs in it), so the caller must let the error end
 * it rather than catch it and go on.
 */
export function inTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Transaction<Database>) : db.transaction().execute(work);
}

/**
 * PostgreSQL when a URL is given, otherwise the embedded PGlite database under `dataDir`.
 *
 * With `deadlineMs` (the request deadline) a dead or stuck server fails fast instead of hanging a
 * request: opening a connection (or waiting for a free one) gives up after the deadline, the server
 * cancels a statement that runs longer (statement_timeout, 57014), and the client stops waiting for
 * an answer shortly after that (query_timeout, for a server that no longer answers at all). Errors
 * are classified by `isDatabaseUnavailable` (./unavailable) and answer 503. Without it (migrations,
 * the CLI) nothing is bounded.
 */
/** Connections per process unless a caller asks for another size. */
export const DATABASE_POOL_SIZE = 10;

export async function connectDatabase(options: { databaseUrl?: string; dataDir: string; poolSize?: number; deadlineMs?: number }): Promise<Db> {
  if (options.databaseUrl) {
    const deadline = options.deadlineMs;
    const pool = new Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? DATABASE_POOL_SIZE,
      keepAlive: true,
      ...(deadline
        ? {
            connectionTimeoutMillis: deadline,
            statement_timeout: deadline,
            query_timeout: deadline + 1_000,
          }
        : {}),
    });
    // An idle connection the server ends (restart, failover, terminate) is dropped by the pool and
    // replaced on next use; without a listener pg would throw it as an unhandled 'error' event.
    pool.on('error', (error) => log.warn(`idle database connection lost: ${error.message}`));
    // One lost while checked out (the server crashed mid-transaction) fails the query it was running, and
    // the pool drops it on release; its 'error' event too needs a listener, or it would end the process.
    pool.on('connect', (client) => client.on('error', () => undefined));
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = pgliteDir(options.dataDir);
  mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create(dir);
  return new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
}

/**
 * Which database `connectDatabase` opens with these options, for people: `PostgreSQL
 * postgres:5432/profiles (user profiles)` (no password, and no `user@host` a log would mask as an
 * email address) or `embedded PGlite in <dataDir>/pglite`.
 */
export function describeDatabase(options: { databaseUrl?: string; dataDir: string }): string {
  if (!options.databaseUrl) return `embedded PGlite in ${pgliteDir(options.dataDir)}`;
  try {
    const url = new URL(options.databaseUrl);
    return `PostgreSQL ${url.host}${url.pathname}${url.username ? ` (user ${decodeURIComponent(url.username)})` : ''}`;
  } catch {
    return 'PostgreSQL (DATABASE_URL)';
  }
}

/** Where the embedded database keeps its files. */
export function pgliteDir(dataDir: string): string {
  return path.join(dataDir, 'pglite');
}
