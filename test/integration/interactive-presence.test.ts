import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { interactivePresence, PRESENCE_APPLICATION, PRESENCE_CHANNEL, type InteractivePresence } from '../../src/db/interactive-presence';
import { createTestDatabase } from '../support/database';

/**
 * Issue 9 (decision latency under a burst of creates): API processes on one PostgreSQL database tell each
 * other when they have interactive requests in progress (LISTEN/NOTIFY), so every process's creates hold
 * back for a decision wherever it runs. Each presence here stands for one API process.
 */
let database: { url: string; drop(): Promise<void> };
let admin: PgClient;
const presences: InteractivePresence[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new PgClient({ connectionString: database.url });
  await admin.connect();
});
afterAll(async () => {
  await Promise.all(presences.map((p) => p.close()));
  await admin?.end();
  await database?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function listening(count: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await admin.query('select count(*)::int as n from pg_stat_activity where application_name = $1 and datname = current_database()', [
      PRESENCE_APPLICATION,
    ]);
    if (rows[0].n >= count) return;
    await sleep(25);
  }
  throw new Error(`${count} presence listeners never connected`);
}

function presence(): InteractivePresence {
  const p = interactivePresence({ databaseUrl: database.url });
  presences.push(p);
  return p;
}

/** Milliseconds `quiet(maxWaitMs)` took. */
async function quietAfter(p: InteractivePresence, maxWaitMs: number): Promise<number> {
  const started = Date.now();
  await p.quiet(maxWaitMs);
  return Date.now() - started;
}

/** Until `p` has heard a peer's busy announcement (its trip through PostgreSQL). */
async function heard(p: InteractivePresence): Promise<void> {
  const until = Date.now() + 5_000;
  while (Date.now() < until) {
    if ((await quietAfter(p, 60)) >= 50) return;
    await sleep(20); // quiet at once: let the notification in
  }
  throw new Error('no busy announcement arrived');
}

/** Once `p` has heard a busy peer: a `quiet(maxWaitMs)` that is checked to be still waiting 200 ms later. */
async function heldBy(p: InteractivePresence, maxWaitMs: number): Promise<{ waiting: Promise<void> }> {
  await heard(p);
  let quiet = false;
  const waiting = p.quiet(maxWaitMs).then(() => void (quiet = true));
  await sleep(200);
  expect(quiet).toBe(false);
  return { waiting }; // wrapped: an async function's returned promise would be awaited with it
}

/** Runs an interactive request in `p` until `end()`. */
function requestIn(p: InteractivePresence): { end(): void; done: Promise<void> } {
  let end!: () => void;
  const done = p.during(() => new Promise<void>((resolve) => (end = resolve)));
  return { end: () => end(), done };
}

test("one process's interactive request holds another's creates until it ends; idle, nothing waits", async () => {
  const [a, b] = [presence(), presence()];
  await listening(presences.length);
  expect(await quietAfter(b, 5_000)).toBeLessThan(100);

  const request = requestIn(a);
  const { waiting } = await heldBy(b, 5_000);
  const ended = Date.now();
  request.end();
  await request.done;
  await waiting;
  expect(Date.now() - ended).toBeLessThan(1_000);
});

test('a peer that goes silent while busy (its process died mid-request) counts as idle after three seconds', async () => {
  const b = presence();
  await listening(presences.length);
  const ghost = JSON.stringify({ from: randomUUID(), busy: true });
  const sent = Date.now();
  await admin.query('select pg_notify($1, $2)', [PRESENCE_CHANNEL, ghost]);
  await heard(b);
  await b.quiet(10_000);
  expect(Date.now() - sent).toBeGreaterThanOrEqual(2_500);
  expect(Date.now() - sent).toBeLessThan(5_000);
});

test("others' messages on the channel are ignored; a lost listener connection counts peers as idle, then hears them again", async () => {
  const [a, b] = [presence(), presence()];
  await listening(presences.length);
  await admin.query('select pg_notify($1, $2)', [PRESENCE_CHANNEL, 'not json']);
  await admin.query('select pg_notify($1, $2)', [PRESENCE_CHANNEL, JSON.stringify({ from: randomUUID(), busy: 'yes' })]);
  await admin.query('select pg_notify($1, $2)', [PRESENCE_CHANNEL, JSON.stringify({ from: 'not-a-process-id', busy: true })]);
  await sleep(100);
  expect(await quietAfter(b, 5_000)).toBeLessThan(100);

  const request = requestIn(a);
  try {
    const { waiting } = await heldBy(b, 10_000);
    // Every listener loses its connection: what b knew of a is void, its creates stop waiting at once.
    const terminated = Date.now();
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and datname = current_database()', [
      PRESENCE_APPLICATION,
    ]);
    await waiting;
    expect(Date.now() - terminated).toBeLessThan(2_000);
    // Both reconnect within seconds, and a's next announcement (once a second while busy) reaches b again.
    const until = Date.now() + 8_000;
    let held = 0;
    while (Date.now() < until && (held = await quietAfter(b, 300)) < 250) await sleep(100);
    expect(held).toBeGreaterThanOrEqual(250);
  } finally {
    request.end();
    await request.done;
  }
});
