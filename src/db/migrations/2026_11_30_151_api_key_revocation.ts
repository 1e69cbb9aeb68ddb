import { type Kysely, sql } from 'kysely';

// Frozen in time: migrations never import application code.
const TIMESTAMP = sql`timestamptz(3)`;

/**
 * Customers create and revoke their API keys in the console (issue 10). A revoked key authenticates no
 * more but its row stays, so the audit trail still names the key its changes were made with; the key
 * records the console user who created it (none for keys made by the CLI).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('api_keys')
    .addColumn('revoked_at', TIMESTAMP)
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_keys').dropColumn('created_by').dropColumn('revoked_at').execute();
}
