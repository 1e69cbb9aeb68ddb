import { type Kysely, sql } from 'kysely';

// Frozen in time: migrations never import application code.
const TIMESTAMP = sql`timestamptz(3)`;

/**
 * The account event feed and outbox (issue 11): one row per public event (`organization.approved`,
 * `domain.needs_attention`, …), written in the transaction of the change that causes it, with a
 * snapshot of the object as it was then. A table of its own rather than a view of `events`: the audit
 * trail keeps internal steps as before → after deltas, while the feed is a public contract that needs
 * the whole object at that moment (it may change or be deleted later) and a commit-ordered cursor.
 *
 * `txid` is the writing transaction's id: readers page by (txid, id) and see only rows older than every
 * transaction still running (`pg_snapshot_xmin`), so a row that commits late is never skipped by a
 * cursor that has moved past its id. `audit_event_id` ties a row to the audit event of its change (one
 * feed event per change, also when an activity is retried); `notice_key` does the same for notices that
 * are not a status change (an approval 7 days before it expires).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('account_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('txid', sql`xid8`, (c) => c.notNull().defaultTo(sql`pg_current_xact_id()`))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('object_kind', 'text', (c) => c.notNull())
    .addColumn('object_id', 'uuid', (c) => c.notNull())
    .addColumn('at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('snapshot', 'jsonb', (c) => c.notNull())
    .addColumn('audit_event_id', 'bigint', (c) => c.unique())
    .addColumn('notice_key', 'text', (c) => c.unique())
    .execute();
  await db.schema.createIndex('account_events_feed').on('account_events').columns(['account_id', 'txid', 'id']).execute();
  await db.schema.createIndex('account_events_feed_type').on('account_events').columns(['account_id', 'type', 'txid', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('account_events').execute();
}
