import { sql, type Transaction } from 'kysely';
import type { DcvConfig } from '../src/config';
import type { Db } from '../src/db/connect';
import type { Database, WebhookDeliveryRow } from '../src/db/schema';
import type { ServiceMetrics, WebhookAttemptOutcome } from '../src/metrics';
import type { NotifyConfig } from '../src/notify/config';
import { nextAttemptAt, verdictOf } from '../src/notify/delivery-policy';
import { feedEventView } from '../src/notify/feed';
import { recordOutboxEvent } from '../src/notify/outbox';
import { postWebhook, type PostOutcome } from '../src/notify/webhook-http';
import { signedHeaders, signingSecrets } from '../src/notify/webhook-secrets';
import { webhookView } from '../src/notify/webhook-view';
import type { AttemptResult, NextDelivery } from '../workflows/webhook-messages';
import { operationOf } from './operation';

export interface WebhookActivityDeps {
  db: Db;
  /** Read when used: WEBHOOK_TIMEOUT, the retry schedule and the address allowance. */
  notify: NotifyConfig;
  /** Renders domains' instructions in event payloads; its resolvers resolve the endpoints' host names for the address guard. */
  dcv: DcvConfig;
  /** Opens the signing secrets. */
  secretKey: Buffer;
  now?: () => Date;
  random?: () => number;
  /** Attempts, finished messages and disabled endpoints (src/metrics.ts); none in scripts and unit tests. */
  metrics?: Pick<ServiceMetrics, 'webhookAttemptDuration' | 'webhookDeliveries' | 'webhookEndpointsDisabled'>;
}

const outcomeOf = (sent: PostOutcome): WebhookAttemptOutcome =>
  sent.status === null ? 'no_answer' : verdictOf(sent.status) === 'delivered' ? 'delivered' : 'rejected';

/**
 * The delivery workflow's activities (workflows/webhook-delivery.ts): the endpoint's queue, and one
 * attempt of its head recorded with what the endpoint answered and what comes next.
 */
export function createWebhookActivities(deps: WebhookActivityDeps) {
  const { db, notify } = deps;
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;

  /** The exact bytes sent: the event as the feed lists it, or the test message. */
  async function bodyOf(delivery: WebhookDeliveryRow): Promise<string | undefined> {
    if (delivery.kind === 'test') return JSON.stringify(delivery.payload);
    const event = await db.selectFrom('account_events').selectAll().where('id', '=', delivery.event_id!).executeTakeFirst();
    return event && JSON.stringify(feedEventView(event, deps.dcv));
  }

  /** Disables the endpoint and tells the account, in the transaction that records why; false when it was disabled already. */
  async function disable(trx: Transaction<Database>, endpointId: string, reason: string, at: Date): Promise<boolean> {
    const row = await trx
      .updateTable('webhook_endpoints')
      .set({ enabled: false, disabled_reason: reason, disabled_at: at, updated_at: at })
      .where('id', '=', endpointId)
      .where('enabled', '=', true)
      .returningAll()
      .executeTakeFirst();
    if (!row) return false;
    await recordOutboxEvent(trx, {
      accountId: row.account_id,
      type: 'webhook.disabled',
      object: { kind: 'webhook', id: row.id },
      snapshot: webhookView(row),
      at,
    });
    return true;
  }

  /**
   * Records one attempt and its consequence under the delivery's row lock; returns what the workflow does
   * next, and why this attempt disabled the endpoint (for the metrics).
   */
  async function record(
    delivery: WebhookDeliveryRow,
    sent: PostOutcome,
    at: Date,
    operationId: string | null,
  ): Promise<AttemptResult & { disabled?: 'gone' | 'failing' }> {
    return db.transaction().execute(async (trx) => {
      const locked = await trx.selectFrom('webhook_deliveries').selectAll().where('id', '=', delivery.id).forUpdate().executeTakeFirst();
      if (!locked) return { status: 'failed', endpointDisabled: false };
      await trx
        .insertInto('webhook_attempts')
        .values({
          delivery_id: delivery.id,
          at,
          duration_ms: sent.durationMs,
          status_code: sent.status,
          error: sent.error,
          response_body: sent.responseBody,
          operation_id: operationId,
        })
        .execute();
      const attempts = locked.attempts + 1;
      const verdict = verdictOf(sent.status);
      const finished = now();
      if (verdict === 'delivered') {
        await trx.updateTable('webhook_deliveries').set({ status: 'delivered', attempts, finished_at: finished }).where('id', '=', delivery.id).execute();
        return { status: 'delivered', endpointDisabled: false };
      }
      // A test message is tried once: it reports, it does not queue.
      const retryAt =
        verdict === 'gone' || locked.kind === 'test'
          ? null
          : nextAttemptAt(attempts, notify.webhooks.retrySchedule, sent.retryAfterSeconds, finished, random());
      if (retryAt) {
        await trx.updateTable('webhook_deliveries').set({ attempts, next_attempt_at: retryAt }).where('id', '=', delivery.id).execute();
        return { status: 'pending', endpointDisabled: false };
      }
      await trx.updateTable('webhook_deliveries').set({ status: 'failed', attempts, finished_at: finished }).where('id', '=', delivery.id).execute();
      if (verdict === 'gone') {
        const disabled = await disable(trx, delivery.endpoint_id, 'the endpoint answered 410 Gone', finished);
        return { status: 'failed', endpointDisabled: true, ...(disabled ? { disabled: 'gone' as const } : {}) };
      }
      if (locked.kind === 'test') return { status: 'failed', endpointDisabled: false };
      const since = await trx
        .selectFrom('webhook_attempts')
        .select(sql<Date>`min(at)`.as('first'))
        .where('delivery_id', '=', delivery.id)
        .executeTakeFirstOrThrow();
      const disabled = await disable(
        trx,
        delivery.endpoint_id,
        `message ${delivery.message_id} failed ${attempts} attempts from ${new Date(since.first).toISOString()} to ${finished.toISOString()} (last: ${sent.status ?? sent.error})`,
        finished,
      );
      return { status: 'failed', endpointDisabled: true, ...(disabled ? { disabled: 'failing' as const } : {}) };
    });
  }

  return {
    /** The head of the endpoint's queue: tests and redeliveries first, then events in feed order. */
    async nextDelivery(endpointId: string): Promise<NextDelivery> {
      const endpoint = await db.selectFrom('webhook_endpoints').select('enabled').where('id', '=', endpointId).executeTakeFirst();
      if (!endpoint?.enabled) return { state: 'stopped' };
      const head = await db
        .selectFrom('webhook_deliveries')
        .select(['id', 'next_attempt_at'])
        .where('endpoint_id', '=', endpointId)
        .where('status', '=', 'pending')
        .orderBy(sql`kind = 'event'`)
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      if (!head) return { state: 'idle' };
      const dueAt = new Date(head.next_attempt_at);
      if (dueAt.getTime() > now().getTime()) return { state: 'waiting', dueAt: dueAt.toISOString() };
      return { state: 'due', deliveryId: head.id, timeoutMs: notify.webhooks.timeout.ms ?? 15_000 };
    },

    /**
     * Sends one message once, signed with every secret signing now, and records the attempt. A retry of
     * this activity after its commit (the worker died before reporting) returns what it recorded instead
     * of sending again; a retry before the commit sends again, with the same `webhook-id`.
     */
    async attemptDelivery(deliveryId: string): Promise<AttemptResult> {
      const operationId = operationOf();
      const delivery = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirst();
      const endpoint = delivery && (await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', delivery.endpoint_id).executeTakeFirst());
      if (!delivery || !endpoint) return { status: 'failed', endpointDisabled: true };
      if (operationId && (await db.selectFrom('webhook_attempts').select('id').where('operation_id', '=', operationId).executeTakeFirst())) {
        return { status: delivery.status, endpointDisabled: !endpoint.enabled };
      }
      if (delivery.status !== 'pending' || !endpoint.enabled) return { status: delivery.status, endpointDisabled: !endpoint.enabled };
      const body = await bodyOf(delivery);
      const at = now();
      const sent: PostOutcome =
        body === undefined
          ? { status: null, responseBody: null, retryAfterSeconds: null, error: 'the event no longer exists', durationMs: 0 }
          : await postWebhook(endpoint.url, signedHeaders(await signingSecrets(db, deps.secretKey, endpoint.id, at), delivery.message_id, at, body), body, {
              timeoutMs: notify.webhooks.timeout.ms ?? 15_000,
              allowance: notify.webhooks.addressAllowance,
              // The CA's resolvers (DCV_RESOLVERS), as for every other host a customer names.
              resolvers: deps.dcv.resolvers,
            });
      const result = await record(delivery, sent, at, operationId);
      // Counted once the attempt is recorded: a retry after the commit returns above and counts nothing again.
      deps.metrics?.webhookAttemptDuration.observe({ outcome: outcomeOf(sent) }, sent.durationMs / 1000);
      if (result.status !== 'pending') deps.metrics?.webhookDeliveries.inc({ status: result.status });
      if (result.disabled) deps.metrics?.webhookEndpointsDisabled.inc({ reason: result.disabled });
      return { status: result.status, endpointDisabled: result.endpointDisabled };
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
