import type { Transaction } from 'kysely';
import type { ReviewOutcome } from '../domain/profile-transitions';
import type { ProfileKind } from '../domain/status';
import type { Actor } from '../domain/vocabulary';
import type { Db } from './connect';
import type { Database, ProfileReviewRow } from './schema';

/**
 * Writes a completed review with its evidence, in the transaction of the decision and its audit event
 * (so a retried activity that finds its event finds its review too). `actor`: the reviewer, or the
 * service (an administrator rejected with its organization).
 */
export async function recordReview(
  trx: Transaction<Database>,
  review: { accountId: string; kind: ProfileKind; entityId: string; actor: Actor; at: Date; outcome: ReviewOutcome },
): Promise<void> {
  const { callback, verification } = review.outcome;
  await trx
    .insertInto('profile_reviews')
    .values({
      account_id: review.accountId,
      entity_kind: review.kind,
      entity_id: review.entityId,
      submitted_at: review.outcome.submittedAt,
      decided_at: review.at,
      status: review.outcome.status,
      reason: review.outcome.reason,
      actor_kind: review.actor.kind === 'reviewer' ? 'reviewer' : 'system',
      actor_id: review.actor.kind === 'reviewer' ? review.actor.id : null,
      check_method: callback ? 'callback' : (verification?.method ?? null),
      check_contact: callback?.number ?? verification?.contact ?? null,
      check_at: callback?.calledAt ?? verification?.contactedAt ?? null,
      check_outcome: callback?.outcome ?? verification?.outcome ?? null,
      answered_by_name: callback?.answeredBy?.name ?? null,
      answered_by_role: callback?.answeredBy?.role ?? null,
      reviewer_note: callback?.note ?? verification?.note ?? null,
    })
    .execute();
}

/** One profile's reviews, oldest first, after the bigserial `afterId`; `accountId` limits them to a customer's own. */
export async function listReviews(
  db: Db,
  kind: ProfileReviewRow['entity_kind'],
  entityId: string,
  limit: number,
  options: { accountId?: string; afterId?: string } = {},
): Promise<ProfileReviewRow[]> {
  let query = db.selectFrom('profile_reviews').selectAll().where('entity_kind', '=', kind).where('entity_id', '=', entityId);
  if (options.accountId) query = query.where('account_id', '=', options.accountId);
  if (options.afterId) query = query.where('id', '>', options.afterId);
  return query
    .orderBy('id')
    .limit(limit + 1)
    .execute();
}

/** The latest review of each of `entityIds` (for a resubmission in the review queue: why it was decided as it was before). */
export async function latestReviews(db: Db, entityIds: string[]): Promise<Map<string, ProfileReviewRow>> {
  if (entityIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('profile_reviews')
    .selectAll()
    .distinctOn('entity_id')
    .where('entity_id', 'in', entityIds)
    .orderBy('entity_id')
    .orderBy('id', 'desc')
    .execute();
  return new Map(rows.map((row) => [row.entity_id, row]));
}
