import type { Kysely } from 'kysely';

// Frozen in time: migrations never import application code.

/**
 * The first answer of an update sent with an Idempotency-Key (status and body), so a retry gets it back
 * even after the workflow moved on, continued as new or ended (a delete), not only while Temporal still
 * holds the update's result.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('update_keys').addColumn('status_code', 'integer').addColumn('body', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('update_keys').dropColumn('status_code').dropColumn('body').execute();
}
