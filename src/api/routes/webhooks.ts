import { randomUUID } from 'node:crypto';
import { type Request, type Response, Router } from 'express';
import type { Transaction } from 'kysely';
import { createIdempotently } from '../../db/idempotent-create';
import { afterCursor } from '../../db/keyset';
import type { Database, WebhookEndpointRow } from '../../db/schema';
import { addDuration } from '../../domain/duration';
import { z } from 'zod';
import { announceDeliveries } from '../../notify/dispatch';
import { getDelivery, listDeliveries, queueRedelivery, queueTest } from '../../notify/deliveries';
import { rowIdOf } from '../../notify/feed';
import { rotateSecretInput, webhookInputFor, webhookPatchFor } from '../../notify/webhook-input';
import { log } from '../../log';
import { addWebhookSecret, openWebhookSecret } from '../../notify/webhook-secrets';
import { webhookView } from '../../notify/webhook-view';
import { customerOf } from '../auth';
import { type ApiContext, bodyOf, idempotencyOf, pathId } from '../context';
import { readPage, readSerialPage, toPage } from '../pagination';
import { conflict, notFound, parse, Problem } from '../problem';

/** Endpoints per account: enough for a few environments and consumers, few enough to deliver to all. */
export const MAX_WEBHOOKS_PER_ACCOUNT = 20;

/**
 * A create or rotation answers the new secret once. Its Idempotency-Key keeps the answer with the
 * secret's id instead (`secretRef`), never the secret: a retry gets the same secret back, opened again.
 */
async function withSecret(ctx: ApiContext, body: Record<string, unknown>, fresh: string | undefined) {
  const { secretRef, ...rest } = body as { secretRef?: string; id: string };
  const secret = fresh ?? (secretRef ? await openWebhookSecret(ctx.db, ctx.secretKey, String(rest.id), secretRef) : undefined);
  return { ...rest, secret: secret ?? null };
}

const deliveryQuery = z.object({ status: z.enum(['pending', 'delivered', 'failed']).optional() });
const redeliverInput = z.strictObject({ eventId: z.string().regex(/^evt_[1-9][0-9]{0,17}$/, 'an event id (evt_…) from GET /v1/events') });

/**
 * Wakes the endpoint's delivery workflow for what was just queued. Best effort: the request has done
 * its part once the delivery committed, and the dispatcher wakes it on its next pass if this fails.
 */
async function announce(ctx: ApiContext, endpointId: string): Promise<void> {
  await announceDeliveries(ctx.db, ctx.webhooks, endpointId).catch((error) =>
    log.warn(`[certificate-profiles] webhook ${endpointId}: waking its delivery workflow failed, the dispatcher retries: ${error.message}`),
  );
}

/** `/v1/webhooks`: endpoints that receive the account's events, signed per Standard Webhooks. */
export function webhooksRouter(ctx: ApiContext): Router {
  const router = Router();
  const input = webhookInputFor(ctx.notify.webhooks.addressAllowance);
  const patchInput = webhookPatchFor(ctx.notify.webhooks.addressAllowance);

  async function load(accountId: string, id: string): Promise<WebhookEndpointRow> {
    const row = await ctx.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
    if (!row) throw notFound(`webhook ${id}`);
    return row;
  }

  router.post('/', async (req, res) => {
    const { accountId } = customerOf(res);
    const body = parse(input, bodyOf(req));
    const created = await createIdempotently(ctx.db, accountId, idempotencyOf(req), async (trx) => {
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
          url: body.url,
          description: body.description ?? null,
          event_types: body.eventTypes ? JSON.stringify(body.eventTypes) : null,
          enabled: body.enabled,
          updated_at: new Date(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const secret = await addWebhookSecret(trx, ctx.secretKey, row.id);
      return { status: 201, body: { ...webhookView(row), secretRef: secret.id }, started: secret.secret };
    });
    const answer = await withSecret(ctx, created.body, created.started);
    res.status(created.status).location(`/v1/webhooks/${answer.id}`).json(answer);
  });

  router.get('/', async (req, res) => {
    const { limit, after } = readPage(req.query);
    const query = ctx.db.selectFrom('webhook_endpoints').selectAll().where('account_id', '=', customerOf(res).accountId);
    const rows = await afterCursor(query, 'created_at', after)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    res.json(toPage(rows, limit, (r) => ({ at: new Date(r.created_at).toISOString(), id: r.id }), webhookView));
  });

  router.get('/:id', async (req, res) => {
    res.json(webhookView(await load(customerOf(res).accountId, pathId(req, 'id', 'webhook'))));
  });

  router.patch('/:id', async (req, res) => {
    const { accountId } = customerOf(res);
    const id = pathId(req, 'id', 'webhook');
    const patch = parse(patchInput, bodyOf(req));
    await load(accountId, id);
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
      await announce(ctx, id);
    }
    res.json(webhookView(row));
  });

  router.delete('/:id', async (req, res) => {
    const { accountId } = customerOf(res);
    const id = pathId(req, 'id', 'webhook');
    const deleted = await ctx.db.deleteFrom('webhook_endpoints').where('id', '=', id).where('account_id', '=', accountId).returning('id').executeTakeFirst();
    if (!deleted) throw notFound(`webhook ${id}`);
    res.status(204).end();
  });

  router.post('/:id/rotate-secret', async (req, res) => {
    const { accountId } = customerOf(res);
    const id = pathId(req, 'id', 'webhook');
    const { previousSecretExpiresInSeconds } = parse(rotateSecretInput, bodyOf(req));
    await load(accountId, id);
    const rotated = await createIdempotently(ctx.db, accountId, idempotencyOf(req), async (trx) => {
      const now = new Date();
      const expiresAt =
        previousSecretExpiresInSeconds === undefined
          ? addDuration(now, ctx.notify.webhooks.secretOverlap)
          : new Date(now.getTime() + previousSecretExpiresInSeconds * 1000);
      const secret = await addWebhookSecret(trx, ctx.secretKey, id, expiresAt);
      return { status: 200, body: { id, previousSecretExpiresAt: expiresAt.toISOString(), secretRef: secret.id }, started: secret.secret };
    });
    res.status(rotated.status).json(await withSecret(ctx, rotated.body, rotated.started));
  });

  router.get('/:id/deliveries', async (req, res) => {
    const { accountId } = customerOf(res);
    const id = pathId(req, 'id', 'webhook');
    const { status } = parse(deliveryQuery, { status: req.query.status });
    const { limit, after } = readSerialPage({ limit: req.query.limit, cursor: req.query.cursor });
    await load(accountId, id);
    const items = await listDeliveries(ctx.db, id, { status, beforeId: after?.id, limit });
    res.json(
      toPage(
        items,
        limit,
        (d) => ({ at: d.createdAt!, id: d.id }),
        (d) => d,
      ),
    );
  });

  router.get('/:id/deliveries/:deliveryId', async (req, res) => {
    const { accountId } = customerOf(res);
    const id = pathId(req, 'id', 'webhook');
    await load(accountId, id);
    const deliveryId = String(req.params.deliveryId);
    const delivery = /^[1-9][0-9]{0,17}$/.test(deliveryId) ? await getDelivery(ctx.db, id, deliveryId) : undefined;
    if (!delivery) throw notFound(`delivery ${deliveryId} of webhook ${id}`);
    res.json(delivery);
  });

  /** Queues a message (a redelivery, a test) for an enabled endpoint, once per Idempotency-Key, then wakes its workflow. */
  async function queue(req: Request, res: Response, work: (trx: Transaction<Database>, endpoint: WebhookEndpointRow) => Promise<{ id: string }>) {
    const { accountId } = customerOf(res);
    const id = pathId(req, 'id', 'webhook');
    const queued = await createIdempotently(ctx.db, accountId, idempotencyOf(req), async (trx) => {
      const endpoint = await trx.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
      if (!endpoint) throw notFound(`webhook ${id}`);
      if (!endpoint.enabled) throw conflict('the webhook is disabled: enable it first (PATCH enabled: true)');
      return { status: 202, body: await work(trx, endpoint) };
    });
    await announce(ctx, id);
    res.status(queued.status).location(`/v1/webhooks/${id}/deliveries/${queued.body.id}`).json(queued.body);
  }

  router.post('/:id/redeliver', async (req, res) => {
    const { eventId } = parse(redeliverInput, bodyOf(req));
    await queue(req, res, async (trx, endpoint) => {
      const event = await trx
        .selectFrom('account_events')
        .select('id')
        .where('id', '=', rowIdOf(eventId)!)
        .where('account_id', '=', endpoint.account_id)
        .executeTakeFirst();
      if (!event) {
        throw new Problem(400, 'Invalid request', 'eventId: no such event in this account', {
          errors: [{ field: 'eventId', message: 'no such event in this account' }],
        });
      }
      return queueRedelivery(trx, endpoint, event.id);
    });
  });

  router.post('/:id/test', async (req, res) => {
    await queue(req, res, (trx, endpoint) => queueTest(trx, endpoint, new Date()));
  });

  return router;
}
