import type { Kysely } from 'kysely';

// Frozen in time: migrations never import application code.

/**
 * A name for each API key, so the audit trail can say which key made a change ("deploy-bot"), not only
 * its id. Keys created before have the name an account's first key gets: "default".
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('api_keys')
    .addColumn('name', 'text', (c) => c.notNull().defaultTo('default'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_keys').dropColumn('name').execute();
}
