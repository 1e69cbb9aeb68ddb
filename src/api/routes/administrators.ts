import { Router } from 'express';
import { getAdministrator, getOrganization } from '../../db/profile-queries';
import type { AdministratorRow } from '../../db/schema';
import { administratorPatch } from '../../domain/schemas';
import { customerOf } from '../auth';
import { type ApiContext, pathId } from '../context';
import { notFound } from '../problem';
import { administratorView } from '../views';
import { administratorDomainsRouter } from './domains';
import { eventsHandler } from './events';
import { addProfileUpdateRoutes } from './profile-updates';
import { customerReviewsHandler } from './review-history';

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

  addProfileUpdateRoutes(router, ctx, {
    kind: 'administrator',
    load,
    view: administratorView,
    patchSchema: async (row) => administratorPatch((await getOrganization(ctx.db, row.account_id, row.organization_id))?.country),
  });

  router.get('/:id/events', eventsHandler(ctx, 'administrator'));
  router.get('/:id/reviews', customerReviewsHandler(ctx, 'administrator'));
  router.use('/:id/domains', administratorDomainsRouter(ctx));

  return router;
}
