import { type OperationNodeSource, sql, type Transaction } from 'kysely';
import { Problem } from '../problem';
import type { Db } from './connect';
import type { Principal } from './principals';
import { lockAccount } from './account-lock';
import { type AuditEvent, recordEvents } from './events';
import type { Database } from './schema';

export interface Idempotency {
  key: string;
  /** Method, path and body of the request the key was first used with. */
  fingerprint: string;
  /** The same request's fingerprints as earlier releases computed them, by `fingerprint_version` - 1: a key stored then still matches. */
  formerFingerprints?: string[];
}

/**
 * The fingerprint form this release stores (`fingerprint_version`): 1 hashed the router's own path and the
 * body as sent, 2 the full path, 3 the path as the API reads it (ids in lower case, no trailing slash) and
 * the body with its keys sorted, so a retry that spells the same request differently is the same request.
 */
const FINGERPRINT_VERSION = 3;

/** Whether a stored key is this request's: its fingerprint as computed now, or, for a key an earlier release stored, as that release computed it. */
const sameRequest = (stored: { fingerprint: string; fingerprint_version: number }, idempotency: Idempotency) =>
  stored.fingerprint === idempotency.fingerprint ||
  (stored.fingerprint_version < FINGERPRINT_VERSION && stored.fingerprint === idempotency.formerFingerprints?.[stored.fingerprint_version - 1]);

/** What a create's work leaves for `createIdempotently` to send with the stored answer, in one statement (see `recordEvents`). */
export interface PendingWrites {
  /** The create's own statements (its rows' inserts), results unread. */
  writes: OperationNodeSource[];
  /**
   * Their audit events, each with its snapshot: the rows do not exist yet when the events are built, so a
   * snapshot left to `recordEvents` would read nothing and publish the event with no object (`data: null`).
   */
  events: (AuditEvent & { snapshot: object })[];
}

/**
 * A create runs in one transaction that holds the account row lock: limits and the Idempotency-Key
 * check cannot race, and the stored response is committed with the rows it describes. A retry with the
 * same key gets the first response back (and no `started`: nothing new was created).
 * `work` may write as it goes, or return its writes and events as `pending`: they go with the stored
 * answer in one round trip (issue 9), and the answer is built from rows the work made itself.
 */
export async function createIdempotently<T extends { status: number; body: unknown; started?: unknown }>(
  db: Db,
  accountId: string,
  idempotency: Idempotency | undefined,
  work: (trx: Transaction<Database>) => Promise<T & { pending?: PendingWrites }>,
  /** The request's deadline: once it has passed (the client got a 503) nothing is committed, so a retry cannot duplicate. */
  signal?: AbortSignal,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await lockAccount(trx, accountId);
    if (idempotency) {
      // The account's creates and updates share its keys: one taken by an update is reused here (one round trip reads both).
      const previous = await trx
        .selectFrom('idempotency_keys')
        .select([sql<boolean>`false`.as('by_update'), 'fingerprint', 'fingerprint_version', 'status_code', 'body'])
        .where('account_id', '=', accountId)
        .where('key', '=', idempotency.key)
        .unionAll(
          trx
            .selectFrom('update_keys')
            .select([
              sql<boolean>`true`.as('by_update'),
              sql.lit('(an update)').as('fingerprint'),
              'fingerprint_version',
              sql<number>`0`.as('status_code'),
              sql<unknown>`null`.as('body'),
            ])
            .where('account_id', '=', accountId)
            .where('key', '=', idempotency.key),
        )
        // A key both took (stored before they shared one space) answers as the create did.
        .orderBy('by_update')
        .executeTakeFirst();
      if (previous) {
        if (!sameRequest(previous, idempotency)) throw keyReused();
        return { status: previous.status_code, body: previous.body } as T;
      }
    }
    const { pending, ...created } = await work(trx);
    const answerKept = idempotency
      ? [
          trx.insertInto('idempotency_keys').values({
            account_id: accountId,
            key: idempotency.key,
            fingerprint: idempotency.fingerprint,
            fingerprint_version: FINGERPRINT_VERSION,
            status_code: created.status,
            body: JSON.stringify(created.body),
          }),
        ]
      : [];
    await recordEvents(trx, pending?.events ?? [], [...(pending?.writes ?? []), ...answerKept]);
    if (signal?.aborted) throw deadlinePassed();
    return created as unknown as T;
  });
}

const deadlinePassed = () =>
  new Problem(503, 'Service Unavailable', 'the database did not answer within the request deadline; nothing was created, retry the request', {
    headers: { 'Retry-After': '5' },
  });

/** What an update answered the first time its Idempotency-Key was sent. */
export interface UpdateAnswer {
  status: number;
  body?: unknown;
}

const keyOwner = (principal: Principal) =>
  principal.role === 'customer' ? (['account_id', principal.accountId] as const) : (['reviewer_id', principal.reviewerId] as const);

/** An update's Idempotency-Key as found before the request runs. */
export interface UpdateKeyState {
  /** An earlier attempt of this same request claimed the key: its update may have taken effect. */
  claimed: boolean;
  /** That attempt's answer, once it finished. */
  answer?: UpdateAnswer;
  /** The fingerprint the key was claimed with (this request's, possibly as an earlier release computed it). */
  fingerprint?: string;
}

/**
 * Looks the key up without claiming it: 422 if it was used for another request (as on creates), the
 * first answer if this request already finished. Nothing is written, so a request that fails before it
 * reaches the workflow (a bad body, an unknown id) leaves the key free.
 */
export async function findUpdateKey(db: Db, principal: Principal, idempotency: Idempotency): Promise<UpdateKeyState> {
  const [column, owner] = keyOwner(principal);
  const found = await db.selectFrom('update_keys').selectAll().where(column, '=', owner).where('key', '=', idempotency.key).executeTakeFirst();
  if (!found) {
    if (principal.role === 'customer' && (await usedByCreate(db, principal.accountId, idempotency.key))) throw keyReused();
    return { claimed: false };
  }
  if (!sameRequest(found, idempotency)) throw keyReused();
  return {
    claimed: true,
    answer: found.status_code === null ? undefined : { status: found.status_code, body: found.body ?? undefined },
    fingerprint: found.fingerprint,
  };
}

/**
 * Claims the key for this request right before its update is sent (a racing request with the same key
 * and another body loses: 422). Temporal keeps the update's outcome under the ID derived from the key
 * and the fingerprint returned: the one the key was first claimed with.
 */
export async function claimUpdateKey(db: Db, principal: Principal, idempotency: Idempotency): Promise<string> {
  const [column, owner] = keyOwner(principal);
  await db.transaction().execute(async (trx) => {
    // An account's creates and updates share its keys: under the lock a create holds while it checks and
    // stores its key, the same key cannot be taken by both.
    if (principal.role === 'customer') {
      await lockAccount(trx, principal.accountId);
      if (await usedByCreate(trx, principal.accountId, idempotency.key)) throw keyReused();
    }
    await trx
      .insertInto('update_keys')
      .values({
        account_id: null,
        reviewer_id: null,
        [column]: owner,
        key: idempotency.key,
        fingerprint: idempotency.fingerprint,
        fingerprint_version: FINGERPRINT_VERSION,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
  });
  return (await findUpdateKey(db, principal, idempotency)).fingerprint ?? idempotency.fingerprint;
}

/** Keeps an update's first answer with its key (see `claimUpdateKey`). */
export async function recordUpdateAnswer(db: Db, principal: Principal, idempotency: Idempotency, answer: UpdateAnswer): Promise<void> {
  const [column, owner] = keyOwner(principal);
  await db
    .updateTable('update_keys')
    .set({ status_code: answer.status, body: answer.body === undefined ? null : JSON.stringify(answer.body) })
    .where(column, '=', owner)
    .where('key', '=', idempotency.key)
    .where('status_code', 'is', null)
    .execute();
}

const keyReused = () =>
  new Problem(422, 'Idempotency key reused', 'this Idempotency-Key was used with a different request', {
    errors: [{ field: 'Idempotency-Key', message: 'already used for a different request' }],
  });

/** Rows an expiry pass deletes per statement: a long backlog goes in short transactions. */
const EXPIRY_BATCH = 5_000;

/**
 * Deletes Idempotency-Keys (creates' and updates') stored before `now - retentionMs`: a key is a retry's
 * key only that long (draft-ietf-httpapi-idempotency-key-header §2.3: keys expire, after a period the
 * service documents; IDEMPOTENCY_KEY_RETENTION, README). After it, the same key is a new request, which
 * the duplicate rules still refuse for an organization, a person or a domain the account holds.
 * Returns how many it deleted. Safe in several workers at once.
 */
export async function expireIdempotencyKeys(db: Db, retentionMs: number, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - retentionMs);
  // By ctid: update_keys has no single-column key, and a TID scan deletes a batch without a second lookup.
  const expire = (table: 'idempotency_keys' | 'update_keys') =>
    sql`delete from ${sql.table(table)} where ctid = any(array(select ctid from ${sql.table(table)} where created_at < ${before} limit ${EXPIRY_BATCH}))`.execute(
      db,
    );
  let deleted = 0;
  for (;;) {
    const creates = await expire('idempotency_keys');
    const updates = await expire('update_keys');
    const batch = Number(creates.numAffectedRows ?? 0) + Number(updates.numAffectedRows ?? 0);
    deleted += batch;
    if (batch === 0) return deleted;
  }
}

/** Whether an account's create took this key (a create's keys and an update's are one space: the same key on both is reused, 422). */
const usedByCreate = async (db: Db | Transaction<Database>, accountId: string, key: string) =>
  (await db.selectFrom('idempotency_keys').select('key').where('account_id', '=', accountId).where('key', '=', key).executeTakeFirst()) !== undefined;
