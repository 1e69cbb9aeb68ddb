import { type Kysely, sql } from 'kysely';

// Frozen in time: migrations never import application code.
const TIMESTAMP = sql`timestamptz(3)`;

/**
 * A member an owner removes keeps their row, marked removed (without password, sessions or a sign-in
 * address), so the audit trail and the API keys they made still name them: deleting the row turned their
 * changes into an anonymous "customer".
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('removed_at', TIMESTAMP).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('removed_at').execute();
}
