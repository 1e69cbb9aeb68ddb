import { Router } from 'express';
import { reviewQueueQuery } from '../../domain/query-params';
import { decideReview, type QueueEntry, reviewQueuePage } from '../../app/reviews';
import { administratorsOf } from '../../db/profile-queries';
import type { AdministratorRow, OrganizationRow } from '../../db/schema';
import type { ProfileKind } from '../../domain/status';
import { reviewerCaller } from '../auth';
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
    const { items, entries, names } = await reviewQueuePage(ctx, limit, after, status === 'overdue' ? now : undefined);
    res.json(
      toPage(
        items,
        limit,
        (i) => ({ at: new Date(i.submitted_at).toISOString(), id: i.id }),
        (item) => {
          const entry = entries.get(item.id);
          return {
            kind: item.kind,
            id: item.id,
            accountId: item.account_id,
            organizationId: item.organization_id,
            submittedAt: new Date(item.submitted_at).toISOString(),
            dueAt: new Date(item.due_at).toISOString(),
            overdue: new Date(item.due_at).getTime() < now.getTime(),
            subject: subjectView(entry),
            lastReview: entry?.lastReview ? reviewRecordView(entry.lastReview, names) : null,
          };
        },
      ),
    );
  });

  /** What the reviewer checks: the submitted fields (for an administrator, with its organization's name and status). */
  function subjectView(entry: QueueEntry | undefined) {
    const organization = entry?.organization;
    if (!entry || !organization) return undefined;
    if (entry.item.kind === 'organization') return organizationView(organization, entry.administrators);
    if (!entry.administrator) return undefined;
    return { ...administratorView(entry.administrator), organization: { id: organization.id, name: organization.name, status: organization.status } };
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
      const updated = await decideReview(ctx, kind, id, reviewerCaller(res), bodyOf(req), () => key.claim());
      if (kind === 'administrator') return { status: 200, body: administratorView(updated as AdministratorRow) };
      const administrators = await administratorsOf(ctx.db, [id]);
      return { status: 200, body: organizationView(updated as OrganizationRow, administrators.get(id) ?? []) };
    }),
  );

  return router;
}
