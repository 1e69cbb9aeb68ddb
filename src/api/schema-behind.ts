import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Db } from '../db/connect';
import { pendingMigrations } from '../db/migrate';
import { isDatabaseUnavailable } from '../db/unavailable';
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
    next(pending.length === 0 ? error : schemaBehindProblem(pending));
  };
}

/** The 503 of a request that came while `pending` migrations are still to be applied. */
export const schemaBehindProblem = (pending: readonly string[]) =>
  serviceUnavailable(`the database schema is behind this release (${pending.length} migration(s) pending): the operator runs npm run setup; retry the request`);

/**
 * Every request answers 503 while `checked()` is false: this process's SECRET_KEY not yet checked against
 * the database's record (src/db/secret-key-check.ts), because the database was away or not set up at
 * start. With migrations pending, the answer says so (as `schemaBehind` would); with the database away, too.
 */
export function secretKeyGate(db: Db, checked: (() => boolean) | undefined): RequestHandler {
  return (_req, _res, next) => {
    if (checked?.() !== false) return next();
    const notChecked = () =>
      serviceUnavailable(
        "this process has not yet checked its SECRET_KEY against the database's record (the database was away or not set up); retry the request",
      );
    pendingMigrations(db).then(
      (pending) => next(pending.length ? schemaBehindProblem(pending) : notChecked()),
      // The database away: its own 503 (the problem handler's), which says so.
      (error: unknown) => next(isDatabaseUnavailable(error) ? error : notChecked()),
    );
  };
}
