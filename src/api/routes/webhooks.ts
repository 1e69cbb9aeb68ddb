import { Router } from 'express';
import {
  addWebhook,
  editWebhook,
  listWebhookDeliveries,
  listWebhooks,
  loadWebhook,
  loadWebhookDelivery,
  redeliverEvent,
  removeWebhook,
  rotateWebhookSecret,
  sendTestMessage,
} from '../../app/webhooks';
import { deliveryListQuery } from '../../notify/webhook-input';
import { webhookView } from '../../notify/webhook-view';
import { customerOf } from '../auth';
import { type ApiContext, bodyOf, deleteOnce, idempotencyOf, idempotentUpdate, pathId } from '../context';
import { readPage, readSerialPage, toPage } from '../pagination';
import { parse } from '../problem';

/** `/v1/webhooks`: endpoints that receive the account's events, signed per Standard Webhooks (use cases in src/app/webhooks.ts). */
export function webhooksRouter(ctx: ApiContext): Router {
  const router = Router();
  const webhookId = (req: Parameters<typeof pathId>[0]) => pathId(req, 'id', 'webhook');

  router.post('/', async (req, res) => {
    const created = await addWebhook(ctx, customerOf(res).accountId, bodyOf(req), { idempotency: idempotencyOf(req) });
    res.status(created.status).location(`/v1/webhooks/${created.body.id}`).json(created.body);
  });

  router.get('/', async (req, res) => {
    const { limit, after } = readPage(req.query);
    const rows = await listWebhooks(ctx, customerOf(res).accountId, limit, after);
    res.json(toPage(rows, limit, (r) => ({ at: new Date(r.created_at).toISOString(), id: r.id }), webhookView));
  });

  router.get('/:id', async (req, res) => {
    res.json(webhookView(await loadWebhook(ctx, customerOf(res).accountId, webhookId(req))));
  });

  // PATCH and DELETE run once per Idempotency-Key, as every update route does (src/api/context.ts).
  router.patch(
    '/:id',
    idempotentUpdate(ctx, async (req, res, key) => {
      const row = await editWebhook(ctx, customerOf(res).accountId, webhookId(req), bodyOf(req), () => key.claim());
      return { status: 200, body: webhookView(row) };
    }),
  );

  router.delete(
    '/:id',
    idempotentUpdate(ctx, async (req, res, key) => {
      const accountId = customerOf(res).accountId;
      const id = webhookId(req);
      return deleteOnce(
        ctx.db,
        key,
        accountId,
        id,
        () => loadWebhook(ctx, accountId, id),
        () => removeWebhook(ctx, accountId, id),
        false,
      );
    }),
  );

  router.post('/:id/rotate-secret', async (req, res) => {
    const rotated = await rotateWebhookSecret(ctx, customerOf(res).accountId, webhookId(req), bodyOf(req), { idempotency: idempotencyOf(req) });
    res.status(rotated.status).json(rotated.body);
  });

  router.get('/:id/deliveries', async (req, res) => {
    const id = webhookId(req);
    const { status } = parse(deliveryListQuery, { status: req.query.status });
    const { limit, after } = readSerialPage({ limit: req.query.limit, cursor: req.query.cursor });
    const items = await listWebhookDeliveries(ctx, customerOf(res).accountId, id, { status, limit, after });
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
    res.json(await loadWebhookDelivery(ctx, customerOf(res).accountId, webhookId(req), String(req.params.deliveryId)));
  });

  router.post('/:id/redeliver', async (req, res) => {
    const id = webhookId(req);
    const queued = await redeliverEvent(ctx, customerOf(res).accountId, id, bodyOf(req), { idempotency: idempotencyOf(req) });
    res.status(queued.status).location(`/v1/webhooks/${id}/deliveries/${queued.body.id}`).json(queued.body);
  });

  router.post('/:id/test', async (req, res) => {
    const id = webhookId(req);
    const queued = await sendTestMessage(ctx, customerOf(res).accountId, id, { idempotency: idempotencyOf(req) });
    res.status(queued.status).location(`/v1/webhooks/${id}/deliveries/${queued.body.id}`).json(queued.body);
  });

  return router;
}
