import { Router } from 'express';
import { z } from 'zod';
import { administratorsOf, getForReview, reviewQueue } from '../../db/profile-queries';
import type { AdministratorRow, OrganizationRow } from '../../db/schema';
import { decisionBody } from '../../domain/schemas';
import type { ProfileKind } from '../../domain/status';
import { decideUpdate } from '../../../workflows/messages';
import { actorOf, reviewerOf } from '../auth';
import { type ApiContext, bodyOf, pathId, idempotentUpdate } from '../context';
import { readPage, toPage } from '../pagination';
import { notFound, parse } from '../problem';
import { administratorView, organizationView } from '../views';

const queueQuery = z.object({ status: z.enum(['pending', 'overdue']).default('pending') });

export function reviewsRouter(ctx: ApiContext): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const { status } = parse(queueQuery, { status: req.query.status });
    const { limit, after } = readPage({ limit: req.query.limit, cursor: req.query.cursor });
    const now = new Date();
    const items = await reviewQueue(ctx.db, limit, after, status === 'overdue' ? now : undefined);
    const subjects = await subjectsOf(items.slice(0, limit));
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

  router.post(
    '/:kind/:id/decision',
    idempotentUpdate(ctx, async (req, res, key) => {
      const kind = ({ organizations: 'organization', administrators: 'administrator' } as const)[req.params.kind as string];
      if (!kind) throw notFound(`review kind ${req.params.kind}`);
      const id = pathId(req, 'id', kind);
      const row = await getForReview(ctx.db, kind, id);
      if (!row) throw notFound(`${kind} ${id}`);
      const decision = parse(decisionBody, bodyOf(req));
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
