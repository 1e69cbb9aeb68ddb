import { type Kysely, sql } from 'kysely';

// Frozen in time: migrations never import application code.
// Millisecond precision, as JavaScript dates have: keyset cursors then round-trip exactly.
const TIMESTAMP = sql`timestamptz(3)`;
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('reviewers')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('customer', 'reviewer')`))
    .addColumn('account_id', 'uuid', (c) => c.references('accounts.id').onDelete('cascade'))
    .addColumn('reviewer_id', 'uuid', (c) => c.references('reviewers.id').onDelete('cascade'))
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('api_keys_owner', sql`(role = 'customer') = (account_id is not null) and (role = 'reviewer') = (reviewer_id is not null)`)
    .execute();

  const reviewed = (table: string) =>
    db.schema
      .createTable(table)
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('under_review', 'approved', 'rejected', 'expiring', 'expired')`))
      .addColumn('submitted_at', TIMESTAMP, (c) => c.notNull())
      .addColumn('due_at', TIMESTAMP, (c) => c.notNull())
      .addColumn('approved_at', TIMESTAMP)
      .addColumn('valid_until', TIMESTAMP)
      .addColumn('rejection_reason', 'text')
      .addColumn('workflow_started', 'boolean', (c) => c.notNull().defaultTo(false))
      .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`));

  await reviewed('organizations')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('department', 'text')
    .addColumn('country', 'char(2)', (c) => c.notNull())
    .addColumn('province', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('postal_code', 'text')
    .addColumn('landline', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('organizations_account_page').on('organizations').columns(['account_id', 'created_at', 'id']).execute();

  await reviewed('administrators')
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('position', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('administrators_organization_page').on('administrators').columns(['organization_id', 'created_at', 'id']).execute();

  for (const table of ['organizations', 'administrators']) {
    await db.schema.createIndex(`${table}_review_queue`).on(table).columns(['submitted_at', 'id']).where(sql.ref('status'), '=', 'under_review').execute();
    await db.schema.createIndex(`${table}_unstarted`).on(table).column('created_at').where(sql.ref('workflow_started'), '=', false).execute();
  }

  // The audit trail outlives what it describes (a deleted organization keeps its history), so no foreign key to the entity.
  await db.schema
    .createTable('events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('entity_kind', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'uuid', (c) => c.notNull())
    .addColumn('at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor_kind', 'text', (c) => c.notNull().check(sql`actor_kind in ('customer', 'reviewer', 'system')`))
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .addColumn('note', 'text')
    .execute();
  await db.schema.createIndex('events_entity').on('events').columns(['entity_id', 'id']).execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('body', 'jsonb')
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['account_id', 'key'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['idempotency_keys', 'events', 'administrators', 'organizations', 'api_keys', 'reviewers', 'accounts']) {
    await db.schema.dropTable(table).execute();
  }
}
