import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { createIdempotently } from '../../db/idempotent-create';
import { afterCursor } from '../../db/keyset';
import type { WebhookEndpointRow } from '../../db/schema';
import { addDuration } from '../../domain/duration';
import { rotateSecretInput, webhookInputFor, webhookPatchFor } from '../../notify/webhook-input';
import { addWebhookSecret, openWebhookSecret } from '../../notify/webhook-secrets';
import { webhookView } from '../../notify/webhook-view';
import { customerOf } from '../auth';
import { type ApiContext, bodyOf, idempotencyOf, pathId } from '../context';
import { readPage, toPage } from '../pagination';
import { conflict, notFound, parse } from '../problem';

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

  return router;
}
