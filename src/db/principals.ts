import { randomUUID } from 'node:crypto';
import { generateApiKey, hashApiKey } from '../domain/api-key';
import type { Db } from './connect';

export type Principal = { role: 'customer'; keyId: string; accountId: string } | { role: 'reviewer'; keyId: string; reviewerId: string };

export async function createAccount(db: Db, name: string): Promise<{ accountId: string; apiKey: string }> {
  const accountId = randomUUID();
  const apiKey = generateApiKey('customer');
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('accounts').values({ id: accountId, name }).execute();
    await trx
      .insertInto('api_keys')
      .values({ id: randomUUID(), key_hash: hashApiKey(apiKey), role: 'customer', account_id: accountId, reviewer_id: null })
      .execute();
  });
  return { accountId, apiKey };
}

export async function createReviewer(db: Db, name: string): Promise<{ reviewerId: string; apiKey: string }> {
  const reviewerId = randomUUID();
  const apiKey = generateApiKey('reviewer');
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('reviewers').values({ id: reviewerId, name }).execute();
    await trx
      .insertInto('api_keys')
      .values({ id: randomUUID(), key_hash: hashApiKey(apiKey), role: 'reviewer', account_id: null, reviewer_id: reviewerId })
      .execute();
  });
  return { reviewerId, apiKey };
}

export async function findPrincipal(db: Db, apiKey: string): Promise<Principal | undefined> {
  const row = await db.selectFrom('api_keys').selectAll().where('key_hash', '=', hashApiKey(apiKey)).executeTakeFirst();
  if (!row) return undefined;
  return row.role === 'customer'
    ? { role: 'customer', keyId: row.id, accountId: row.account_id! }
    : { role: 'reviewer', keyId: row.id, reviewerId: row.reviewer_id! };
}
