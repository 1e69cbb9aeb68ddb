import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Db } from '../db/connect';
import type { Database, WebhookAttemptRow, WebhookEndpointRow } from '../db/schema';
import { TEST_EVENT_TYPE } from './event-types';
import { deliveryView, webhookView } from './webhook-view';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

function deliveries(db: Db | Transaction<Database>) {
  return db
    .selectFrom('webhook_deliveries as d')
    .leftJoin('account_events as e', 'e.id', 'd.event_id')
    .select(['d.id', 'd.message_id', 'd.kind', 'd.event_id', 'd.status', 'd.next_attempt_at', 'd.created_at', 'd.finished_at', 'e.type']);
}

async function withAttempts(db: Db | Transaction<Database>, rows: Awaited<ReturnType<ReturnType<typeof deliveries>['execute']>>) {
  const byDelivery = new Map<string, WebhookAttemptRow[]>();
  if (rows.length) {
    const attempts = await db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where(
        'delivery_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('id')
      .execute();
    for (const attempt of attempts) byDelivery.set(attempt.delivery_id, [...(byDelivery.get(attempt.delivery_id) ?? []), attempt]);
  }
  return rows.map((row) => deliveryView(row, byDelivery.get(row.id) ?? []));
}

/** An endpoint's deliveries, newest first, `limit + 1` of them, each with its attempts. */
export async function listDeliveries(db: Db, endpointId: string, options: { status?: DeliveryStatus; beforeId?: string; limit: number }) {
  let query = deliveries(db).where('d.endpoint_id', '=', endpointId);
  if (options.status) query = query.where('d.status', '=', options.status);
  if (options.beforeId) query = query.where('d.id', '<', options.beforeId);
  return withAttempts(
    db,
    await query
      .orderBy('d.id', 'desc')
      .limit(options.limit + 1)
      .execute(),
  );
}

export async function getDelivery(db: Db | Transaction<Database>, endpointId: string, deliveryId: string) {
  const row = await deliveries(db).where('d.endpoint_id', '=', endpointId).where('d.id', '=', deliveryId).executeTakeFirst();
  return row && (await withAttempts(db, [row]))[0];
}

/** Queues the account's event `eventRowId` again for the endpoint, with its own `webhook-id` unchanged (a resend). */
export async function queueRedelivery(trx: Transaction<Database>, endpoint: WebhookEndpointRow, eventRowId: string) {
  const { id } = await trx
    .insertInto('webhook_deliveries')
    .values({
      endpoint_id: endpoint.id,
      account_id: endpoint.account_id,
      event_id: eventRowId,
      kind: 'redelivery',
      message_id: `evt_${eventRowId}`,
      payload: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return (await getDelivery(trx, endpoint.id, id))!;
}

/** Queues a `webhook.test` message (the endpoint's own view as `data`), tried once, ahead of the endpoint's events. */
export async function queueTest(trx: Transaction<Database>, endpoint: WebhookEndpointRow, at: Date) {
  const messageId = `evt_test_${randomBytes(12).toString('hex')}`;
  const payload = {
    id: messageId,
    type: TEST_EVENT_TYPE,
    timestamp: at.toISOString(),
    objectKind: 'webhook',
    objectId: endpoint.id,
    data: webhookView(endpoint),
  };
  const { id } = await trx
    .insertInto('webhook_deliveries')
    .values({
      endpoint_id: endpoint.id,
      account_id: endpoint.account_id,
      event_id: null,
      kind: 'test',
      message_id: messageId,
      payload: JSON.stringify(payload),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return (await getDelivery(trx, endpoint.id, id))!;
}
