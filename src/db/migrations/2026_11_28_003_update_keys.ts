import { type Kysely, sql } from 'kysely';

// Frozen in time: migrations never import application code.
const TIMESTAMP = sql`timestamptz(3)`;

/**
 * The request each Idempotency-Key of an update (resubmit, revalidate, decision) was first sent with:
 * Temporal keeps the update's result, this keeps the key from answering a different request. A key
 * belongs to an account or to a reviewer, like an API key.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('update_keys')
    .addColumn('account_id', 'uuid', (c) => c.references('accounts.id').onDelete('cascade'))
    .addColumn('reviewer_id', 'uuid', (c) => c.references('reviewers.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('update_keys_owner', sql`(account_id is null) <> (reviewer_id is null)`)
    .addUniqueConstraint('update_keys_account_key', ['account_id', 'key'])
    .addUniqueConstraint('update_keys_reviewer_key', ['reviewer_id', 'key'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('update_keys').execute();
}
