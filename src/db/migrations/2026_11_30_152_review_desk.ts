import { type Kysely, sql } from 'kysely';

// Frozen in time: migrations never import application code.
const TIMESTAMP = sql`timestamptz(3)`;

/**
 * The review desk (issue 10). A claim says which reviewer is working on a pending review, until it
 * expires; a decision by another reviewer while it holds is refused. The desk's queue is ordered by due
 * time, read on partial indexes like the API's queue on submission time; a reviewer's own history is read
 * by actor.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('review_claims')
    .addColumn('entity_id', 'uuid', (c) => c.primaryKey())
    .addColumn('entity_kind', 'text', (c) => c.notNull().check(sql`entity_kind in ('organization', 'administrator')`))
    .addColumn('reviewer_id', 'uuid', (c) => c.notNull().references('reviewers.id').onDelete('cascade'))
    .addColumn('claimed_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('expires_at', TIMESTAMP, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('review_claims_reviewer').on('review_claims').column('reviewer_id').execute();
  for (const table of ['organizations', 'administrators']) {
    await db.schema.createIndex(`${table}_review_due`).on(table).columns(['due_at', 'id']).where(sql.ref('status'), '=', 'under_review').execute();
  }
  await db.schema.createIndex('profile_reviews_actor').on('profile_reviews').columns(['actor_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('profile_reviews_actor').execute();
  for (const table of ['organizations', 'administrators']) await db.schema.dropIndex(`${table}_review_due`).execute();
  await db.schema.dropTable('review_claims').execute();
}
