import { Router } from 'express';
import { addDomain, administratorDomains, domainChecks, loadDomain, precheckDomain, removeDomain, revalidateDomain } from '../../app/domains';
import { listDomains } from '../../db/domain-store';
import type { DomainRow } from '../../db/schema';
import { domainListQuery } from '../../domain/domain-input';
import { customerCaller, customerOf } from '../auth';
import { type ApiContext, bodyOf, pathId, idempotentUpdate, deleteOnce } from '../context';
import { readPage, readSerialPage, toPage } from '../pagination';
import { parse } from '../problem';
import { createRoute } from '../create-route';
import { checkView, domainView } from '../views';
import { eventsHandler } from './events';

/** The keyset cursor of a domain in lists (created_at, id); the console's pages use it too. */
export const domainCursor = (row: DomainRow) => ({ at: new Date(row.created_at).toISOString(), id: row.id });

/** `POST|GET /v1/administrators/{id}/domains`, mounted on the administrators router. */
export function administratorDomainsRouter(ctx: ApiContext): Router {
  const router = Router({ mergeParams: true });

  router.post(
    '/',
    createRoute(ctx, '/v1/domains', (req, res, request) =>
      addDomain(ctx, customerCaller(res), pathId(req, 'id', 'administrator'), bodyOf(req), { ...request, respond: (row) => domainView(row, ctx.dcv) }),
    ),
  );

  router.get('/', async (req, res) => {
    const administratorId = pathId(req, 'id', 'administrator');
    const { limit, after } = readPage(req.query);
    const rows = await administratorDomains(ctx, customerOf(res).accountId, administratorId, limit, after);
    res.json(toPage(rows, limit, domainCursor, (r) => domainView(r, ctx.dcv)));
  });

  return router;
}

export function domainsRouter(ctx: ApiContext): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const { status, expiringWithinDays } = parse(domainListQuery, { status: req.query.status, expiringWithinDays: req.query.expiringWithinDays });
    const { limit, after } = readPage({ limit: req.query.limit, cursor: req.query.cursor });
    const expiringBefore = expiringWithinDays === undefined ? undefined : new Date(Date.now() + expiringWithinDays * 86_400_000);
    const rows = await listDomains(ctx.db, { accountId: customerOf(res).accountId, status, expiringBefore }, limit, after);
    res.json(toPage(rows, limit, domainCursor, (r) => domainView(r, ctx.dcv)));
  });

  router.get('/:id', async (req, res) => {
    res.json(domainView(await loadDomain(ctx, customerOf(res).accountId, pathId(req, 'id', 'domain')), ctx.dcv));
  });

  /** The customer's pre-check: looks now, from every perspective, and says what it saw against what it expected. */
  router.post('/:id/validate', async (req, res) => {
    const outcome = await precheckDomain(ctx, customerCaller(res), pathId(req, 'id', 'domain'));
    res.json({
      passed: outcome.passed,
      code: outcome.code,
      quorum: outcome.quorum,
      perspectives: outcome.results,
    });
  });

  // A retried revalidate must not rotate the value the customer may just have published.
  router.post(
    '/:id/revalidate',
    idempotentUpdate(ctx, async (req, res, key) => {
      const row = await revalidateDomain(ctx, customerCaller(res), pathId(req, 'id', 'domain'), () => key.claim());
      return { status: 200, body: domainView(row, ctx.dcv) };
    }),
  );

  router.delete(
    '/:id',
    idempotentUpdate(ctx, async (req, res, key) => {
      const customer = customerCaller(res);
      const id = pathId(req, 'id', 'domain');
      return deleteOnce(
        ctx.db,
        key,
        customer.accountId,
        id,
        () => loadDomain(ctx, customer.accountId, id),
        (row, updateId) => removeDomain(ctx, customer, row, updateId),
      );
    }),
  );

  router.get('/:id/events', eventsHandler(ctx, 'domain'));

  /** The evidence: every pre-check, recheck and CA scan with each perspective's result and the quorum, newest first. */
  router.get('/:id/checks', async (req, res) => {
    const id = pathId(req, 'id', 'domain');
    const { limit, after } = readSerialPage(req.query);
    const rows = await domainChecks(ctx, customerOf(res).accountId, id, limit, after?.id);
    res.json(toPage(rows, limit, (r) => ({ at: new Date(r.at).toISOString(), id: String(r.id) }), checkView));
  });

  return router;
}
