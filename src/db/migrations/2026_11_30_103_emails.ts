import { type Kysely, sql } from 'kysely';

// Frozen in time: migrations never import application code.
const TIMESTAMP = sql`timestamptz(3)`;

/**
 * Email notifications (issue 11). `notification_settings`: an account's language and the contacts who
 * get its emails besides the administrators. `email_messages`: one message per event and recipient,
 * rendered when the event is read from the feed and sent by its own workflow (`email:<id>`);
 * what the mail server answered is kept, a refusal included. The `emails` cursor starts here. Ids are
 * UUIDs, not serials: they name Temporal workflows (kept apart from this database, and refused once used)
 * and Message-IDs, which must never come again after a restore or in another deployment.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notification_settings')
    .addColumn('account_id', 'uuid', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    .addColumn('language', 'text', (c) => c.notNull().check(sql`language in ('en', 'zh-CN')`))
    .addColumn('contacts', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('email_messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('event_id', 'bigint', (c) => c.notNull().references('account_events.id').onDelete('cascade'))
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'sent', 'failed')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('smtp_response', 'text')
    .addColumn('workflow_started', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', TIMESTAMP)
    .addUniqueConstraint('email_messages_event_recipient', ['event_id', 'recipient'])
    .execute();
  await db.schema.createIndex('email_messages_unstarted').on('email_messages').column('created_at').where(sql.ref('workflow_started'), '=', false).execute();
  await db.schema.createIndex('email_messages_account').on('email_messages').column('account_id').execute();
  await sql`insert into outbox_cursors (name, txid, event_id) values ('emails', pg_current_xact_id(), 0)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from outbox_cursors where name = 'emails'`.execute(db);
  await db.schema.dropTable('email_messages').execute();
  await db.schema.dropTable('notification_settings').execute();
}
