import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import { connectDatabase, type Db } from '../../src/db/connect';
import { migrateToLatest } from '../../src/db/migrate';
import { operatorCounts, operatorCountsQuery } from '../../src/db/operator-counts';
import { reviewQueueQuery } from '../../src/db/profile-queries';
import { createTestDatabase } from '../support/database';

/**
 * Issue 9: every foreign key an account delete cascades through is backed by an index that leads with
 * its column, so the cascade never scans a whole table; and the review queue is read by keyset on its
 * partial indexes, not by reading every pending row.
 */
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await connectDatabase({ databaseUrl: database.url, dataDir: '/tmp' });
  await migrateToLatest(db);
});
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

test('each foreign key column has an index that leads with it', async () => {
  const { rows } = await sql<{ table: string; column: string; indexed: boolean }>`
    select c.conrelid::regclass::text as table, a.attname as column,
           exists (select 1 from pg_index i where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1]) as indexed
    from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    where c.contype = 'f' and c.confrelid = 'accounts'::regclass`.execute(db);
  expect(rows.length).toBeGreaterThanOrEqual(8);
  expect(rows.filter((r) => !r.indexed).map((r) => `${r.table}.${r.column}`)).toEqual([]);
});

test("the review queue's plan reads each table by its partial index, with a limit (no scan of every pending row)", async () => {
  // On an empty table the planner would rather scan it; forbidding that shows whether the query can use the indexes at all.
  await sql`set enable_seqscan = off`.execute(db);
  for (const [cursor, overdueAt] of [
    [undefined, undefined],
    [{ at: new Date().toISOString(), id: randomUUID() }, new Date()],
  ] as const) {
    const query = reviewQueueQuery(db, 20, cursor, overdueAt).compile();
    const { rows } = await db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]));
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/organizations_review_queue/);
    expect(plan).toMatch(/administrators_review_queue/);
    expect(plan).not.toMatch(/Seq Scan/);
  }
});

test('the counts Prometheus reads at every scrape use partial indexes only (no scan of a table)', async () => {
  await sql`set enable_seqscan = off`.execute(db);
  const query = operatorCountsQuery(new Date()).compile(db);
  const { rows } = await db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]));
  const plans = rows.map((r) => r['QUERY PLAN']);
  const plan = plans.join('\n');
  for (const index of ['organizations_review_due', 'administrators_review_due', 'domains_needing_attention']) expect(plan).toContain(index);
  expect(plan).not.toMatch(/Seq Scan/);
  // And the counts themselves, on an empty database.
  expect(await operatorCounts(db, new Date())).toEqual({
    backlog: { organization: 0, administrator: 0 },
    overdue: { organization: 0, administrator: 0 },
    domainsNeedingAttention: 0,
  });
});
