import type { AddressInfo } from 'node:net';
import express from 'express';
import { bulkLane } from '../../src/api/bulk-lane';
import { requestDeadline } from '../../src/api/deadline';
import { problemHandler } from '../../src/api/problem';

/** The bulk lane on a real HTTP server: one slot, a 1 s request deadline (the lane gives up 100 ms before it); 30 s for the create that holds the slot. */
let server: ReturnType<express.Express['listen']>;
let url: string;
let releaseHeld: () => void = () => undefined;

beforeAll(async () => {
  const app = express();
  // The held create has time to spare, so a slow machine cannot let its own deadline pass before it is released.
  const [spacious, tight] = [requestDeadline(30_000), requestDeadline(1000)];
  app.use((req, res, next) => (req.path === '/create/held' ? spacious : tight)(req, res, next));
  const lane = bulkLane(1);
  app.post('/create/:n', lane, async (req, res) => {
    if (req.params.n === 'held') await new Promise<void>((resolve) => (releaseHeld = resolve));
    res.status(201).json({ n: req.params.n });
  });
  app.get('/read', (_req, res) => res.json({ ok: true }));
  app.use(problemHandler);
  await new Promise<void>((resolve) => (server = app.listen(0, '127.0.0.1', () => resolve())));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

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
