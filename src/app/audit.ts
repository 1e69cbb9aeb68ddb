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
  kind: EventRow['entity_kind'],
  id: string,
  limit: number,
  afterId?: string,
): Promise<NamedPage<EventRow>> {
  return named(ctx, accountId, kind, id, limit, await listEvents(ctx.db, accountId, kind, id, limit, { after: afterId }), afterId);
}

/**
 * The latest page of an object's audit trail, or the page before the event id `beforeId`, oldest first
 * (what a person reading a long trail wants first); `earlierBefore` is the `beforeId` of the page before,
 * null at the trail's start. 404 like {@link auditTrail}.
 */
export async function recentAuditTrail(
  ctx: Pick<AppContext, 'db'>,
  accountId: string,
  kind: EventRow['entity_kind'],
  id: string,
  limit: number,
  beforeId?: string,
): Promise<NamedPage<EventRow> & { earlierBefore: string | null }> {
  const newestFirst = await listEvents(ctx.db, accountId, kind, id, limit, { newest: true, before: beforeId });
  const page = newestFirst.slice(0, limit).reverse();
  const { names } = await named(ctx, accountId, kind, id, limit, page, beforeId);
  return { rows: page, names, earlierBefore: newestFirst.length > limit ? String(page[0].id) : null };
}

/** A page's actors named, or the 404 of an id without a trail of this kind in this account (whatever the cursor). */
async function named(
  ctx: Pick<AppContext, 'db'>,
  accountId: string,
  kind: EventRow['entity_kind'],
  id: string,
  limit: number,
  rows: EventRow[],
  cursor?: string,
): Promise<NamedPage<EventRow>> {
  if (rows.length === 0 && (!cursor || (await listEvents(ctx.db, accountId, kind, id, 0)).length === 0)) throw notFound(`${kind} ${id}`);
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
  const rows = await listReviews(ctx.db, kind, id, limit, { accountId, afterId });
  // An empty page is a 404 unless the profile or its history is there (a cursor's empty last page included).
  if (rows.length === 0 && (!afterId || (await listReviews(ctx.db, kind, id, 0, { accountId })).length === 0)) {
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
