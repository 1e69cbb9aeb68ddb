import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { createIdempotently } from '../db/idempotent-create';
import { creationPage, type PageCursor } from '../db/keyset';
import type { Database, WebhookEndpointRow } from '../db/schema';
import { addDuration } from '../domain/duration';
import { log } from '../log';
import { describeError } from '../temporal/update-errors';
import { getDelivery, listDeliveries, queueRedelivery, queueTest, type DeliveryStatus } from '../notify/deliveries';
import { announceDeliveries } from '../notify/dispatch';
import { rowIdOf } from '../notify/feed';
import { redeliveryInput, rotateSecretInput, webhookInputFor, webhookPatchFor } from '../notify/webhook-input';
import { addWebhookSecret, openWebhookSecret } from '../notify/webhook-secrets';
import { webhookView, type WebhookView } from '../notify/webhook-view';
import { conflict, notFound, parse, Problem } from '../problem';
import type { AppContext, CreateRequest } from './context';

// Webhook endpoints (Standard Webhooks), shared by the API and, later, the console: endpoints with their
// signing secrets, the deliveries the worker makes to them, redeliveries and test messages. Sending is the
// worker's (workflows/webhook-delivery.ts); these only write rows and wake an endpoint's workflow.

type Ctx = Pick<AppContext, 'db' | 'notify' | 'secretKey' | 'webhooks'>;

/** Endpoints per account: enough for a few environments and consumers, few enough to deliver to all. */
export const MAX_WEBHOOKS_PER_ACCOUNT = 20;

/** An endpoint with its secret in clear: answered once, by the create (and a retry with its Idempotency-Key). */
export type WebhookWithSecret = WebhookView & { secret: string | null };

/**
 * A create or rotation answers the new secret once. Its Idempotency-Key keeps the answer with the
 * secret's id instead (`secretRef`), never the secret: a retry gets the same secret back, opened again.
 */
async function withSecret<T extends { id: string }>(ctx: Ctx, body: T & { secretRef?: string }, fresh: string | undefined) {
  const { secretRef, ...rest } = body;
  const secret = fresh ?? (secretRef ? await openWebhookSecret(ctx.db, ctx.secretKey, rest.id, secretRef) : undefined);
  return { ...rest, secret: secret ?? null };
}

/**
 * Wakes the endpoint's delivery workflow for what was just queued. Best effort, and not waited for: the
 * request has done its part once the delivery committed (with the workflow service down it still answers
 * what it committed, never a 503 a retry would duplicate), and the dispatcher wakes it on its next pass if this fails.
 */
async function announce(ctx: Ctx, endpointId: string): Promise<void> {
  await announceDeliveries(ctx.db, ctx.webhooks, endpointId).catch((error: Error) =>
    log.warn({ webhookId: endpointId, err: error }, 'waking the webhook delivery workflow failed; the dispatcher retries'),
  );
}

/**
 * Adds an endpoint (`body`: src/notify/webhook-input.ts; a literal address is judged by the address guard
 * now, a host name at each delivery) with a new signing secret. 409 past MAX_WEBHOOKS_PER_ACCOUNT.
 */
export async function addWebhook(ctx: Ctx, accountId: string, body: unknown, request: Pick<CreateRequest, 'idempotency'>) {
  const input = parse(webhookInputFor(ctx.notify.webhooks.addressAllowance), body);
  const created = await createIdempotently(ctx.db, accountId, request.idempotency, async (trx) => {
    const { count } = await trx
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    if (Number(count) >= MAX_WEBHOOKS_PER_ACCOUNT) throw conflict(`an account has at most ${MAX_WEBHOOKS_PER_ACCOUNT} webhooks; delete one first`);
    const row = await trx
      .insertInto('webhook_endpoints')
      .values({
        id: randomUUID(),
        account_id: accountId,
        url: input.url,
        description: input.description ?? null,
        event_types: input.eventTypes ? JSON.stringify(input.eventTypes) : null,
        enabled: input.enabled,
        updated_at: new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const secret = await addWebhookSecret(trx, ctx.secretKey, row.id);
    return { status: 201, body: { ...webhookView(row), secretRef: secret.id }, started: secret.secret };
  });
  return { status: created.status, body: (await withSecret(ctx, created.body, created.started)) as WebhookWithSecret };
}

/** One page of the account's endpoints, oldest first (rows fetched with `limit + 1`). */
export async function listWebhooks(ctx: Pick<AppContext, 'db'>, accountId: string, limit: number, after?: PageCursor): Promise<WebhookEndpointRow[]> {
  return creationPage(ctx.db.selectFrom('webhook_endpoints').selectAll().where('account_id', '=', accountId), limit, after);
}

/** The account's endpoint `id`, or 404 (another account's too). */
export async function loadWebhook(ctx: Pick<AppContext, 'db'>, accountId: string, id: string): Promise<WebhookEndpointRow> {
  const row = await ctx.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
  if (!row) throw notFound(`webhook ${id}`);
  return row;
}

/**
 * Changes an endpoint's URL, event types, description or enabled (`body`: at least one of them).
 * Enabling one resumes its queue: whatever waited is announced to a new run of its workflow. `claim`
 * (the request's Idempotency-Key) is called once the body is valid, before anything changes.
 */
export async function editWebhook(ctx: Ctx, accountId: string, id: string, body: unknown, claim?: () => Promise<unknown>): Promise<WebhookEndpointRow> {
  const patch = parse(webhookPatchFor(ctx.notify.webhooks.addressAllowance), body);
  // The Idempotency-Key is claimed only for a valid body: a refused one leaves the key free.
  await claim?.();
  const row = await ctx.db
    .updateTable('webhook_endpoints')
    .set({
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.eventTypes !== undefined ? { event_types: patch.eventTypes ? JSON.stringify(patch.eventTypes) : null } : {}),
      // Enabled again (by the customer) or disabled by the customer: the service's reason no longer applies.
      ...(patch.enabled !== undefined ? { enabled: patch.enabled, disabled_reason: null, disabled_at: patch.enabled ? null : new Date() } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw notFound(`webhook ${id}`);
  if (patch.enabled) {
    // Whatever waited while it was disabled is announced again: its workflow ended then.
    await ctx.db.updateTable('webhook_deliveries').set({ announced: false }).where('endpoint_id', '=', id).where('status', '=', 'pending').execute();
    void announce(ctx, id);
  }
  return row;
}

/**
 * Deletes an endpoint with its secrets and delivery records (foreign keys cascade), then wakes its delivery
 * workflow (not awaited), which finds the endpoint gone and ends. The delete is the outcome: a wake Temporal
 * does not take is logged, and the workflow ends at its next look at the queue (a retry's time, or a minute idle).
 */
export async function removeWebhook(ctx: Pick<AppContext, 'db' | 'webhooks'>, accountId: string, id: string): Promise<void> {
  const deleted = await ctx.db.deleteFrom('webhook_endpoints').where('id', '=', id).where('account_id', '=', accountId).returning('id').executeTakeFirst();
  if (!deleted) throw notFound(`webhook ${id}`);
  // Not awaited: the answer is the delete's, and Temporal being away must not hold it up.
  void ctx.webhooks
    .wakeIfRunning(id)
    .catch((error: unknown) => log.warn(`webhook ${id} deleted; its delivery workflow ends at its next look (${describeError(error)})`));
}

/**
 * A new signing secret (answered once); the current one keeps signing beside it for
 * `previousSecretExpiresInSeconds` (`body`, default WEBHOOK_SECRET_OVERLAP), so receivers switch without a gap.
 */
export async function rotateWebhookSecret(ctx: Ctx, accountId: string, id: string, body: unknown, request: Pick<CreateRequest, 'idempotency'>) {
  const { previousSecretExpiresInSeconds } = parse(rotateSecretInput, body);
  await loadWebhook(ctx, accountId, id);
  const rotated = await createIdempotently(ctx.db, accountId, request.idempotency, async (trx) => {
    const now = new Date();
    const expiresAt =
      previousSecretExpiresInSeconds === undefined
        ? addDuration(now, ctx.notify.webhooks.secretOverlap)
        : new Date(now.getTime() + previousSecretExpiresInSeconds * 1000);
    const secret = await addWebhookSecret(trx, ctx.secretKey, id, expiresAt);
    return { status: 200, body: { id, previousSecretExpiresAt: expiresAt.toISOString(), secretRef: secret.id }, started: secret.secret };
  });
  return { status: rotated.status, body: await withSecret(ctx, rotated.body, rotated.started) };
}

/** One page of an endpoint's deliveries, newest first, each with its attempts (`limit + 1` of them; `after`: a serial cursor). */
export async function listWebhookDeliveries(
  ctx: Pick<AppContext, 'db'>,
  accountId: string,
  id: string,
  options: { status?: DeliveryStatus; limit: number; after?: PageCursor },
) {
  await loadWebhook(ctx, accountId, id);
  return listDeliveries(ctx.db, id, { status: options.status, beforeId: options.after?.id, limit: options.limit });
}

/** One delivery of the account's endpoint with its attempts, or 404. */
export async function loadWebhookDelivery(ctx: Pick<AppContext, 'db'>, accountId: string, id: string, deliveryId: string) {
  await loadWebhook(ctx, accountId, id);
  const delivery = /^[1-9][0-9]{0,17}$/.test(deliveryId) ? await getDelivery(ctx.db, id, deliveryId) : undefined;
  if (!delivery) throw notFound(`delivery ${deliveryId} of webhook ${id}`);
  return delivery;
}

type Queued = Awaited<ReturnType<typeof queueTest>>;

/** Queues a message (a redelivery, a test) for an enabled endpoint, once per Idempotency-Key, then wakes its workflow. 202. */
async function queueFor(
  ctx: Ctx,
  accountId: string,
  id: string,
  request: Pick<CreateRequest, 'idempotency'>,
  work: (trx: Transaction<Database>, endpoint: WebhookEndpointRow) => Promise<Queued>,
): Promise<{ status: number; body: Queued }> {
  const queued = await createIdempotently(ctx.db, accountId, request.idempotency, async (trx) => {
    const endpoint = await trx.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
    if (!endpoint) throw notFound(`webhook ${id}`);
    if (!endpoint.enabled) throw conflict('the webhook is disabled: enable it first (PATCH enabled: true)');
    return { status: 202, body: await work(trx, endpoint) };
  });
  void announce(ctx, id);
  return queued;
}

/** Sends one of the account's events (`body.eventId`, any type) to the endpoint again, with its original `webhook-id`. */
export async function redeliverEvent(ctx: Ctx, accountId: string, id: string, body: unknown, request: Pick<CreateRequest, 'idempotency'>) {
  const { eventId } = parse(redeliveryInput, body);
  return queueFor(ctx, accountId, id, request, async (trx, endpoint) => {
    const event = await trx
      .selectFrom('account_events')
      .select('id')
      .where('id', '=', rowIdOf(eventId)!)
      .where('account_id', '=', endpoint.account_id)
      .executeTakeFirst();
    if (!event) {
      throw new Problem(400, 'Invalid request', 'eventId: no such event in this account', {
        errors: [{ field: 'eventId', message: 'no such event in this account', rule: 'not-in-account' }],
      });
    }
    return queueRedelivery(trx, endpoint, event.id);
  });
}

/** Sends a `webhook.test` message to the endpoint, tried once, ahead of its events. */
export function sendTestMessage(ctx: Ctx, accountId: string, id: string, request: Pick<CreateRequest, 'idempotency'>) {
  return queueFor(ctx, accountId, id, request, (trx, endpoint) => queueTest(trx, endpoint, new Date()));
}
