import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/connect';
import type { AccountEventRow, Database } from '../db/schema';
import type { WebhookWorkflows } from '../temporal/webhook-client';
import { settled } from './feed';

/** Each consumer's advisory lock key: one pass of a consumer at a time across every worker. */
const CURSOR_LOCKS = { webhooks: 7_262_011, emails: 7_262_012 } as const;

export type FeedConsumer = keyof typeof CURSOR_LOCKS;

/**
 * Moves a consumer's cursor over the feed by up to `batch` events: `work` turns them into the
 * consumer's own rows in one transaction with the cursor, and only one pass of a consumer runs at a
 * time, whichever worker runs it. A crash before the commit changes nothing and the next pass does the
 * same work; after it, nothing is done twice. Only settled events are read (src/notify/feed.ts), so
 * none that commits late is passed over. Returns how many events it read.
 */
export async function readFeedOnce(
  db: Db,
  consumer: FeedConsumer,
  batch: number,
  work: (trx: Transaction<Database>, events: AccountEventRow[]) => Promise<void>,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    // An advisory lock, not a row lock: a transaction gets an id only once it writes, and until it ends
    // every feed reader waits for it (src/notify/feed.ts), so an idle pass must not take one.
    await sql`select pg_advisory_xact_lock(${CURSOR_LOCKS[consumer]})`.execute(trx);
    const cursor = await trx
      .selectFrom('outbox_cursors')
      .select(['event_id', sql<string>`txid::text`.as('txid')])
      .where('name', '=', consumer)
      .executeTakeFirstOrThrow();
    const events = await trx
      .selectFrom('account_events')
      .select(['id', 'account_id', 'type', 'object_kind', 'object_id', 'at', 'snapshot', 'audit_event_id', 'notice_key', sql<string>`txid::text`.as('txid')])
      .where(settled)
      .where(sql`(txid, id)`, '>', sql`(${cursor.txid}::xid8, ${cursor.event_id}::bigint)`)
      .orderBy('txid')
      .orderBy('id')
      .limit(batch)
      .execute();
    if (events.length === 0) return 0;
    await work(trx, events);
    const last = events[events.length - 1];
    await trx
      .updateTable('outbox_cursors')
      .set({ txid: sql`${last.txid}::xid8`, event_id: last.id })
      .where('name', '=', consumer)
      .execute();
    return events.length;
  });
}

/**
 * The webhooks' pass over the feed: each new event becomes a delivery for every enabled endpoint of its
 * account that wants its type and existed when it happened (one per endpoint and event).
 */
export function fanOutEvents(db: Db, batch = 500): Promise<number> {
  return readFeedOnce(db, 'webhooks', batch, async (trx, events) => {
    await sql`
      insert into webhook_deliveries (endpoint_id, account_id, event_id, kind, message_id)
      select w.id, e.account_id, e.id, 'event', 'evt_' || e.id
      from account_events e join webhook_endpoints w on w.account_id = e.account_id
      where e.id in (${sql.join(events.map((e) => e.id))})
        and w.enabled and w.created_at <= e.at
        and (w.event_types is null or w.event_types @> jsonb_build_array(e.type))
      order by e.txid, e.id, w.id
      on conflict do nothing`.execute(trx);
  });
}

/**
 * Wakes the delivery workflow of every endpoint (or just `endpointId`) with pending deliveries not yet
 * announced, then marks those announced. A wake that fails (Temporal unreachable) leaves them for the
 * next pass; a wake twice is harmless (the workflow reads its queue). Returns how many endpoints it woke.
 */
export async function announceDeliveries(db: Db, webhooks: Pick<WebhookWorkflows, 'wake'>, endpointId?: string): Promise<number> {
  let query = db
    .selectFrom('webhook_deliveries')
    .select(['endpoint_id', 'account_id', sql<string>`max(id)`.as('up_to')])
    .where('status', '=', 'pending')
    .where('announced', '=', false);
  if (endpointId) query = query.where('endpoint_id', '=', endpointId);
  const endpoints = await query.groupBy(['endpoint_id', 'account_id']).limit(1000).execute();
  let failure: unknown;
  for (const endpoint of endpoints) {
    try {
      await webhooks.wake({ id: endpoint.endpoint_id, accountId: endpoint.account_id });
    } catch (error) {
      failure ??= error;
      continue;
    }
    await db
      .updateTable('webhook_deliveries')
      .set({ announced: true })
      .where('endpoint_id', '=', endpoint.endpoint_id)
      .where('id', '<=', endpoint.up_to)
      .where('announced', '=', false)
      .execute();
  }
  if (failure) throw failure;
  return endpoints.length;
}

/** One dispatcher pass: every settled event fanned out, then every endpoint with news woken. */
export async function dispatchWebhooks(db: Db, webhooks: Pick<WebhookWorkflows, 'wake'>, batch = 500): Promise<number> {
  let read = 0;
  for (let n = batch; n === batch; read += n) n = await fanOutEvents(db, batch);
  await announceDeliveries(db, webhooks);
  return read;
}
