import { sql } from 'kysely';
import type { PageCursor } from '../../src/db/keyset';
import { reviewQueue } from '../../src/db/profile-queries';
import { ADMINISTRATOR, ORGANIZATION, approvedAdministrator, startHarness, type Api, type Harness } from '../support/harness';

// Every list paged by (timestamp, id), read a row at a time, returns each of its items once and in order,
// also when all of them share one millisecond (the id breaks the tie). A cursor is written from a JavaScript
// Date, so it is exact only because every timestamp column keeps milliseconds, as a Date does: with
// microseconds the last item of each page would come back as the first of the next, and a page of one
// item would never end. The schema test below keeps it so.

let harness: Harness;
let customer: Api;
let reviewer: Api;
let organizationId: string;
let administratorId: string;

beforeAll(async () => {
  harness = await startHarness();
  customer = await harness.customer();
  reviewer = await harness.reviewer();
  ({ organizationId, administratorId } = await approvedAdministrator(customer, reviewer));
  for (let n = 1; n <= 3; n++) {
    const created = await customer.request('POST', '/v1/organizations', { organization: { ...ORGANIZATION, name: `Keyset Paging ${n} Co., Ltd.` } });
    expect(created.status).toBe(201);
    const administrator = await customer.request('POST', `/v1/organizations/${organizationId}/administrators`, {
      ...ADMINISTRATOR,
      email: `admin${n}@example.com`,
    });
    expect(administrator.status).toBe(201);
    const domain = await customer.request('POST', `/v1/administrators/${administratorId}/domains`, {
      domain: `page${n}.example.com`,
      autoValidation: false,
      method: 'dns',
    });
    expect(domain.status).toBe(201);
    expect(
      (
        await customer.request('POST', '/v1/dns-providers', {
          kind: 'rfc2136',
          name: `Server ${n}`,
          server: '192.0.3.53',
          zone: `page${n}.example.com`,
          tsigKeyName: 'keyset-test',
          tsigAlgorithm: 'hmac-sha256',
          tsigSecret: 'c2VjcmV0IGtleSBvZiB0aGUgdGVzdA==',
        })
      ).status,
    ).toBe(201);
    expect((await customer.request('POST', '/v1/webhooks', { url: `https://hooks${n}.example.com/in` })).status).toBe(201);
  }
  // Every row inside one millisecond (microseconds asked for are rounded away), so only the id orders them.
  for (const [table, column] of [
    ['organizations', 'created_at'],
    ['organizations', 'submitted_at'],
    ['administrators', 'created_at'],
    ['administrators', 'submitted_at'],
    ['domains', 'created_at'],
    ['dns_providers', 'created_at'],
    ['webhook_endpoints', 'created_at'],
  ]) {
    await sql`
      update ${sql.table(table)} as t set ${sql.ref(column)} = timestamptz '2026-11-30 12:00:00.123+00' + interval '1 microsecond' * (1000 - n.rank)
      from (select id, rank() over (order by id) as rank from ${sql.table(table)}) as n where n.id = t.id`.execute(harness.db);
  }
});
afterAll(async () => harness?.stop());

test('every timestamp column keeps milliseconds, the precision of a cursor (a JavaScript Date)', async () => {
  const columns = await sql<{ column: string; precision: number }>`
    select table_name || '.' || column_name as column, datetime_precision as precision from information_schema.columns
    where table_schema = current_schema() and data_type like 'timestamp%' and table_name not like 'kysely_%'`.execute(harness.db);
  expect(columns.rows.length).toBeGreaterThan(20);
  expect(columns.rows.filter((c) => c.precision !== 3)).toEqual([]);
  const rounded = await sql<{ at: string }>`select created_at::text as at from domains where administrator_id = ${administratorId} limit 1`.execute(harness.db);
  expect(rounded.rows[0].at).toBe('2026-11-30 12:00:00.124+00');
});

async function readAll(api: Api, path: string): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const page: { status: number; body: { items: Array<{ id: string }>; nextCursor: string | null } } = await api.request(
      'GET',
      `${path}${path.includes('?') ? '&' : '?'}limit=1${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(page.status).toBe(200);
    seen.push(...page.body.items.map((item) => item.id));
    cursor = page.body.nextCursor;
    if (!cursor) return seen;
  }
  throw new Error(`${path}: still paging after 50 pages (${seen.length} items read)`);
}

const stored = async (table: string, column: string, where: string, value: string) =>
  (
    await sql<{ id: string }>`select id from ${sql.table(table)} where ${sql.ref(where)} = ${value} order by ${sql.ref(column)}, id`.execute(harness.db)
  ).rows.map((row) => row.id);

test.each([
  ['/v1/organizations', 'organizations', 'account_id'],
  ['/v1/organizations/{organization}/administrators', 'administrators', 'organization_id'],
  ['/v1/administrators/{administrator}/domains', 'domains', 'administrator_id'],
  ['/v1/domains', 'domains', 'account_id'],
  ['/v1/dns-providers', 'dns_providers', 'account_id'],
  ['/v1/webhooks', 'webhook_endpoints', 'account_id'],
])('%s, a row a page, gives every item once, in (created_at, id) order', async (route, table, owner) => {
  const path = route.replace('{organization}', organizationId).replace('{administrator}', administratorId);
  const ownerId = owner === 'account_id' ? customer.id : owner === 'organization_id' ? organizationId : administratorId;
  const expected = await stored(table, 'created_at', owner, ownerId);
  expect(expected.length).toBeGreaterThanOrEqual(3);
  expect(await readAll(customer, path)).toEqual(expected);
});

test('the review queue, a row a page, gives every pending submission once, oldest first', async () => {
  const pending = await sql<{ id: string }>`
    select id, submitted_at from organizations where status = 'under_review'
    union all select id, submitted_at from administrators where status = 'under_review'
    order by submitted_at, id`.execute(harness.db);
  expect(pending.rows.length).toBeGreaterThanOrEqual(6);
  expect(await readAll(reviewer, '/v1/reviews')).toEqual(pending.rows.map((row) => row.id));
});

test("the review desk's queue, soonest due first, a row a page, gives every pending submission once", async () => {
  await sql`update organizations set due_at = timestamptz '2026-12-10 12:00:00.5+00' where status = 'under_review'`.execute(harness.db);
  await sql`update administrators set due_at = timestamptz '2026-12-10 12:00:00.5+00' where status = 'under_review'`.execute(harness.db);
  const pending = await sql<{ id: string }>`
    select id, due_at from organizations where status = 'under_review'
    union all select id, due_at from administrators where status = 'under_review'
    order by due_at, id`.execute(harness.db);
  const seen: string[] = [];
  let cursor: PageCursor | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const rows = await reviewQueue(harness.db, 1, cursor, undefined, { order: 'due_at' });
    seen.push(...rows.slice(0, 1).map((row) => row.id));
    if (rows.length <= 1) break;
    cursor = { at: new Date(rows[0].due_at).toISOString(), id: rows[0].id };
  }
  expect(pending.rows.length).toBeGreaterThanOrEqual(6);
  expect(seen).toEqual(pending.rows.map((row) => row.id));
});

test('a page after a cursor whose item was deleted in between gives every later item once, in order', async () => {
  const first = await customer.request('GET', '/v1/webhooks?limit=1');
  const [gone] = first.body.items;
  expect((await customer.request('DELETE', `/v1/webhooks/${gone.id}`)).status).toBe(204);
  const rest = await customer.request('GET', `/v1/webhooks?limit=100&cursor=${first.body.nextCursor}`);
  const remaining = await stored('webhook_endpoints', 'created_at', 'account_id', customer.id);
  // The cursor holds its item's key, not a reference to the row: every later item, once and in order.
  expect(rest.body.items.map((item: { id: string }) => item.id)).toEqual(remaining);
});
