import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { connectDatabase, type Db } from '../../src/db/connect';
import { migrateToLatest } from '../../src/db/migrate';
import { createAccount } from '../../src/db/principals';
import { announceDeliveries, fanOutEvents } from '../../src/notify/dispatch';
import { recordOutboxEvent } from '../../src/notify/outbox';
import { ADMIN_URL, createTestDatabase } from '../support/database';

/**
 * The dispatcher alone (no Temporal): every committed event becomes exactly one delivery per endpoint
 * that wants it, whatever runs concurrently or fails halfway; nothing from a rolled-back change; and a
 * wake that fails is retried by the next pass. On PostgreSQL and on PGlite.
 */
describe.each(['postgres', 'pglite'] as const)('on %s', (kind) => {
  let db: Db;
  let url: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  let accountId: string;

  beforeAll(async () => {
    const testDb = kind === 'postgres' ? await createTestDatabase() : undefined;
    url = testDb?.url;
    drop = testDb?.drop;
    db = await connectDatabase({ databaseUrl: url, dataDir: mkdtempSync(path.join(os.tmpdir(), 'cps-dispatch-')) });
    await migrateToLatest(db);
    accountId = (await createAccount(db, 'Dispatch')).accountId;
  });
  afterAll(async () => {
    await db?.destroy();
    await drop?.();
  });

  async function endpoint(eventTypes: string[] | null = null, enabled = true): Promise<string> {
    const id = randomUUID();
    await db
      .insertInto('webhook_endpoints')
      .values({
        id,
        account_id: accountId,
        url: 'https://hooks.example.com/',
        description: null,
        event_types: eventTypes && JSON.stringify(eventTypes),
        enabled,
        updated_at: new Date(),
      })
      .execute();
    return id;
  }

  const event = (type: 'organization.approved' | 'domain.failed' = 'organization.approved') =>
    db.transaction().execute((trx) => recordOutboxEvent(trx, { accountId, type, object: { kind: 'organization', id: randomUUID() }, snapshot: null }));

  const deliveriesOf = async (endpointId: string) =>
    (await db.selectFrom('webhook_deliveries').select(['event_id', 'message_id']).where('endpoint_id', '=', endpointId).orderBy('id').execute()).map(
      (d) => d.message_id,
    );
  const eventIds = async () =>
    (await db.selectFrom('account_events').select('id').where('account_id', '=', accountId).orderBy('id').execute()).map((e) => `evt_${e.id}`);

  test('each event once per endpoint that wants it, in feed order, also with passes racing; nothing before an endpoint existed', async () => {
    await event();
    const [all, approvals, off] = [await endpoint(), await endpoint(['organization.approved']), await endpoint(null, false)];
    const before = (await eventIds()).length;
    for (let i = 0; i < 6; i++) await event(i % 2 ? 'domain.failed' : 'organization.approved');
    // Several workers' passes at once: one at a time gets through, none twice.
    await Promise.all([fanOutEvents(db, 2), fanOutEvents(db, 2), fanOutEvents(db, 2), fanOutEvents(db, 2), fanOutEvents(db, 2)]);
    while ((await fanOutEvents(db, 2)) > 0);
    const after = (await eventIds()).slice(before);
    expect(await deliveriesOf(all)).toEqual(after);
    expect(await deliveriesOf(approvals)).toEqual(after.filter((_, i) => i % 2 === 0));
    expect(await deliveriesOf(off)).toEqual([]);
  });

  test('a wake that fails leaves the deliveries to announce; the next pass announces them once', async () => {
    const id = await endpoint();
    await event();
    while ((await fanOutEvents(db)) > 0);
    const woken: string[] = [];
    await expect(
      announceDeliveries(db, {
        wake: async () => {
          throw new Error('Temporal unavailable');
        },
      }),
    ).rejects.toThrow(/unavailable/);
    expect(await db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', id).where('announced', '=', false).execute()).toHaveLength(1);
    await announceDeliveries(db, { wake: async (e) => void woken.push(e.id) });
    expect(woken).toContain(id);
    woken.length = 0;
    await announceDeliveries(db, { wake: async (e) => void woken.push(e.id) });
    expect(woken).toEqual([]);
  });

  if (kind === 'postgres') {
    test('an event that commits late is fanned out after the cursor moved past its id; a rolled-back one never is', async () => {
      const id = await endpoint();
      while ((await fanOutEvents(db)) > 0);
      const late = new PgClient({ connectionString: url });
      await late.connect();
      try {
        await late.query('begin');
        const { rows } = await late.query(
          `insert into account_events (account_id, type, object_kind, object_id, snapshot) values ($1, 'domain.failed', 'domain', $2, 'null') returning id`,
          [accountId, randomUUID()],
        );
        await event();
        while ((await fanOutEvents(db)) > 0);
        expect(await deliveriesOf(id)).toEqual([]);
        await late.query('commit');
        while ((await fanOutEvents(db)) > 0);
        expect((await deliveriesOf(id))[0]).toBe(`evt_${rows[0].id}`);
        expect(await deliveriesOf(id)).toHaveLength(2);

        await late.query('begin');
        await late.query(`insert into account_events (account_id, type, object_kind, object_id, snapshot) values ($1, 'domain.failed', 'domain', $2, 'null')`, [
          accountId,
          randomUUID(),
        ]);
        await late.query('rollback');
        while ((await fanOutEvents(db)) > 0);
        expect(await deliveriesOf(id)).toHaveLength(2);
      } finally {
        await late.end();
      }
    });

    test('a transaction running in another database of the server holds nothing back; one in this database does', async () => {
      const id = await endpoint();
      while ((await fanOutEvents(db)) > 0);
      // Transaction ids are the server's: this one is in every snapshot, yet it can write nothing here.
      const elsewhere = new PgClient({ connectionString: ADMIN_URL });
      const here = new PgClient({ connectionString: url });
      await Promise.all([elsewhere.connect(), here.connect()]);
      try {
        await elsewhere.query('begin');
        await elsewhere.query('select pg_current_xact_id()');
        await event();
        expect(await fanOutEvents(db)).toBe(1);
        expect(await deliveriesOf(id)).toHaveLength(1);
        // A transaction of this database with an id may still write an event: what follows it waits.
        await here.query('begin');
        await here.query('select pg_current_xact_id()');
        await event();
        expect(await fanOutEvents(db)).toBe(0);
        await here.query('commit');
        expect(await fanOutEvents(db)).toBe(1);
        expect(await deliveriesOf(id)).toHaveLength(2);
      } finally {
        await elsewhere.query('rollback');
        await Promise.all([elsewhere.end(), here.end()]);
      }
    });
  }
});
