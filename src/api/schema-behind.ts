import type { ErrorRequestHandler } from 'express';
import type { Db } from '../db/connect';
import { pendingMigrations } from '../db/migrate';
import { serviceUnavailable } from '../temporal/update-errors';

/** SQLSTATE undefined_table and undefined_column. */
const SCHEMA_CODES = new Set(['42P01', '42703']);

/**
 * A release's API started before its `npm run setup` applied the migrations: a table or column the code
 * needs is missing. While migrations are pending that is the operator's step still to come (503 with
 * Retry-After, as /readyz says), not a bug; with none pending the error goes on to the 500 it is.
 */
export function schemaBehind(db: Db): ErrorRequestHandler {
  return async (error, _req, _res, next) => {
    if (!SCHEMA_CODES.has((error as { code?: string } | undefined)?.code ?? '')) return next(error);
    const pending = await pendingMigrations(db).catch(() => []);
    if (pending.length === 0) return next(error);
    next(
      serviceUnavailable(
        `the database schema is behind this release (${pending.length} migration(s) pending): the operator runs npm run setup; retry the request`,
      ),
    );
  };
}
