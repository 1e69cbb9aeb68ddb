import { type Kysely, sql } from 'kysely';

// Frozen in time: migrations never import application code.
const TIMESTAMP = sql`timestamptz(3)`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('dns_providers')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('rfc2136', 'dnspod')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('settings', 'jsonb', (c) => c.notNull())
    .addColumn('secret_ciphertext', 'text', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('dns_providers_account_page').on('dns_providers').columns(['account_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('domains')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('administrator_id', 'uuid', (c) => c.notNull().references('administrators.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull().check(sql`method in ('dns_cname', 'file_proxy', 'dns_provider', 'dns_txt', 'file')`))
    .addColumn('dns_provider_id', 'uuid', (c) => c.references('dns_providers.id').onDelete('restrict'))
    .addColumn('delegation_label', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'verifying', 'validated', 'failed', 'expired')`))
    .addColumn('random_value', 'text', (c) => c.notNull())
    .addColumn('random_value_expires_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('validated_at', TIMESTAMP)
    .addColumn('valid_until', TIMESTAMP)
    .addColumn('br_method', 'text')
    .addColumn('br_version', 'text')
    .addColumn('needs_attention', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('failure_reason', 'text')
    .addColumn('last_check', 'jsonb')
    .addColumn('last_precheck_at', TIMESTAMP)
    .addColumn('workflow_started', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('domains_account_name', ['account_id', 'name'])
    .execute();
  await db.schema.createIndex('domains_account_page').on('domains').columns(['account_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('domains_administrator').on('domains').column('administrator_id').execute();
  await db.schema.createIndex('domains_unstarted').on('domains').column('created_at').where(sql.ref('workflow_started'), '=', false).execute();

  // Every check, with each perspective's result and the quorum: the CA's evidence (BR §5.4.1).
  await db.schema
    .createTable('dcv_checks')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('domain_id', 'uuid', (c) => c.notNull())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('precheck', 'recheck', 'scan')`))
    .addColumn('at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('passed', 'boolean', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('quorum', 'jsonb', (c) => c.notNull())
    .addColumn('results', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dcv_checks_domain').on('dcv_checks').columns(['domain_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['dcv_checks', 'domains', 'dns_providers']) await db.schema.dropTable(table).execute();
}
