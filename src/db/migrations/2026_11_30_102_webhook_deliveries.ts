import { type Kysely, sql } from 'kysely';

// Frozen in time: migrations never import application code.
const TIMESTAMP = sql`timestamptz(3)`;

/**
 * Webhook deliveries (issue 11): one row per message to an endpoint (an event, a redelivery of one, a
 * test), created by the dispatcher from the account event feed and attempted in order by the endpoint's
 * delivery workflow; the retry schedule lives here (`attempts`, `next_attempt_at`), so a worker that
 * dies loses nothing. `announced` is set once the endpoint's workflow was woken for it: the dispatcher
 * wakes again for any pending row still unannounced (a crash or an outage between the two steps).
 * Every attempt is kept with what the endpoint answered; `operation_id` lets an attempt retried after
 * its commit return what it recorded.
 *
 * `outbox_cursors` is how far each consumer of the feed (webhooks here, emails later) has read it, in
 * feed order (txid, id). It starts at this migration: events written before it are not sent.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('endpoint_id', 'uuid', (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('event_id', 'bigint', (c) => c.references('account_events.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('event', 'redelivery', 'test')`))
    .addColumn('message_id', 'text', (c) => c.notNull())
    // A test message's body; events are rendered from the feed.
    .addColumn('payload', 'jsonb')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'delivered', 'failed')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('announced', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', TIMESTAMP)
    .addCheckConstraint('webhook_deliveries_message', sql`(kind = 'test') = (event_id is null) and (kind = 'test') = (payload is not null)`)
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_event')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'event_id'])
    .unique()
    .where(sql.ref('kind'), '=', 'event')
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_pending')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'id'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_unannounced')
    .on('webhook_deliveries')
    .column('endpoint_id')
    .where(sql<boolean>`status = 'pending' and not announced`)
    .execute();
  await db.schema.createIndex('webhook_deliveries_account').on('webhook_deliveries').column('account_id').execute();
  await db.schema.createIndex('webhook_deliveries_page').on('webhook_deliveries').columns(['endpoint_id', 'id']).execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('delivery_id', 'bigint', (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
    .addColumn('at', TIMESTAMP, (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('response_body', 'text')
    .addColumn('operation_id', 'text', (c) => c.unique())
    .execute();
  await db.schema.createIndex('webhook_attempts_delivery').on('webhook_attempts').columns(['delivery_id', 'id']).execute();

  await db.schema
    .createTable('outbox_cursors')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('txid', sql`xid8`, (c) => c.notNull())
    .addColumn('event_id', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into outbox_cursors (name, txid, event_id) values ('webhooks', pg_current_xact_id(), 0)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('outbox_cursors').execute();
  await db.schema.dropTable('webhook_attempts').execute();
  await db.schema.dropTable('webhook_deliveries').execute();
}
