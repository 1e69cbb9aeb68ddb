import type { Request, RequestHandler } from 'express';
import { reviewHistory } from '../../app/audit';
import type { ProfileReviewRow } from '../../db/schema';
import type { ProfileKind } from '../../domain/status';
import { customerOf } from '../auth';
import { type ApiContext, pathId } from '../context';
import { readSerialPage, toPage } from '../pagination';
import { reviewHistoryView, reviewRecordView } from '../views';

type View = typeof reviewHistoryView | typeof reviewRecordView;

/** One page of a profile's completed reviews, oldest first (cursor over the bigserial id). */
async function reviewPage(ctx: ApiContext, req: Request, kind: ProfileKind, accountId: string | undefined, view: View) {
  const id = pathId(req, 'id', kind);
  const { limit, after } = readSerialPage(req.query);
  const { rows, names } = await reviewHistory(ctx, kind, id, accountId, limit, after?.id);
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
