import { type Kysely, sql } from 'kysely';

// Frozen in time: migrations never import application code.

/**
 * Idempotency-Keys expire (IDEMPOTENCY_KEY_RETENTION): the hourly pass finds old keys by `created_at`
 * without reading either table whole. `fingerprint_version` tells the fingerprints an earlier release
 * computed (1: the router's own path; rows it still writes during a rolling upgrade get the default too)
 * from the full path's (2, written explicitly), so only an earlier key matches the earlier form.
 * A DNS provider's delete asks which domains use it, under the account's lock: indexed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['idempotency_keys', 'update_keys']) {
    await db.schema
      .alterTable(table)
      .addColumn('fingerprint_version', 'smallint', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.createIndex(`${table}_created_at`).on(table).column('created_at').execute();
  }
  await db.schema.createIndex('domains_dns_provider_id').on('domains').column('dns_provider_id').where(sql.ref('dns_provider_id'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('domains_dns_provider_id').execute();
  for (const table of ['idempotency_keys', 'update_keys']) {
    await db.schema.dropIndex(`${table}_created_at`).execute();
    await db.schema.alterTable(table).dropColumn('fingerprint_version').execute();
  }
}
