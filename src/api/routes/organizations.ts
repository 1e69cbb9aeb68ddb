import { Router } from 'express';
import { profileListQuery } from '../../domain/query-params';
import { loadProfile, organizationWithAdministrators, submitAdministrator, submitOrganization } from '../../app/profiles';
import { administratorsOf, listAdministrators, listOrganizations } from '../../db/profile-queries';
import type { OrganizationRow } from '../../db/schema';
import { customerOf, customerCaller } from '../auth';
import { type ApiContext, bodyOf, pathId } from '../context';
import { readPage, toPage } from '../pagination';
import { parse } from '../problem';
import { createRoute } from '../create-route';
import { administratorView, organizationView } from '../views';
import { eventsHandler } from './events';
import { addProfileUpdateRoutes } from './profile-updates';
import { customerReviewsHandler } from './review-history';

export function organizationsRouter(ctx: ApiContext): Router {
  const router = Router();

  async function view(row: OrganizationRow) {
    const { organization, administrators } = await organizationWithAdministrators(ctx, row);
    return organizationView(organization, administrators);
  }

  router.post(
    '/',
    createRoute(ctx, '/v1/organizations', (req, res, request) =>
      submitOrganization(ctx, customerCaller(res), bodyOf(req), { ...request, respond: organizationView }),
    ),
  );

  router.get('/', async (req, res) => {
    const { status } = parse(profileListQuery, { status: req.query.status });
    const { limit, after } = readPage({ limit: req.query.limit, cursor: req.query.cursor });
    const rows = await listOrganizations(ctx.db, customerOf(res).accountId, limit, after, status);
    const administrators = await administratorsOf(
      ctx.db,
      rows.slice(0, limit).map((r) => r.id),
    );
    res.json(
      toPage(
        rows,
        limit,
        (r) => ({ at: new Date(r.created_at).toISOString(), id: r.id }),
        (r) => organizationView(r, administrators.get(r.id) ?? []),
      ),
    );
  });

  router.get('/:id', async (req, res) => {
    res.json(await view(await loadProfile(ctx, 'organization', customerOf(res).accountId, pathId(req, 'id', 'organization'))));
  });

  addProfileUpdateRoutes(router, ctx, { kind: 'organization', view });

  router.post(
    '/:id/administrators',
    createRoute(ctx, '/v1/administrators', (req, res, request) =>
      submitAdministrator(ctx, customerCaller(res), pathId(req, 'id', 'organization'), bodyOf(req), { ...request, respond: administratorView }),
    ),
  );

  router.get('/:id/administrators', async (req, res) => {
    const organization = await loadProfile(ctx, 'organization', customerOf(res).accountId, pathId(req, 'id', 'organization'));
    const { limit, after } = readPage(req.query);
    const rows = await listAdministrators(ctx.db, organization.id, limit, after);
    res.json(toPage(rows, limit, (r) => ({ at: new Date(r.created_at).toISOString(), id: r.id }), administratorView));
  });

  router.get('/:id/events', eventsHandler(ctx, 'organization'));
  router.get('/:id/reviews', customerReviewsHandler(ctx, 'organization'));

  return router;
}
