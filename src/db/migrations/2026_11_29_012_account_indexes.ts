import type { Kysely } from 'kysely';

// Frozen in time: migrations never import application code.

/**
 * An account's delete cascades (ON DELETE CASCADE) to every table that names it; without an index on
 * account_id each cascade scans the whole table under the delete's locks. Tables whose primary key,
 * unique constraint or paging index already leads with account_id are not listed.
 */
const TABLES = ['api_keys', 'administrators', 'events', 'dcv_checks'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) await db.schema.createIndex(`${table}_account`).on(table).column('account_id').ifNotExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) await db.schema.dropIndex(`${table}_account`).ifExists().execute();
}
