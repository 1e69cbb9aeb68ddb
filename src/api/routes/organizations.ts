import { type Response, Router } from 'express';
import { z } from 'zod';
import { profileListQuery } from '../../domain/query-params';
import { startWorkflowsOf } from '../../app/start-workflows';
import { createAdministrator, createOrganization, type Created } from '../../db/profile-create';
import { administratorsOf, getOrganization, hasOrganizations, listAdministrators, listOrganizations } from '../../db/profile-queries';
import type { AdministratorRow, OrganizationRow } from '../../db/schema';
import { administratorInput, createOrganizationBodyFor, organizationPatch } from '../../domain/schemas';
import { actorOf, customerOf } from '../auth';
import { type ApiContext, bodyOf, idempotencyOf, pathId } from '../context';
import { readPage, toPage } from '../pagination';
import { notFound, parse } from '../problem';
import { inBulkLane } from '../bulk-lane';
import { deadlineOf } from '../deadline';
import { startAfterCommit } from '../start-after-commit';
import { administratorView, organizationView } from '../views';
import { eventsHandler } from './events';
import { addProfileUpdateRoutes } from './profile-updates';
import { customerReviewsHandler } from './review-history';

export function organizationsRouter(ctx: ApiContext): Router {
  const router = Router();

  async function load(accountId: string, id: string): Promise<OrganizationRow> {
    const row = await getOrganization(ctx.db, accountId, id);
    if (!row) throw notFound(`organization ${id}`);
    return row;
  }

  async function view(row: OrganizationRow) {
    const administrators = await administratorsOf(ctx.db, [row.id]);
    return organizationView(row, administrators.get(row.id) ?? []);
  }

  /**
   * Starts the workflows of what a create wrote; the reconciler covers a crash in between, and a
   * Temporal outage: the create answers 201 either way (see startAfterCommit).
   */
  async function startCreated<T>(res: Response, created: Created<T>): Promise<void> {
    const { organizations = [], administrators = [] } = created.started ?? {};
    if (organizations.length + administrators.length === 0) return;
    const what = [...organizations.map((r) => `organization ${r.id}`), ...administrators.map((r) => `administrator ${r.id}`)].join(' and ');
    await startAfterCommit(res, what, async (signal) => {
      const { failures } = await startWorkflowsOf(ctx.db, { profiles: ctx.workflows, domains: ctx.domains }, { organizations, administrators }, signal);
      if (failures.length) throw failures[0];
    });
  }

  router.post('/', inBulkLane(ctx.bulkLane), async (req, res) => {
    const principal = customerOf(res);
    const sent = bodyOf(req);
    // Judged with the rest of the body so every fault is in one answer; the create re-checks it under the account's lock.
    const administratorMissing = typeof sent === 'object' && sent !== null && (sent as { administrator?: unknown }).administrator === undefined;
    const body = parse(createOrganizationBodyFor(administratorMissing && !(await hasOrganizations(ctx.db, principal.accountId))), sent);
    const created = await createOrganization(ctx.db, {
      accountId: principal.accountId,
      organization: body.organization,
      administrator: body.administrator,
      actor: actorOf(principal),
      timings: ctx.timings,
      idempotency: idempotencyOf(req),
      respond: (organization, administrators) => organizationView(organization, administrators),
      signal: deadlineOf(res).signal,
    });
    await startCreated(res, created);
    res.status(created.status).location(`/v1/organizations/${created.body.id}`).json(created.body);
  });

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
    res.json(await view(await load(customerOf(res).accountId, pathId(req, 'id', 'organization'))));
  });

  addProfileUpdateRoutes(router, ctx, {
    kind: 'organization',
    load,
    view,
    patchSchema: async (row) => organizationPatch(row.country, row.province) as z.ZodType<Record<string, string | null>>,
  });

  router.post('/:id/administrators', inBulkLane(ctx.bulkLane), async (req, res) => {
    const principal = customerOf(res);
    const organization = await load(principal.accountId, pathId(req, 'id', 'organization'));
    const input = parse(administratorInput(organization.country), bodyOf(req));
    const created = await createAdministrator(ctx.db, {
      accountId: principal.accountId,
      organizationId: organization.id,
      administrator: input,
      actor: actorOf(principal),
      timings: ctx.timings,
      idempotency: idempotencyOf(req),
      respond: (row: AdministratorRow) => administratorView(row),
      signal: deadlineOf(res).signal,
    });
    await startCreated(res, created);
    res.status(created.status).location(`/v1/administrators/${created.body.id}`).json(created.body);
  });

  router.get('/:id/administrators', async (req, res) => {
    const organization = await load(customerOf(res).accountId, pathId(req, 'id', 'organization'));
    const { limit, after } = readPage(req.query);
    const rows = await listAdministrators(ctx.db, organization.id, limit, after);
    res.json(toPage(rows, limit, (r) => ({ at: new Date(r.created_at).toISOString(), id: r.id }), administratorView));
  });

  router.get('/:id/events', eventsHandler(ctx, 'organization'));
  router.get('/:id/reviews', customerReviewsHandler(ctx, 'organization'));

  return router;
}
