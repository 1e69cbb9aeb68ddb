import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/connect';
import type { ApiKeyRow } from '../db/schema';
import { generateApiKey, hashApiKey } from '../domain/api-key';
import { text } from '../domain/schemas';
import { notFound, parse } from '../problem';

// A customer account's API keys, managed in the console (so the API no longer needs the server's CLI).

const keyInput = z.strictObject({ name: text(100).describe('Shown as the actor of the changes made with the key, e.g. "deploy-bot"') });

/** A new customer key (`body`: `{ name }`); the key itself is returned once and only its sha256 is kept. */
export async function createApiKey(db: Db, accountId: string, body: unknown, createdBy: string | null): Promise<{ row: ApiKeyRow; apiKey: string }> {
  const { name } = parse(keyInput, body);
  const apiKey = generateApiKey('customer');
  const row = await db
    .insertInto('api_keys')
    .values({ id: randomUUID(), name, key_hash: hashApiKey(apiKey), role: 'customer', account_id: accountId, reviewer_id: null, created_by: createdBy })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, apiKey };
}

/** The account's keys, active ones first, newest first; with the name of the console user who created each (null for the CLI's). */
export async function listApiKeys(db: Db, accountId: string): Promise<Array<ApiKeyRow & { created_by_name: string | null }>> {
  return db
    .selectFrom('api_keys')
    .leftJoin('users', 'users.id', 'api_keys.created_by')
    .selectAll('api_keys')
    .select('users.name as created_by_name')
    .where('api_keys.account_id', '=', accountId)
    .orderBy((eb) => eb('api_keys.revoked_at', 'is', null), 'desc')
    .orderBy('api_keys.created_at', 'desc')
    .execute();
}

/** Revokes one of the account's keys: it authenticates no more (at once), and its name stays in the audit trail. Idempotent. */
export async function revokeApiKey(db: Db, accountId: string, id: string): Promise<ApiKeyRow> {
  const row = await db
    .updateTable('api_keys')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (row) return row;
  const existing = await db.selectFrom('api_keys').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
  if (!existing) throw notFound(`API key ${id}`);
  return existing;
}
