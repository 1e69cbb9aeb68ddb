import type { AddressInfo } from 'node:net';
import express from 'express';
import { bulkLane } from '../../src/api/bulk-lane';
import { interactivePresence } from '../../src/db/interactive-presence';
import { requestDeadline } from '../../src/api/deadline';
import { problemHandler } from '../../src/api/problem';

/**
 * The bulk lane on a real HTTP server: one slot, a 1 s request deadline (the lane gives up 100 ms before it);
 * 30 s for the create that holds the slot and for the `/slow` creates. An interactive request (`/decide/:n`)
 * runs until the test ends it; creates hold back for it for at most 400 ms.
 */
let server: ReturnType<express.Express['listen']>;
let url: string;
let releaseHeld: () => void = () => undefined;
let releaseStuck: () => void = () => undefined;
let releaseAnswered: () => void = () => undefined;
const presence = interactivePresence();
const decisions = new Map<string, () => void>();
const YIELD_MAX_MS = 400;
/** The `/slow` creates whose handler ran. */
const ran: string[] = [];

beforeAll(async () => {
  const app = express();
  // The held create has time to spare, so a slow machine cannot let its own deadline pass before it is released.
  const [spacious, tight] = [requestDeadline(30_000), requestDeadline(1000)];
  app.use((req, res, next) => (req.path === '/create/held' || req.path.startsWith('/slow/') ? spacious : tight)(req, res, next));
  const lane = bulkLane(1, presence, YIELD_MAX_MS);
  app.post(
    '/create/:n',
    lane(async (req, res) => {
      if (req.params.n === 'held') await new Promise<void>((resolve) => (releaseHeld = resolve));
      res.status(201).json({ n: req.params.n });
    }),
  );
  app.post(
    '/stuck/:n',
    lane(async (req, res) => {
      await new Promise<void>((resolve) => (releaseStuck = resolve));
      if (!res.headersSent) res.status(201).json({ n: req.params.n });
    }),
  );
  // Answers at once, then goes on (as a create starting its workflows does) until the test releases it.
  app.post(
    '/answered/:n',
    lane(async (req, res) => {
      res.status(201).json({ n: req.params.n });
      await new Promise<void>((resolve) => (releaseAnswered = resolve));
    }),
  );
  const patientLane = bulkLane(1, presence, 10_000);
  app.post(
    '/patient/:n',
    patientLane((req, res) => void res.status(201).json({ n: req.params.n })),
  );
  // A slow step before the lane (an API key's lookup waiting for a pooled connection).
  app.post('/late/:n', (_req, _res, next) => void setTimeout(next, 200));
  app.post(
    '/late/:n',
    lane((req, res) => {
      ran.push(String(req.params.n));
      res.status(201).json({ n: req.params.n });
    }),
  );
  app.post(
    '/slow/:n',
    lane((req, res) => {
      ran.push(String(req.params.n));
      res.status(201).json({ n: req.params.n, at: Date.now() });
    }),
  );
  app.post('/decide/:n', async (req, res) => {
    await presence.during(() => new Promise<void>((resolve) => decisions.set(req.params.n, resolve)));
    res.json({ decided: req.params.n });
  });
  app.get('/read', (_req, res) => res.json({ ok: true }));
  app.use(problemHandler);
  await new Promise<void>((resolve) => (server = app.listen(0, '127.0.0.1', () => resolve())));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await presence.close();
  await new Promise((resolve) => server.close(resolve));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends a create and hangs up after `afterMs` (the client's fetch is aborted). */
async function hangUp(path: string, afterMs: number): Promise<void> {
  const client = new AbortController();
  const answer = fetch(`${url}${path}`, { method: 'POST', signal: client.signal }).catch(() => 'aborted');
  await sleep(afterMs);
  client.abort();
  expect(await answer).toBe('aborted');
}

/** Sends an interactive request and waits until it is in progress. */
async function decisionInProgress(n: string): Promise<{ end(): Promise<void> }> {
  const answer = fetch(`${url}/decide/${n}`, { method: 'POST' });
  while (!decisions.has(n)) await sleep(5);
  return {
    async end() {
      decisions.get(n)!();
      expect((await answer).status).toBe(200);
    },
  };
}

test('a create waiting for the lane past its deadline answers 503 with Retry-After; reads never wait; the slot frees when the first answers', async () => {
  const held = fetch(`${url}/create/held`, { method: 'POST' });
  await new Promise((r) => setTimeout(r, 10));
  const waiting = fetch(`${url}/create/waiting`, { method: 'POST' });

  const read = await fetch(`${url}/read`);
  expect(read.status).toBe(200);

  const refused = await waiting;
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(((await refused.json()) as { detail: string }).detail).toMatch(/creates are in progress/);

  // Released before its own deadline: the first create completes, and its slot goes to the next.
  releaseHeld();
  expect((await held).status).toBe(201);
  const next = await fetch(`${url}/create/next`, { method: 'POST' });
  expect(next.status).toBe(201);
});

test('a create that has its place waits while an interactive request is in progress, and goes on when it ends', async () => {
  const decision = await decisionInProgress('a');
  let answered = false;
  const create = fetch(`${url}/slow/1`, { method: 'POST' }).finally(() => (answered = true));
  await sleep(YIELD_MAX_MS / 4);
  expect(answered).toBe(false);
  const ended = Date.now();
  await decision.end();
  const response = await create;
  expect(response.status).toBe(201);
  const at = ((await response.json()) as { at: number }).at;
  expect(at).toBeGreaterThanOrEqual(ended);
  expect(at - ended).toBeLessThan(YIELD_MAX_MS / 2); // woken by the end, not by the cap
});

test('a steady stream of interactive requests slows a create by CREATE_YIELD_MAX at most, never stops it', async () => {
  const first = await decisionInProgress('b');
  const sent = Date.now();
  const create = fetch(`${url}/slow/2`, { method: 'POST' });
  // A second request starts before the first ends: someone is always busy.
  const second = await decisionInProgress('c');
  await first.end();
  const response = await create;
  expect(response.status).toBe(201);
  const waited = ((await response.json()) as { at: number }).at - sent;
  expect(waited).toBeGreaterThanOrEqual(YIELD_MAX_MS - 20);
  await second.end();
});

test('a create holds back for half of what is left of its deadline at most, keeping the rest to do its work', async () => {
  const decision = await decisionInProgress('d');
  try {
    const sent = Date.now();
    // Its lane would hold it 10 s; its deadline is 1 s, of which it keeps half.
    const response = await fetch(`${url}/patient/1`, { method: 'POST' });
    expect(response.status).toBe(201);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(350);
    expect(Date.now() - sent).toBeLessThan(1000); // answered within its deadline
  } finally {
    await decision.end();
  }
});

test('a client that goes away while its create waits frees its place, and no create runs for it', async () => {
  // Waiting for a place: the lane's one slot is held.
  const held = fetch(`${url}/create/held`, { method: 'POST' });
  await sleep(20);
  await hangUp('/slow/queued', 20);
  await sleep(300); // the server sees the connection close
  releaseHeld();
  expect((await held).status).toBe(201);
  // Holding back for a decision: the place is freed and the create never runs.
  const decision = await decisionInProgress('e');
  await hangUp('/slow/holding', 50);
  await sleep(300);
  await decision.end();
  await sleep(50);
  expect(ran).not.toContain('queued');
  expect(ran).not.toContain('holding');
  // The place is free: the next create goes at once.
  expect((await fetch(`${url}/slow/after`, { method: 'POST' })).status).toBe(201);
  expect(ran).toContain('after');
});

test('a create whose client went away keeps its place until it has finished: the next create still waits for it', async () => {
  await hangUp('/create/held', 20);
  await sleep(300); // the server sees the connection close; the create still runs
  // Before: the place was freed with the connection, so a client could have any number of creates running.
  const next = await fetch(`${url}/create/next`, { method: 'POST' });
  expect(next.status).toBe(503);
  releaseHeld();
  await sleep(50);
  expect((await fetch(`${url}/create/after`, { method: 'POST' })).status).toBe(201);
});

test('a create stuck past its deadline (its client has its 503) gives its place to the next', async () => {
  const stuck = await fetch(`${url}/stuck/1`, { method: 'POST' });
  expect(stuck.status).toBe(503);
  // Its handler still runs, but no longer holds the lane.
  expect((await fetch(`${url}/slow/after-stuck`, { method: 'POST' })).status).toBe(201);
  releaseStuck();
});

test('a create that answered keeps its place while it starts its workflows, for one more request deadline at most', async () => {
  expect((await fetch(`${url}/answered/starting`, { method: 'POST' })).status).toBe(201);
  const next = fetch(`${url}/slow/after-starts`, { method: 'POST' });
  await sleep(300);
  expect(ran).not.toContain('after-starts');
  releaseAnswered();
  expect((await next).status).toBe(201);

  // Starts that never end: the place is given up one request deadline (1 s) after the deadline.
  const sent = Date.now();
  expect((await fetch(`${url}/answered/never`, { method: 'POST' })).status).toBe(201);
  const after = await fetch(`${url}/slow/after-never`, { method: 'POST' });
  expect(after.status).toBe(201);
  // Its handler ran once the place was free: past the first create's deadline and one more.
  expect(((await after.json()) as { at: number }).at - sent).toBeGreaterThanOrEqual(1900);
  releaseAnswered();
});

test('a client that went away before its create reached the lane gets no create', async () => {
  await hangUp('/late/early', 50);
  await sleep(400); // past the slow step: the lane has seen it
  expect(ran).not.toContain('early');
  expect((await fetch(`${url}/late/stayed`, { method: 'POST' })).status).toBe(201);
  expect(ran).toContain('stayed');
});
