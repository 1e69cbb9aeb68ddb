import type { Kysely } from 'kysely';

// Frozen in time: migrations never import application code.

/** Why a domain needs attention, naming the side at fault ("CA side: …" / "customer side: …"). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('domains').addColumn('attention_reason', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('domains').dropColumn('attention_reason').execute();
}
