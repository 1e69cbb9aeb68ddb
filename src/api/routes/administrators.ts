import { Router } from 'express';
import { getAdministrator, getOrganization } from '../../db/profile-queries';
import type { AdministratorRow } from '../../db/schema';
import { administratorPatch } from '../../domain/schemas';
import { editUpdate, removeUpdate, resubmitUpdate } from '../../../workflows/messages';
import { actorOf, customerOf } from '../auth';
import { type ApiContext, bodyOf, idempotentUpdate, pathId } from '../context';
import { notFound, parse } from '../problem';
import { administratorView } from '../views';
import { administratorDomainsRouter } from './domains';
import { eventsHandler } from './events';

export function administratorsRouter(ctx: ApiContext): Router {
  const router = Router();

  async function load(accountId: string, id: string): Promise<AdministratorRow> {
    const row = await getAdministrator(ctx.db, accountId, id);
    if (!row) throw notFound(`administrator ${id}`);
    return row;
  }

  router.get('/:id', async (req, res) => {
    res.json(administratorView(await load(customerOf(res).accountId, pathId(req, 'id', 'administrator'))));
  });

  router.patch(
    '/:id',
    idempotentUpdate(ctx, async (req, res, updateId) => {
      const principal = customerOf(res);
      const row = await load(principal.accountId, pathId(req, 'id', 'administrator'));
      const organization = await getOrganization(ctx.db, principal.accountId, row.organization_id);
      const changes = parse(administratorPatch(organization?.country), bodyOf(req));
      await ctx.workflows.update('administrator', row, editUpdate, { changes, actor: actorOf(principal) }, updateId);
      return { status: 200, body: administratorView(await load(principal.accountId, row.id)) };
    }),
  );

  router.post(
    '/:id/resubmit',
    idempotentUpdate(ctx, async (req, res, updateId) => {
      const principal = customerOf(res);
      const row = await load(principal.accountId, pathId(req, 'id', 'administrator'));
      await ctx.workflows.update('administrator', row, resubmitUpdate, { actor: actorOf(principal) }, updateId);
      return { status: 200, body: administratorView(await load(principal.accountId, row.id)) };
    }),
  );

  router.delete(
    '/:id',
    idempotentUpdate(ctx, async (req, res, updateId) => {
      const principal = customerOf(res);
      const row = await load(principal.accountId, pathId(req, 'id', 'administrator'));
      await ctx.workflows.update('administrator', row, removeUpdate, { actor: actorOf(principal) }, updateId);
      return { status: 204 };
    }),
  );

  router.get('/:id/events', eventsHandler(ctx, 'administrator'));
  router.use('/:id/domains', administratorDomainsRouter(ctx));

  return router;
}
