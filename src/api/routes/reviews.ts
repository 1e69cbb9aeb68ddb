import { Router } from 'express';
import { reviewQueueQuery } from '../../domain/query-params';
import { actorNames } from '../../db/principals';
import { administratorsOf, getForReview, reviewQueue } from '../../db/profile-queries';
import { latestReviews } from '../../db/review-history';
import type { AdministratorRow, OrganizationRow } from '../../db/schema';
import { type DecisionContext, decisionBody } from '../../domain/decision-schemas';
import type { ProfileKind } from '../../domain/status';
import { decideUpdate } from '../../../workflows/messages';
import { actorOf, reviewerOf } from '../auth';
import { type ApiContext, bodyOf, pathId, idempotentUpdate } from '../context';
import { readPage, toPage } from '../pagination';
import { notFound, parse } from '../problem';
import { administratorView, organizationView, reviewRecordView } from '../views';
import { reviewerHistoryHandler } from './review-history';

const KINDS: Record<string, ProfileKind | undefined> = { organizations: 'organization', administrators: 'administrator' };

export function reviewsRouter(ctx: ApiContext): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const { status } = parse(reviewQueueQuery, { status: req.query.status });
    const { limit, after } = readPage({ limit: req.query.limit, cursor: req.query.cursor });
    const now = new Date();
    const items = await reviewQueue(ctx.db, limit, after, status === 'overdue' ? now : undefined);
    const subjects = await subjectsOf(items.slice(0, limit));
    const previous = await latestReviews(
      ctx.db,
      items.slice(0, limit).map((i) => i.id),
    );
    const names = await actorNames(
      ctx.db,
      [...previous.values()].map((r) => ({ kind: r.actor_kind, id: r.actor_id })),
    );
    res.json(
      toPage(
        items,
        limit,
        (i) => ({ at: new Date(i.submitted_at).toISOString(), id: i.id }),
        (item) => ({
          kind: item.kind,
          id: item.id,
          accountId: item.account_id,
          organizationId: item.organization_id,
          submittedAt: new Date(item.submitted_at).toISOString(),
          dueAt: new Date(item.due_at).toISOString(),
          overdue: new Date(item.due_at).getTime() < now.getTime(),
          subject: subjects.get(item.id),
          lastReview: previous.has(item.id) ? reviewRecordView(previous.get(item.id)!, names) : null,
        }),
      ),
    );
  });

  /** What the reviewer checks: the submitted fields (for an administrator, with its organization's name and status). */
  async function subjectsOf(items: Array<{ kind: ProfileKind; id: string; organization_id: string }>) {
    const subjects = new Map<string, unknown>();
    const organizationIds = [...new Set(items.map((i) => i.organization_id))];
    if (organizationIds.length === 0) return subjects;
    const organizations = await ctx.db.selectFrom('organizations').selectAll().where('id', 'in', organizationIds).execute();
    const byId = new Map(organizations.map((o) => [o.id, o]));
    const administrators = await administratorsOf(ctx.db, organizationIds);
    for (const item of items) {
      const organization = byId.get(item.organization_id);
      if (!organization) continue;
      if (item.kind === 'organization') {
        subjects.set(item.id, organizationView(organization, administrators.get(organization.id) ?? []));
      } else {
        const administrator = administrators.get(item.organization_id)?.find((a) => a.id === item.id);
        if (administrator) {
          subjects.set(item.id, {
            ...administratorView(administrator),
            organization: { id: organization.id, name: organization.name, status: organization.status },
          });
        }
      }
    }
    return subjects;
  }

  /** What a decision's record is checked against: the row as read now (the activity checks again under its lock). */
  async function decisionContext(kind: ProfileKind, row: OrganizationRow | AdministratorRow): Promise<DecisionContext> {
    const submittedAt = new Date(row.submitted_at);
    if (kind === 'organization') {
      const organization = row as OrganizationRow;
      return { subject: { kind, submittedAt, landline: organization.landline }, country: organization.country, now: new Date() };
    }
    const administrator = row as AdministratorRow;
    const organization = await getForReview(ctx.db, 'organization', administrator.organization_id);
    return {
      subject: { kind, submittedAt, email: administrator.email, phone: administrator.phone },
      country: (organization as OrganizationRow | undefined)?.country ?? '',
      now: new Date(),
    };
  }

  const kindOf = (param: unknown): ProfileKind => {
    const kind = KINDS[String(param)];
    if (!kind) throw notFound(`review kind ${param}`);
    return kind;
  };

  router.get('/:kind/:id/history', (req, res, next) => reviewerHistoryHandler(ctx, kindOf(req.params.kind))(req, res, next));

  router.post(
    '/:kind/:id/decision',
    idempotentUpdate(ctx, async (req, res, key) => {
      const kind = kindOf(req.params.kind);
      const id = pathId(req, 'id', kind);
      const row = await getForReview(ctx.db, kind, id);
      if (!row) throw notFound(`${kind} ${id}`);
      const decision = parse(decisionBody(kind, await decisionContext(kind, row)), bodyOf(req));
      await ctx.workflows.update(kind, row, decideUpdate, { ...decision, actor: actorOf(reviewerOf(res)) }, await key.claim());
      const updated = await getForReview(ctx.db, kind, id);
      if (!updated) throw notFound(`${kind} ${id}`);
      if (kind === 'administrator') return { status: 200, body: administratorView(updated as AdministratorRow) };
      const administrators = await administratorsOf(ctx.db, [id]);
      return { status: 200, body: organizationView(updated as OrganizationRow, administrators.get(id) ?? []) };
    }),
  );

  return router;
}
