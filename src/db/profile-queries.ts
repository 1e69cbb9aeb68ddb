import { sql } from 'kysely';
import { afterCursor as after, type PageCursor } from './keyset';
import type { ProfileKind, ProfileStatus } from '../domain/status';
import type { Db } from './connect';
import type { AdministratorRow, EventRow, OrganizationRow } from './schema';

export async function getOrganization(db: Db, accountId: string, id: string): Promise<OrganizationRow | undefined> {
  return db.selectFrom('organizations').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}

/** Does the account hold any organization yet? (Its first needs an administrator.) */
export async function hasOrganizations(db: Db, accountId: string): Promise<boolean> {
  return (await db.selectFrom('organizations').select('id').where('account_id', '=', accountId).limit(1).executeTakeFirst()) !== undefined;
}

export async function listOrganizations(db: Db, accountId: string, limit: number, cursor?: PageCursor, status?: ProfileStatus): Promise<OrganizationRow[]> {
  let query = db.selectFrom('organizations').selectAll().where('account_id', '=', accountId);
  if (status) query = query.where('status', '=', status);
  return after(query, 'created_at', cursor)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit + 1)
    .execute();
}

export async function administratorsOf(db: Db, organizationIds: string[]): Promise<Map<string, AdministratorRow[]>> {
  const byOrganization = new Map<string, AdministratorRow[]>(organizationIds.map((id) => [id, []]));
  if (organizationIds.length === 0) return byOrganization;
  const rows = await db.selectFrom('administrators').selectAll().where('organization_id', 'in', organizationIds).orderBy('created_at').orderBy('id').execute();
  for (const row of rows) byOrganization.get(row.organization_id)?.push(row);
  return byOrganization;
}

export async function getAdministrator(db: Db, accountId: string, id: string): Promise<AdministratorRow | undefined> {
  return db.selectFrom('administrators').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}

export async function listAdministrators(db: Db, organizationId: string, limit: number, cursor?: PageCursor): Promise<AdministratorRow[]> {
  const query = db.selectFrom('administrators').selectAll().where('organization_id', '=', organizationId);
  return after(query, 'created_at', cursor)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit + 1)
    .execute();
}

/** Reviewers see every account's objects. */
export async function getForReview(db: Db, kind: ProfileKind, id: string): Promise<OrganizationRow | AdministratorRow | undefined> {
  return kind === 'organization'
    ? db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst()
    : db.selectFrom('administrators').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface ReviewItem {
  kind: ProfileKind;
  id: string;
  account_id: string;
  organization_id: string;
  submitted_at: Date;
  due_at: Date;
}

/** The review desk's narrower views of the queue. */
export interface QueueFilter {
  /** `submitted_at` (the API's order, default) or `due_at` (the review desk's: what is due first comes first). */
  order?: 'submitted_at' | 'due_at';
  /** One kind only. */
  kind?: ProfileKind;
  /** Only submissions older than this (the desk's age filter). */
  submittedBefore?: Date;
}

/**
 * The pending queue across accounts, oldest submission first (or soonest due, `filter.order`); `overdueAt`
 * keeps only reviews past their due time. Keyset-paged in each table on its partial index (submitted_at,
 * id) or (due_at, id) WHERE under_review, so a page reads about `limit` rows of each table however long
 * the queue is; the two pages are then merged. The cursor is the last item's (order column, id).
 */
export async function reviewQueue(db: Db, limit: number, cursor?: PageCursor, overdueAt?: Date, filter: QueueFilter = {}): Promise<ReviewItem[]> {
  return reviewQueueQuery(db, limit, cursor, overdueAt, filter).execute() as Promise<ReviewItem[]>;
}

/** The query reviewQueue runs (exposed so a test can check its plan). */
export function reviewQueueQuery(db: Db, limit: number, cursor?: PageCursor, overdueAt?: Date, filter: QueueFilter = {}) {
  const order = filter.order ?? 'submitted_at';
  const page = <T extends 'organizations' | 'administrators'>(table: T, kind: ProfileKind, organizationId: string) => {
    let query = db
      .selectFrom(table as 'organizations')
      .select([
        sql<ProfileKind>`${sql.lit(kind)}`.as('kind'),
        'id',
        'account_id',
        sql<string>`${sql.ref(organizationId)}`.as('organization_id'),
        'submitted_at',
        'due_at',
      ])
      .where('status', '=', 'under_review');
    if (overdueAt) query = query.where('due_at', '<', overdueAt);
    if (filter.submittedBefore) query = query.where('submitted_at', '<', filter.submittedBefore);
    return after(query, order, cursor)
      .orderBy(order)
      .orderBy('id')
      .limit(limit + 1);
  };
  const organizations = db.selectFrom(page('organizations', 'organization', 'id').as('o')).selectAll();
  const administrators = db.selectFrom(page('administrators', 'administrator', 'organization_id').as('a')).selectAll();
  const pages = filter.kind === 'organization' ? organizations : filter.kind === 'administrator' ? administrators : organizations.unionAll(administrators);
  return db
    .selectFrom(pages.as('queue'))
    .selectAll()
    .orderBy(order)
    .orderBy('id')
    .limit(limit + 1);
}

/**
 * One page of an entity's events (`kind` and id: an organization's id under /domains is no domain),
 * `limit + 1` rows (one more tells that another page exists): oldest first after the event id
 * `page.after`, or with `page.newest` newest first, before the event id `page.before`.
 */
export async function listEvents(
  db: Db,
  accountId: string,
  kind: EventRow['entity_kind'],
  entityId: string,
  limit: number,
  page: { after?: string } | { newest: true; before?: string } = {},
) {
  let query = db.selectFrom('events').selectAll().where('account_id', '=', accountId).where('entity_kind', '=', kind).where('entity_id', '=', entityId);
  if ('newest' in page) {
    if (page.before) query = query.where('id', '<', page.before);
    return query
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
  }
  if (page.after) query = query.where('id', '>', page.after);
  return query
    .orderBy('id')
    .limit(limit + 1)
    .execute();
}
