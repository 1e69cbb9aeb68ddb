import { actorNames } from '../db/principals';
import { getForReview, listEvents } from '../db/profile-queries';
import { listReviews } from '../db/review-history';
import type { EventRow, ProfileReviewRow } from '../db/schema';
import type { ProfileKind } from '../domain/status';
import { notFound } from '../problem';
import type { AppContext } from './context';
import { loadProfile } from './profiles';

/** Rows of one page (fetched with `limit + 1`) and the readable names of their actors (src/db/principals.ts `actorNames`). */
export interface NamedPage<Row> {
  rows: Row[];
  names: Map<string, string>;
}

/**
 * One page of an object's audit trail, oldest first, after the event id `afterId`. The trail outlives its
 * object: a deleted organization's history is still readable by its account; an id with no trail is a 404.
 */
export async function auditTrail(
  ctx: Pick<AppContext, 'db'>,
  accountId: string,
  kind: string,
  id: string,
  limit: number,
  afterId?: string,
): Promise<NamedPage<EventRow>> {
  const rows = await listEvents(ctx.db, accountId, id, limit, afterId);
  if (rows.length === 0 && !afterId) throw notFound(`${kind} ${id}`);
  const names = await actorNames(
    ctx.db,
    rows.slice(0, limit).map((r) => ({ kind: r.actor_kind, id: r.actor_id })),
  );
  return { rows, names };
}

/**
 * One page of a profile's completed reviews, oldest first. Like the audit trail, the history outlives the
 * profile; a profile that neither exists nor has a history is a 404. `accountId` limits it to a customer's
 * own profiles (reviewers read any).
 */
export async function reviewHistory(
  ctx: Pick<AppContext, 'db'>,
  kind: ProfileKind,
  id: string,
  accountId: string | undefined,
  limit: number,
  afterId?: string,
): Promise<NamedPage<ProfileReviewRow>> {
  const rows = await listReviews(ctx.db, id, limit, { accountId, afterId });
  if (rows.length === 0 && !afterId) {
    if (accountId === undefined) {
      if (!(await getForReview(ctx.db, kind, id))) throw notFound(`${kind} ${id}`);
    } else await loadProfile(ctx, kind, accountId, id);
  }
  const names = await actorNames(
    ctx.db,
    rows.slice(0, limit).map((r) => ({ kind: r.actor_kind, id: r.actor_id })),
  );
  return { rows, names };
}
