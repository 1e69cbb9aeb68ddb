import { type Kysely, sql } from 'kysely';

// Frozen in time: migrations never import application code.

/**
 * One value sealed with the SECRET_KEY of the first process that started on this database
 * (src/db/secret-key-check.ts): a process started with another key finds it cannot open it and refuses to
 * run, instead of failing each task that reads a sealed secret or a payload sealed by the others.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('secret_key_check')
    .addColumn('id', 'smallint', (c) =>
      c
        .primaryKey()
        .defaultTo(1)
        .check(sql`id = 1`),
    )
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('secret_key_check').execute();
}
