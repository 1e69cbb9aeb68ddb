import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type { Database } from './schema';
import { PGliteDialect } from './pglite-dialect';

export type Db = Kysely<Database>;

/** PostgreSQL when a URL is given, otherwise the embedded PGlite database under `dataDir`. */
export async function connectDatabase(options: { databaseUrl?: string; dataDir: string; poolSize?: number }): Promise<Db> {
  if (options.databaseUrl) {
    const pool = new Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // An idle connection the server ends (restart, failover, terminate) is dropped by the pool and
    // replaced on next use; without a listener pg would throw it as an unhandled 'error' event.
    pool.on('error', (error) => console.warn(`[certificate-profiles] idle database connection lost: ${error.message}`));
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = path.join(options.dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create(dir);
  return new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
}
