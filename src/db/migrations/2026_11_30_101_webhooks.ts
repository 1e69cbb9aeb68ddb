import { type Kysely, sql } from 'kysely';

// Frozen in time: migrations never import application code.
const TIMESTAMP = sql`timestamptz(3)`;

/**
 * Webhook endpoints (issue 11, Standard Webhooks): where an account's events are sent, which types, and
 * the signing secrets, encrypted at rest like DNS provider secrets. A rotated-out secret keeps signing
 * beside the new one until `expires_at`; the current one has none.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    // Null: every event type.
    .addColumn('event_types', 'jsonb')
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('disabled_reason', 'text')
    .addColumn('disabled_at', TIMESTAMP)
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('webhook_endpoints_account_page').on('webhook_endpoints').columns(['account_id', 'created_at', 'id']).execute();
  await db.schema
    .createTable('webhook_secrets')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('endpoint_id', 'uuid', (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', TIMESTAMP)
    .execute();
  await db.schema.createIndex('webhook_secrets_endpoint').on('webhook_secrets').columns(['endpoint_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_secrets').execute();
  await db.schema.dropTable('webhook_endpoints').execute();
}
