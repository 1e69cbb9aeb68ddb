import { randomUUID } from 'node:crypto';
import { generateApiKey, hashApiKey } from '../domain/api-key';
import type { Actor } from '../domain/vocabulary';
import { type Db, inTransaction } from './connect';

export type Principal = { role: 'customer'; keyId: string; accountId: string } | { role: 'reviewer'; keyId: string; reviewerId: string };

/** A new account with its first API key, named `keyName` (the actor name its changes show in the audit trail). */
export async function createAccount(db: Db, name: string, keyName = 'default'): Promise<{ accountId: string; apiKey: string }> {
  const accountId = randomUUID();
  const apiKey = generateApiKey('customer');
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('accounts').values({ id: accountId, name }).execute();
    await trx
      .insertInto('api_keys')
      .values({ id: randomUUID(), name: keyName, key_hash: hashApiKey(apiKey), role: 'customer', account_id: accountId, reviewer_id: null })
      .execute();
  });
  return { accountId, apiKey };
}

export async function createReviewer(db: Db, name: string): Promise<{ reviewerId: string; apiKey: string }> {
  const reviewerId = randomUUID();
  const apiKey = generateApiKey('reviewer');
  await inTransaction(db, async (trx) => {
    await trx.insertInto('reviewers').values({ id: reviewerId, name }).execute();
    await trx
      .insertInto('api_keys')
      .values({ id: randomUUID(), name, key_hash: hashApiKey(apiKey), role: 'reviewer', account_id: null, reviewer_id: reviewerId })
      .execute();
  });
  return { reviewerId, apiKey };
}

export async function findPrincipal(db: Db, apiKey: string): Promise<Principal | undefined> {
  const row = await db.selectFrom('api_keys').selectAll().where('key_hash', '=', hashApiKey(apiKey)).where('revoked_at', 'is', null).executeTakeFirst();
  if (!row) return undefined;
  return row.role === 'customer'
    ? { role: 'customer', keyId: row.id, accountId: row.account_id! }
    : { role: 'reviewer', keyId: row.id, reviewerId: row.reviewer_id! };
}

/** The text that identifies an actor: `customer:<key id>`, `reviewer:<reviewer id>`, `system:`. */
export const actorKey = (actor: { kind: string; id: string | null }) => `${actor.kind}:${actor.id ?? ''}`;

/** What the service is called when it acts itself (expiry, reminders, cascades). */
export const SYSTEM_ACTOR_NAME = 'system';

/**
 * Readable names of the actors of audit events and reviews, by `actorKey`: a customer key's name (a
 * customer actor is an API key, or a console user acting in the console), a reviewer's display name,
 * "system" for the service. An actor whose key, user or reviewer no longer exists has no entry. At most
 * three queries, whatever the number of actors.
 */
export async function actorNames(db: Db, actors: ReadonlyArray<Pick<Actor, 'kind' | 'id'>>): Promise<Map<string, string>> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const idsOf = (kind: Actor['kind']) => [...new Set(actors.filter((a) => a.kind === kind && a.id && uuid.test(a.id)).map((a) => a.id!))];
  const names = new Map<string, string>([[actorKey({ kind: 'system', id: null }), SYSTEM_ACTOR_NAME]]);
  const keyIds = idsOf('customer');
  const reviewerIds = idsOf('reviewer');
  if (keyIds.length) {
    for (const key of await db.selectFrom('api_keys').select(['id', 'name']).where('id', 'in', keyIds).execute())
      names.set(actorKey({ kind: 'customer', id: key.id }), key.name);
    const userIds = keyIds.filter((id) => !names.has(actorKey({ kind: 'customer', id })));
    if (userIds.length) {
      for (const user of await db.selectFrom('users').select(['id', 'name']).where('id', 'in', userIds).execute())
        names.set(actorKey({ kind: 'customer', id: user.id }), user.name);
    }
  }
  if (reviewerIds.length) {
    for (const reviewer of await db.selectFrom('reviewers').select(['id', 'name']).where('id', 'in', reviewerIds).execute()) {
      names.set(actorKey({ kind: 'reviewer', id: reviewer.id }), reviewer.name);
    }
  }
  return names;
}
