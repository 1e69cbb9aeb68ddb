import type { Request, Response } from 'express';
import { reviewHistory } from '../../app/audit';
import { noKey } from '../../app/context';
import { claimReview, claimsOf, decideReview, releaseReview, reviewClaim, reviewerDecisions, reviewQueuePage, reviewSubject } from '../../app/reviews';
import { readPage, toPage } from '../../api/pagination';
import { administratorView, organizationView, reviewRecordView } from '../../api/views';
import { actorNames } from '../../db/principals';
import type { AdministratorRow } from '../../db/schema';
import { parseDuration } from '../../domain/duration';
import type { ProfileKind } from '../../domain/status';
import { type ConsoleContext, reviewerOf } from '../context';
import { trailOf } from '../trail';
import { fieldErrors, isFormProblem, nest } from '../forms';
import { phoneDisplay } from '../present';
import { render } from '../render';
import type { RouteTable } from '../routes';
import { fromLocalInput, toLocalInput } from '../time';

const AGES = ['1h', '4h', '1d', '3d'] as const;
const KIND_PATHS: Record<ProfileKind, string> = { organization: 'organizations', administrator: 'administrators' };

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/**
 * A decision form as the API's body: the record's empty fields left out (an untouched "who answered" is
 * no answer), the contact time read in the reviewer's time zone.
 */
function decisionBodyOf(kind: ProfileKind, form: Record<string, unknown>, timeZone: string): Record<string, unknown> {
  const sent = nest(form) as Record<string, any>;
  const record = kind === 'organization' ? sent.callback : sent.verification;
  const timeField = kind === 'organization' ? 'calledAt' : 'contactedAt';
  if (record && typeof record[timeField] === 'string') record[timeField] = fromLocalInput(record[timeField], timeZone)?.toISOString() ?? record[timeField];
  if (record?.answeredBy && !record.answeredBy.name && !record.answeredBy.role) delete record.answeredBy;
  return sent;
}

/** The CA's review desk: the queue by due time, a review with its claim and decision form, the reviewer's own history. */
export function reviewPages(table: RouteTable, ctx: ConsoleContext): void {
  const t = (res: Response) => res.locals.t;

  table.get('/reviews', 'reviewer', async (req, res) => {
    const kind = req.query.kind === 'organization' || req.query.kind === 'administrator' ? req.query.kind : undefined;
    const age = AGES.find((a) => a === req.query.age);
    const overdue = req.query.overdue === '1';
    const { limit, after } = readPage({ limit: req.query.limit ?? '50', cursor: req.query.cursor });
    const now = new Date();
    const submittedBefore = age ? new Date(now.getTime() - parseDuration(age).ms!) : undefined;
    const { items, entries } = await reviewQueuePage(ctx, limit, after, overdue ? now : undefined, { order: 'due_at', kind, submittedBefore });
    const page = toPage(
      items,
      limit,
      (i) => ({ at: new Date(i.due_at).toISOString(), id: i.id }),
      (i) => i,
    );
    const claims = await claimsOf(
      ctx,
      page.items.map((i) => i.id),
    );
    const me = reviewerOf(res).reviewerId;
    const rows = page.items.map((item) => {
      const entry = entries.get(item.id);
      const claim = claims.get(item.id);
      return {
        kind: item.kind,
        href: `/console/reviews/${KIND_PATHS[item.kind]}/${item.id}`,
        subject:
          item.kind === 'organization'
            ? entry?.organization?.name
            : entry?.administrator && `${entry.administrator.last_name} ${entry.administrator.first_name}`,
        organization: entry?.organization?.name,
        submittedAt: iso(item.submitted_at),
        dueAt: iso(item.due_at),
        overdue: new Date(item.due_at).getTime() < now.getTime(),
        resubmission: entry?.lastReview !== undefined,
        claim: claim && { name: claim.reviewerName, mine: claim.reviewerId === me, expiresAt: claim.expiresAt.toISOString() },
      };
    });
    const query = new URLSearchParams({ ...(kind ? { kind } : {}), ...(age ? { age } : {}), ...(overdue ? { overdue: '1' } : {}) });
    render(res, 'review-queue.njk', {
      title: t(res)('queue.title'),
      rows,
      filter: { kind: kind ?? '', age: age ?? '', overdue },
      ages: AGES,
      next: page.nextCursor ? `/console/reviews?${new URLSearchParams({ ...Object.fromEntries(query), cursor: page.nextCursor })}` : null,
    });
  });

  table.get('/reviews/history', 'reviewer', async (req, res) => {
    const reviewer = reviewerOf(res);
    const before = typeof req.query.before === 'string' && /^\d{1,18}$/.test(req.query.before) ? req.query.before : undefined;
    const rows = await reviewerDecisions(ctx, reviewer.reviewerId, 50, before);
    const page = rows.slice(0, 50);
    const orgIds = page.filter((r) => r.entity_kind === 'organization').map((r) => r.entity_id);
    const adminIds = page.filter((r) => r.entity_kind === 'administrator').map((r) => r.entity_id);
    const organizations = orgIds.length ? await ctx.db.selectFrom('organizations').select(['id', 'name']).where('id', 'in', orgIds).execute() : [];
    const administrators = adminIds.length
      ? await ctx.db.selectFrom('administrators').select(['id', 'first_name', 'last_name']).where('id', 'in', adminIds).execute()
      : [];
    const names = new Map<string, string>([
      ...organizations.map((o) => [o.id, o.name] as const),
      ...administrators.map((a) => [a.id, `${a.last_name} ${a.first_name}`] as const),
    ]);
    const actors = await actorNames(ctx.db, [{ kind: 'reviewer', id: reviewer.reviewerId }]);
    render(res, 'review-history.njk', {
      title: t(res)('reviewHistory.title'),
      decisions: page.map((r) => ({
        ...reviewRecordView(r, actors),
        subject: names.get(r.entity_id) ?? null,
        href: `/console/reviews/${KIND_PATHS[r.entity_kind]}/${r.entity_id}`,
      })),
      next: rows.length > 50 ? `/console/reviews/history?before=${page[page.length - 1].id}` : null,
    });
  });

  for (const kind of ['organization', 'administrator'] as const) {
    const base = `/reviews/${KIND_PATHS[kind]}/:id`;

    const reviewPage = async (req: Request, res: Response, data: Record<string, unknown> = {}, status = 200) => {
      const reviewer = reviewerOf(res);
      const id = String(req.params.id);
      const subject = await reviewSubject(ctx, kind, id);
      const pending = subject.row.status === 'under_review';
      // Reading never claims (a GET changes nothing: a reload, a prefetch, a shared link); "Take this review" does.
      const claim = await reviewClaim(ctx, id);
      const history = await reviewHistory(ctx, kind, id, undefined, 100);
      const account = await ctx.db.selectFrom('accounts').select('name').where('id', '=', subject.row.account_id).executeTakeFirst();
      const organization = subject.organization;
      const administrator = kind === 'administrator' ? (subject.row as AdministratorRow) : undefined;
      const now = toLocalInput(new Date(), res.locals.timeZone);
      const defaults =
        kind === 'organization'
          ? { callback: { number: organization.landline, calledAt: now, outcome: 'answered' } }
          : { verification: { method: 'email', contact: administrator!.email, contactedAt: now, outcome: 'confirmed' } };
      render(
        res,
        `review-${kind}.njk`,
        {
          title: t(res)(`review.${kind}Title`),
          kind,
          action: `/console${base.replace(':id', id)}`,
          pending,
          account,
          organization: organizationView(organization, subject.administrators),
          administrator: administrator && administratorView(administrator),
          landline: phoneDisplay(organization.landline, t(res)('phone.ext')),
          mobile: administrator && phoneDisplay(administrator.phone),
          claim: claim && {
            name: claim.reviewerName,
            mine: claim.reviewerId === reviewer.reviewerId,
            claimedAt: claim.claimedAt.toISOString(),
            expiresAt: claim.expiresAt.toISOString(),
          },
          reviews: history.rows.slice(0, 100).map((r) => reviewRecordView(r, history.names)),
          ...(await trailOf(ctx, req, subject.row.account_id, kind, id)),
          values: defaults,
          ...data,
        },
        status,
      );
    };

    table.get(base, 'reviewer', (req, res) => reviewPage(req, res));

    table.post(`${base}/decision`, 'reviewer', async (req, res) => {
      const body = decisionBodyOf(kind, req.body, res.locals.timeZone);
      try {
        await decideReview(ctx, kind, String(req.params.id), reviewerOf(res), body, noKey);
      } catch (error) {
        if (!isFormProblem(error)) throw error;
        const held = error.extra.members?.claim as { reviewerName: string; expiresAt: string } | undefined;
        const failure = held ? t(res)('review.heldRefused', { name: held.reviewerName }) : fieldErrors(error, res.locals.t) ? undefined : error.detail;
        return reviewPage(req, res, { values: nest(req.body), errors: fieldErrors(error, res.locals.t), failure, refusedClaim: held }, error.status);
      }
      res.redirect(303, '/console/reviews?notice=decided');
    });

    table.post(`${base}/claim`, 'reviewer', async (req, res) => {
      const id = String(req.params.id);
      const subject = await reviewSubject(ctx, kind, id);
      // Taken only while under review; one held by another reviewer stays theirs (the page says whose).
      if (subject.row.status === 'under_review') await claimReview(ctx, kind, id, reviewerOf(res), ctx.settings.reviewClaimTtl);
      res.redirect(303, `/console${base.replace(':id', id)}#claim`);
    });

    table.post(`${base}/release`, 'reviewer', async (req, res) => {
      await releaseReview(ctx, String(req.params.id), reviewerOf(res));
      res.redirect(303, '/console/reviews?notice=released');
    });
  }
}
