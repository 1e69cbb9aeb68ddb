import type { Transaction } from 'kysely';
import type { Database } from './schema';

/**
 * Serializes the writers of one account's rules that span its profiles (the 10-profile limit,
 * Idempotency-Keys, duplicate profiles): creates and edits lock the account row first.
 * FOR NO KEY UPDATE, not FOR UPDATE: every other write in the account inserts rows that reference the
 * account (audit events, review records), and the foreign-key check's FOR KEY SHARE would wait behind
 * FOR UPDATE, so one slow edit would hold up every decision in the account (PostgreSQL docs, "Row-Level Locks").
 * Errors: Kysely's NoResultError when the account does not exist.
 */
export async function lockAccount(trx: Transaction<Database>, accountId: string): Promise<void> {
  await trx.selectFrom('accounts').select('id').where('id', '=', accountId).forNoKeyUpdate().executeTakeFirstOrThrow();
}
