import type { Transaction } from 'kysely';
import { Problem } from '../problem';
import type { Db } from './connect';
import type { Database } from './schema';

export interface Idempotency {
  key: string;
  /** Method, path and body of the request the key was first used with. */
  fingerprint: string;
}

/**
 * A create runs in one transaction that holds the account row lock: limits and the Idempotency-Key
 * check cannot race, and the stored response is committed with the rows it describes. A retry with the
 * same key gets the first response back (and no `started`: nothing new was created).
 */
export async function createIdempotently<T extends { status: number; body: unknown; started?: unknown }>(
  db: Db,
  accountId: string,
  idempotency: Idempotency | undefined,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await trx.selectFrom('accounts').select('id').where('id', '=', accountId).forUpdate().executeTakeFirstOrThrow();
    if (idempotency) {
      const previous = await trx.selectFrom('idempotency_keys').selectAll().where('account_id', '=', accountId).where('key', '=', idempotency.key).executeTakeFirst();
      if (previous) {
        if (previous.fingerprint !== idempotency.fingerprint) {
          throw new Problem(422, 'Idempotency key reused', 'this Idempotency-Key was used with a different request', {
            errors: [{ field: 'Idempotency-Key', message: 'already used for a different request' }],
          });
        }
        return { status: previous.status_code, body: previous.body } as T;
      }
    }
    const created = await work(trx);
    if (idempotency) {
      await trx
        .insertInto('idempotency_keys')
        .values({ account_id: accountId, key: idempotency.key, fingerprint: idempotency.fingerprint, status_code: created.status, body: JSON.stringify(created.body) })
        .execute();
    }
    return created;
  });
}
