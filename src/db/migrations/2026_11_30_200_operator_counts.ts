import { type Kysely, sql } from 'kysely';

// Frozen in time: migrations never import application code.

/**
 * Partial indexes for the counts Prometheus reads at every scrape (src/db/operator-counts.ts): reviews
 * past their due time, and domains needing attention. Small (only the rows in those states), so the
 * counts never read a whole table.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['organizations', 'administrators']) {
    await db.schema.createIndex(`${table}_review_due`).on(table).column('due_at').where(sql.ref('status'), '=', 'under_review').execute();
  }
  await db.schema.createIndex('domains_needing_attention').on('domains').column('id').where(sql.ref('needs_attention'), '=', true).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['organizations_review_due', 'administrators_review_due', 'domains_needing_attention']) await db.schema.dropIndex(index).execute();
}
