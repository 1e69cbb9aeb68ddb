import { type Kysely, sql } from 'kysely';

// Frozen in time: migrations never import application code.

/**
 * A partial index for a count Prometheus reads at every scrape (src/db/operator-counts.ts): domains
 * needing attention. Small (only the rows in that state), so the count never reads a whole table. The
 * overdue-review counts use `<table>_review_due` (due_at, id) WHERE under_review, from the review desk's
 * migration (2026_11_30_152).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('domains_needing_attention').on('domains').column('id').where(sql.ref('needs_attention'), '=', true).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('domains_needing_attention').execute();
}
