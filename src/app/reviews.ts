import { addDuration, type Duration } from '../domain/duration';
import { actorNames } from '../db/principals';
import { administratorsOf, getForReview, type QueueFilter, reviewQueue, type ReviewItem } from '../db/profile-queries';
import type { PageCursor } from '../db/keyset';
import { currentClaim, dropClaim, type ReviewClaim, takeClaim } from '../db/review-claims';
import { latestReviews } from '../db/review-history';
import type { AdministratorRow, OrganizationRow, ProfileReviewRow } from '../db/schema';
import { type DecisionContext, decisionBody } from '../domain/decision-schemas';
import type { ProfileKind } from '../domain/status';
import { notFound, parse, Problem } from '../problem';
import { decideUpdate } from '../../workflows/messages';
import type { AppContext, ClaimKey, Reviewer } from './context';

// The CA's review desk, shared by the reviewer API (/v1/reviews) and the console's review pages.

/** A pending review with what the reviewer checks: the profile (an administrator with its organization) and its previous decision. */
export interface QueueEntry {
  item: ReviewItem;
  organization?: OrganizationRow;
  administrators: AdministratorRow[];
  administrator?: AdministratorRow;
  lastReview?: ProfileReviewRow;
}

/**
 * One page of the pending reviews across accounts (rows fetched with `limit + 1`), each with its subject and
 * its latest earlier review; `overdueAt` keeps the overdue ones, `filter` narrows and orders (src/db/profile-queries.ts).
 */
export async function reviewQueuePage(
  ctx: Pick<AppContext, 'db'>,
  limit: number,
  after: PageCursor | undefined,
  overdueAt?: Date,
  filter: QueueFilter = {},
): Promise<{ items: ReviewItem[]; entries: Map<string, QueueEntry>; names: Map<string, string> }> {
  const items = await reviewQueue(ctx.db, limit, after, overdueAt, filter);
  const page = items.slice(0, limit);
  const entries = new Map<string, QueueEntry>();
  const organizationIds = [...new Set(page.map((i) => i.organization_id))];
  const organizations = organizationIds.length ? await ctx.db.selectFrom('organizations').selectAll().where('id', 'in', organizationIds).execute() : [];
  const byId = new Map(organizations.map((o) => [o.id, o]));
  const administrators = await administratorsOf(ctx.db, organizationIds);
  const previous = await latestReviews(
    ctx.db,
    page.map((i) => i.id),
  );
  for (const item of page) {
    const organization = byId.get(item.organization_id);
    const ofOrganization = administrators.get(item.organization_id) ?? [];
    entries.set(item.id, {
      item,
      organization,
      administrators: ofOrganization,
      administrator: item.kind === 'administrator' ? ofOrganization.find((a) => a.id === item.id) : undefined,
      lastReview: previous.get(item.id),
    });
  }
  const names = await actorNames(
    ctx.db,
    [...previous.values()].map((r) => ({ kind: r.actor_kind, id: r.actor_id })),
  );
  return { items, entries, names };
}

/** A profile under (or after) review, with its organization: 404 when there is none. */
export async function reviewSubject(
  ctx: Pick<AppContext, 'db'>,
  kind: ProfileKind,
  id: string,
): Promise<{ row: OrganizationRow | AdministratorRow; organization: OrganizationRow; administrators: AdministratorRow[] }> {
  const row = await getForReview(ctx.db, kind, id);
  if (!row) throw notFound(`${kind} ${id}`);
  const organization = (
    kind === 'organization' ? row : await getForReview(ctx.db, 'organization', (row as AdministratorRow).organization_id)
  ) as OrganizationRow;
  const administrators = (await administratorsOf(ctx.db, [organization.id])).get(organization.id) ?? [];
  return { row, organization, administrators };
}

/** What a decision's record is checked against: the row as read now (the activity checks again under its lock). */
async function decisionContext(ctx: Pick<AppContext, 'db'>, kind: ProfileKind, row: OrganizationRow | AdministratorRow): Promise<DecisionContext> {
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

/**
 * Opens a review for a reviewer: takes its claim for `ttl` unless another reviewer holds it (then the
 * claim says who, and until when). Claims are only for reviews still pending.
 */
export async function claimReview(ctx: Pick<AppContext, 'db'>, kind: ProfileKind, id: string, reviewer: Reviewer, ttl: Duration): Promise<ReviewClaim> {
  const now = new Date();
  return takeClaim(ctx.db, kind, id, reviewer.reviewerId, now, addDuration(now, ttl));
}

export const reviewClaim = (ctx: Pick<AppContext, 'db'>, id: string) => currentClaim(ctx.db, id, new Date());

/** Lets a review go before its claim expires (only its holder can). */
export const releaseReview = (ctx: Pick<AppContext, 'db'>, id: string, reviewer: Reviewer) => dropClaim(ctx.db, id, reviewer.reviewerId);

/**
 * A reviewer's decision (`body`: src/domain/decision-schemas.ts, with the callback or verification record).
 * While another reviewer holds the review's claim the decision is refused first (409 naming the holder and
 * the claim's end) and nothing is sent; without a claim, or with one's own, it goes to the profile's workflow,
 * which applies it under its lock (409 when no longer under review). Returns the row after the decision.
 */
export async function decideReview(
  ctx: AppContext,
  kind: ProfileKind,
  id: string,
  reviewer: Reviewer,
  body: unknown,
  claim: ClaimKey,
): Promise<OrganizationRow | AdministratorRow> {
  // From its first read to its answer: creates about to start in any API process hold back meanwhile (issue 9).
  const decide = async (): Promise<OrganizationRow | AdministratorRow> => {
    // Independent reads side by side: a decision waits for as few round trips as it can.
    const [row, held] = await Promise.all([getForReview(ctx.db, kind, id), currentClaim(ctx.db, id, new Date())]);
    if (!row) throw notFound(`${kind} ${id}`);
    if (held && held.reviewerId !== reviewer.reviewerId) {
      throw new Problem(
        409,
        'Review held by another reviewer',
        `${held.reviewerName} is reviewing this ${kind} (claimed at ${held.claimedAt.toISOString()}, until ${held.expiresAt.toISOString()}); your decision was not sent`,
        {
          type: 'https://certificate-profiles.dev/problems/review-claimed',
          members: {
            claim: {
              reviewerId: held.reviewerId,
              reviewerName: held.reviewerName,
              claimedAt: held.claimedAt.toISOString(),
              expiresAt: held.expiresAt.toISOString(),
            },
          },
        },
      );
    }
    const decision = parse(decisionBody(kind, await decisionContext(ctx, kind, row)), body);
    await ctx.workflows.update(kind, row, decideUpdate, { ...decision, actor: reviewer.actor }, await claim());
    const [, updated] = await Promise.all([dropClaim(ctx.db, id), getForReview(ctx.db, kind, id)]);
    if (!updated) throw notFound(`${kind} ${id}`);
    return updated;
  };
  return ctx.presence ? ctx.presence.during(decide) : decide();
}

/** One page of a reviewer's own decisions, newest first (rows fetched with `limit + 1`), before the review id `beforeId`. */
export async function reviewerDecisions(ctx: Pick<AppContext, 'db'>, reviewerId: string, limit: number, beforeId?: string): Promise<ProfileReviewRow[]> {
  let query = ctx.db.selectFrom('profile_reviews').selectAll().where('actor_kind', '=', 'reviewer').where('actor_id', '=', reviewerId);
  if (beforeId) query = query.where('id', '<', beforeId);
  return query
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
}

/** The live claims on some reviews, by review id (the queue shows who is working on what). */
export async function claimsOf(ctx: Pick<AppContext, 'db'>, ids: string[]): Promise<Map<string, ReviewClaim>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.db
    .selectFrom('review_claims')
    .innerJoin('reviewers', 'reviewers.id', 'review_claims.reviewer_id')
    .select(['review_claims.entity_id', 'review_claims.reviewer_id', 'reviewers.name', 'review_claims.claimed_at', 'review_claims.expires_at'])
    .where('review_claims.entity_id', 'in', ids)
    .where('review_claims.expires_at', '>', new Date())
    .execute();
  return new Map(
    rows.map((r) => [r.entity_id, { reviewerId: r.reviewer_id, reviewerName: r.name, claimedAt: new Date(r.claimed_at), expiresAt: new Date(r.expires_at) }]),
  );
}
