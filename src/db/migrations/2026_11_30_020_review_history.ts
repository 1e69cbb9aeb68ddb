import { type Kysely, sql } from 'kysely';

// Frozen in time: migrations never import application code.
const TIMESTAMP = sql`timestamptz(3)`;

/**
 * The review history: one row per completed review of an organization or administrator (its decision,
 * the reason, who decided, and the evidence the reviewer recorded: the callback to the organization's
 * landline, or how the administrator was confirmed). Written by the decide activity in the transaction of
 * the decision and its audit event. Like the audit trail it outlives the profile (no foreign key to it):
 * it is the CA's verification evidence (Baseline Requirements §5.5.2 keeps such records for years).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('profile_reviews')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('entity_kind', 'text', (c) => c.notNull().check(sql`entity_kind in ('organization', 'administrator')`))
    .addColumn('entity_id', 'uuid', (c) => c.notNull())
    .addColumn('submitted_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('decided_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('approved', 'rejected')`))
    .addColumn('reason', 'text')
    // As on events: a reviewer's id, or null when the service decided (an administrator rejected with its organization).
    .addColumn('actor_kind', 'text', (c) => c.notNull().check(sql`actor_kind in ('reviewer', 'system')`))
    .addColumn('actor_id', 'text')
    // The evidence: a callback to the landline, or an administrator's verification by email or phone.
    .addColumn('check_method', 'text', (c) => c.check(sql`check_method in ('callback', 'email', 'phone')`))
    .addColumn('check_contact', 'text')
    .addColumn('check_at', TIMESTAMP)
    .addColumn('check_outcome', 'text', (c) => c.check(sql`check_outcome in ('answered', 'no_answer', 'wrong_number', 'confirmed', 'no_response', 'denied')`))
    .addColumn('answered_by_name', 'text')
    .addColumn('answered_by_role', 'text')
    .addColumn('reviewer_note', 'text')
    .addCheckConstraint(
      'profile_reviews_evidence',
      sql`(check_method is null) = (check_contact is null) and (check_method is null) = (check_at is null) and (check_method is null) = (check_outcome is null)`,
    )
    .execute();
  await db.schema.createIndex('profile_reviews_entity').on('profile_reviews').columns(['entity_id', 'id']).execute();
  // An account's delete cascades here (see 2026_11_29_012_account_indexes).
  await db.schema.createIndex('profile_reviews_account').on('profile_reviews').column('account_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('profile_reviews').execute();
}
