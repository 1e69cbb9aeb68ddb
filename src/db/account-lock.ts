import type { Transaction } from 'kysely';
import type { Database } from './schema';

/**
 * Serializes the writers of one account's rules that span its profiles (the 10-profile limit,
 * Idempotency-Keys, duplicate profiles): creates and edits lock the account row first.
 * FOR NO KEY UPDATE, not FOR UPDATE: every other write in the account inserts rows that reference the
 * account (audit events, review records), and the foreign-key check's FOR KEY SHARE would wait behind
 * FOR UPDATE, so one slow edit would hold up every decision in the account (PostgreSQL docs, "Row-Level Locks").
 * What the lock guards must be read by later statements: a statement that waited for the lock still sees the
 * rows as they were when it began (READ COMMITTED), so joining an Idempotency-Key lookup into this one would
 * miss the key a concurrent create just committed (limits-and-idempotency.test.ts, concurrent retries).
 * Errors: Kysely's NoResultError when the account does not exist.
 */
export async function lockAccount(trx: Transaction<Database>, accountId: string): Promise<void> {
  await trx.selectFrom('accounts').select('id').where('id', '=', accountId).forNoKeyUpdate().executeTakeFirstOrThrow();
}
