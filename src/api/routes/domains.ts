import { startWorkflowsOf } from '../../app/start-workflows';
import { Router } from 'express';
import { claimPrecheck, createDomain, getDomain, listDomains } from '../../db/domain-store';
import type { DomainRow } from '../../db/schema';
import { createDomainBody, domainListQuery } from '../../domain/domain-input';
import { addDuration } from '../../domain/duration';
import { precheckUpdate, removeDomainUpdate, revalidateUpdate } from '../../../workflows/domain-messages';
import { actorOf, customerOf } from '../auth';
import { createIdempotently } from '../../db/idempotent-create';
import { type ApiContext, bodyOf, idempotencyOf, pathId, idempotentUpdate, deleteOnce } from '../context';
import { readPage, readSerialPage, toPage } from '../pagination';
import { notFound, parse, Problem } from '../problem';
import { inBulkLane } from '../bulk-lane';
import { deadlineOf } from '../deadline';
import { startAfterCommit } from '../start-after-commit';
import { checkView, domainView } from '../views';
import { eventsHandler } from './events';

const cursorOf = (row: DomainRow) => ({ at: new Date(row.created_at).toISOString(), id: row.id });

/** `POST|GET /v1/administrators/{id}/domains`, mounted on the administrators router. */
export function administratorDomainsRouter(ctx: ApiContext): Router {
  const router = Router({ mergeParams: true });

  router.post('/', inBulkLane(ctx.bulkLane), async (req, res) => {
    const principal = customerOf(res);
    const administratorId = pathId(req, 'id', 'administrator');
    const input = parse(createDomainBody, bodyOf(req));
    const created = await createIdempotently(
      ctx.db,
      principal.accountId,
      idempotencyOf(req),
      async (trx) => {
        const row = await createDomain(trx, { accountId: principal.accountId, administratorId, ...input, actor: actorOf(principal), dcv: ctx.dcv });
        return { status: 201, body: domainView(row, ctx.dcv), started: row };
      },
      deadlineOf(res).signal,
    );
    const row = created.started;
    if (row) {
      await startAfterCommit(res, `domain ${row.id}`, async (signal) => {
        const { failures } = await startWorkflowsOf(ctx.db, { profiles: ctx.workflows, domains: ctx.domains }, { domains: [row] }, signal);
        if (failures.length) throw failures[0];
      });
    }
    res.status(created.status).location(`/v1/domains/${created.body.id}`).json(created.body);
  });

  router.get('/', async (req, res) => {
    const principal = customerOf(res);
    const administratorId = pathId(req, 'id', 'administrator');
    const administrator = await ctx.db
      .selectFrom('administrators')
      .select('id')
      .where('id', '=', administratorId)
      .where('account_id', '=', principal.accountId)
      .executeTakeFirst();
    if (!administrator) throw notFound(`administrator ${administratorId}`);
    const { limit, after } = readPage(req.query);
    const rows = await listDomains(ctx.db, { accountId: principal.accountId, administratorId }, limit, after);
    res.json(toPage(rows, limit, cursorOf, (r) => domainView(r, ctx.dcv)));
  });

  return router;
}

export function domainsRouter(ctx: ApiContext): Router {
  const router = Router();

  async function load(accountId: string, id: string): Promise<DomainRow> {
    const row = await getDomain(ctx.db, accountId, id);
    if (!row) throw notFound(`domain ${id}`);
    return row;
  }

  router.get('/', async (req, res) => {
    const { status, expiringWithinDays } = parse(domainListQuery, { status: req.query.status, expiringWithinDays: req.query.expiringWithinDays });
    const { limit, after } = readPage({ limit: req.query.limit, cursor: req.query.cursor });
    const expiringBefore = expiringWithinDays === undefined ? undefined : new Date(Date.now() + expiringWithinDays * 86_400_000);
    const rows = await listDomains(ctx.db, { accountId: customerOf(res).accountId, status, expiringBefore }, limit, after);
    res.json(toPage(rows, limit, cursorOf, (r) => domainView(r, ctx.dcv)));
  });

  router.get('/:id', async (req, res) => {
    res.json(domainView(await load(customerOf(res).accountId, pathId(req, 'id', 'domain')), ctx.dcv));
  });

  /** The customer's pre-check: looks now, from every perspective, and says what it saw against what it expected. */
  router.post('/:id/validate', async (req, res) => {
    const principal = customerOf(res);
    const row = await load(principal.accountId, pathId(req, 'id', 'domain'));
    const intervalMs = addDuration(new Date(0), ctx.dcv.precheckInterval).getTime();
    const wait = await claimPrecheck(ctx.db, row.id, intervalMs);
    if (wait > 0) {
      throw new Problem(429, 'Too Many Requests', `pre-checks of one domain are limited to one every ${intervalMs / 1000}s; retry in ${wait}s`, {
        headers: { 'Retry-After': String(wait) },
      });
    }
    const outcome = await ctx.domains.update(row, precheckUpdate, { actor: actorOf(principal) });
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
      const principal = customerOf(res);
      const row = await load(principal.accountId, pathId(req, 'id', 'domain'));
      await ctx.domains.update(row, revalidateUpdate, { actor: actorOf(principal) }, await key.claim());
      return { status: 200, body: domainView(await load(principal.accountId, row.id), ctx.dcv) };
    }),
  );

  router.delete(
    '/:id',
    idempotentUpdate(ctx, async (req, res, key) => {
      const principal = customerOf(res);
      const id = pathId(req, 'id', 'domain');
      return deleteOnce(
        ctx.db,
        key,
        principal.accountId,
        id,
        () => load(principal.accountId, id),
        (row, updateId) => ctx.domains.update(row, removeDomainUpdate, { actor: actorOf(principal) }, updateId),
      );
    }),
  );

  router.get('/:id/events', eventsHandler(ctx, 'domain'));

  /** The evidence: every pre-check, recheck and CA scan with each perspective's result and the quorum, newest first. */
  router.get('/:id/checks', async (req, res) => {
    const principal = customerOf(res);
    const id = pathId(req, 'id', 'domain');
    const { limit, after } = readSerialPage(req.query);
    let query = ctx.db.selectFrom('dcv_checks').selectAll().where('domain_id', '=', id).where('account_id', '=', principal.accountId);
    if (after) query = query.where('id', '<', after.id);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    if (rows.length === 0 && !after && !(await getDomain(ctx.db, principal.accountId, id))) throw notFound(`domain ${id}`);
    res.json(toPage(rows, limit, (r) => ({ at: new Date(r.at).toISOString(), id: String(r.id) }), checkView));
  });

  return router;
}
