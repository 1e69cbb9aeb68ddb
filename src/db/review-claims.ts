import { sql } from 'kysely';
import type { ProfileKind } from '../domain/status';
import type { Db } from './connect';

/** Who holds a pending review, and until when. */
export interface ReviewClaim {
  reviewerId: string;
  reviewerName: string;
  claimedAt: Date;
  expiresAt: Date;
}

/** The live claim on a review (undefined when nobody holds it, or the claim has expired). */
export async function currentClaim(db: Db, entityId: string, now: Date): Promise<ReviewClaim | undefined> {
  const row = await db
    .selectFrom('review_claims')
    .innerJoin('reviewers', 'reviewers.id', 'review_claims.reviewer_id')
    .select(['review_claims.reviewer_id', 'reviewers.name', 'review_claims.claimed_at', 'review_claims.expires_at'])
    .where('review_claims.entity_id', '=', entityId)
    .where('review_claims.expires_at', '>', now)
    .executeTakeFirst();
  return row && { reviewerId: row.reviewer_id, reviewerName: row.name, claimedAt: new Date(row.claimed_at), expiresAt: new Date(row.expires_at) };
}

/**
 * Takes the review for `reviewerId` until `expiresAt` when nobody else holds it (free, expired, or already
 * theirs: then extended), in one statement, so two reviewers opening it at once cannot both get it.
 * Returns the claim as it stands afterwards: the caller's, or the other reviewer's.
 */
export async function takeClaim(db: Db, kind: ProfileKind, entityId: string, reviewerId: string, now: Date, expiresAt: Date): Promise<ReviewClaim> {
  await db
    .insertInto('review_claims')
    .values({ entity_id: entityId, entity_kind: kind, reviewer_id: reviewerId, claimed_at: now, expires_at: expiresAt })
    .onConflict((oc) =>
      oc
        .column('entity_id')
        .doUpdateSet({
          reviewer_id: reviewerId,
          claimed_at: sql`case when review_claims.reviewer_id = ${reviewerId}::uuid and review_claims.expires_at > ${now} then review_claims.claimed_at else ${now} end`,
          expires_at: expiresAt,
        })
        .where((eb) => eb.or([eb('review_claims.reviewer_id', '=', reviewerId), eb('review_claims.expires_at', '<=', now)])),
    )
    .execute();
  return (await currentClaim(db, entityId, now))!;
}

/** Ends the review's claim (after its decision, or when its holder lets it go). */
export async function dropClaim(db: Db, entityId: string, reviewerId?: string): Promise<void> {
  let query = db.deleteFrom('review_claims').where('entity_id', '=', entityId);
  if (reviewerId) query = query.where('reviewer_id', '=', reviewerId);
  await query.execute();
}
