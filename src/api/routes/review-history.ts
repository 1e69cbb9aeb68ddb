import type { Request, RequestHandler } from 'express';
import { actorNames } from '../../db/principals';
import { getAdministrator, getForReview, getOrganization } from '../../db/profile-queries';
import { listReviews } from '../../db/review-history';
import type { ProfileReviewRow } from '../../db/schema';
import type { ProfileKind } from '../../domain/status';
import { customerOf } from '../auth';
import { type ApiContext, pathId } from '../context';
import { readSerialPage, toPage } from '../pagination';
import { notFound } from '../problem';
import { reviewHistoryView, reviewRecordView } from '../views';

type View = typeof reviewHistoryView | typeof reviewRecordView;

/**
 * One page of a profile's completed reviews, oldest first (cursor over the bigserial id). Like the audit
 * trail, the history outlives the profile; a profile that neither exists nor has a history is a 404.
 */
async function reviewPage(ctx: ApiContext, req: Request, kind: ProfileKind, accountId: string | undefined, view: View) {
  const id = pathId(req, 'id', kind);
  const { limit, after } = readSerialPage(req.query);
  const rows = await listReviews(ctx.db, id, limit, { accountId, afterId: after?.id });
  if (rows.length === 0 && !after) {
    const row =
      accountId === undefined
        ? await getForReview(ctx.db, kind, id)
        : kind === 'organization'
          ? await getOrganization(ctx.db, accountId, id)
          : await getAdministrator(ctx.db, accountId, id);
    if (!row) throw notFound(`${kind} ${id}`);
  }
  const page = rows.slice(0, limit);
  const names = await actorNames(
    ctx.db,
    page.map((r) => ({ kind: r.actor_kind, id: r.actor_id })),
  );
  return toPage(
    rows,
    limit,
    (r: ProfileReviewRow) => ({ at: new Date(r.decided_at).toISOString(), id: String(r.id) }),
    (r) => view(r, names),
  );
}

/** GET `/v1/{organizations|administrators}/{id}/reviews`: the customer's own profile's review history, without the CA's working notes. */
export function customerReviewsHandler(ctx: ApiContext, kind: ProfileKind): RequestHandler {
  return async (req, res) => {
    res.json(await reviewPage(ctx, req, kind, customerOf(res).accountId, reviewHistoryView));
  };
}

/** GET `/v1/reviews/{organizations|administrators}/{id}/history`: any profile's review history with the full records. */
export function reviewerHistoryHandler(ctx: ApiContext, kind: ProfileKind): RequestHandler {
  return async (req, res) => {
    res.json(await reviewPage(ctx, req, kind, undefined, reviewRecordView));
  };
}
