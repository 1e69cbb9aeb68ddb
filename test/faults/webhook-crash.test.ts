import { ADMINISTRATOR, eventually, ORGANIZATION } from '../support/harness';
import { type Receiver, startReceiver } from '../support/webhook-receiver';
import { withServiceOutput } from './support/checks';
import { startPostgresCluster, type PostgresCluster } from './support/postgres-cluster';
import { startProduction, type Caller, type Production } from './support/production';
import { startTemporalServer, type TemporalServer } from './support/temporal';

/**
 * Issue 11: the worker process is SIGKILLed while a webhook attempt waits for the endpoint's answer.
 * Temporal retries the attempt on the restarted worker after its timeout (WEBHOOK_TIMEOUT + 15 s) and the
 * receiver gets the message again with the same `webhook-id` (at least once, as Standard Webhooks
 * allows), verified by the spec's library; events written while no worker ran are delivered after it,
 * in order, none lost. The production shape (`npm run api`, `npm run worker`) on a PostgreSQL cluster
 * and a Temporal server of this file's own.
 */
let postgres: PostgresCluster;
let temporal: TemporalServer;
let service: Production;
let receiver: Receiver;

beforeAll(async () => {
  [postgres, temporal, receiver] = await Promise.all([startPostgresCluster(), startTemporalServer(), startReceiver()]);
  service = await startProduction({
    databaseUrl: postgres.url,
    temporalAddress: temporal.address,
    apis: 1,
    env: {
      WEBHOOK_ALLOW_PRIVATE_ADDRESSES: '127.0.0.1/32',
      WEBHOOK_TIMEOUT: '10s',
      WEBHOOK_RETRY_SCHEDULE: '1s,1s,1s',
      WEBHOOK_DISPATCH_INTERVAL: '200ms',
    },
  });
}, 300_000);

afterAll(async () => {
  await service?.stop();
  await receiver?.close();
  await Promise.all([temporal?.destroy(), postgres?.destroy()]);
});

async function submit(customer: Caller, name: string): Promise<string> {
  const created = await customer.request('POST', '/v1/organizations', { organization: { ...ORGANIZATION, name }, administrator: ADMINISTRATOR });
  expect(created.status).toBe(201);
  return created.body.id;
}

test(
  'a worker killed during an attempt: the message comes again with the same webhook-id, and what happened meanwhile follows in order',
  withServiceOutput(
    () => service,
    async () => {
      const customer = await service.customer();
      const hook = await customer.request('POST', '/v1/webhooks', { url: receiver.url, eventTypes: ['organization.submitted'] });
      expect(hook.status).toBe(201);
      receiver.secrets = [hook.body.secret];
      // The first request is never answered (the worker dies waiting); every later one at once.
      receiver.answer = (_request, n) => (receiver.received.length === 1 && n === 1 ? { status: 200, delayMs: 120_000 } : { status: 200 });

      const a = await submit(customer, 'Crash Test A Co., Ltd.');
      const first = await eventually(async () => receiver.received[0], 30_000, 'the first attempt');
      await service.worker.kill('SIGKILL');
      const killedAt = Date.now();
      // Written while no worker runs: the API commits it to the feed, nobody dispatches it yet.
      const b = await submit(customer, 'Crash Test B Co., Ltd.');
      await service.worker.restart();

      await eventually(async () => (receiver.received.some((r) => r.payload?.objectId === b) ? true : undefined), 120_000, 'the message written meanwhile');
      const again = receiver.of(first.id);
      expect(again.length).toBeGreaterThanOrEqual(2);
      expect(again.every((r) => r.payload.objectId === a)).toBe(true);
      expect(again.every((r) => r.verifiedWith.length === 1)).toBe(true);
      // Retried once the killed attempt's timeout ran out, not earlier.
      expect(again[1].at - killedAt).toBeGreaterThan(5_000);
      expect(receiver.received.map((r) => r.payload.objectId).filter((id, i, all) => all.indexOf(id) === i)).toEqual([a, b]);
      const deliveries = (await customer.request('GET', `/v1/webhooks/${hook.body.id}/deliveries`)).body.items;
      expect(deliveries.map((d: any) => [d.messageId, d.status])).toEqual([
        [expect.stringMatching(/^evt_/), 'delivered'],
        [first.id, 'delivered'],
      ]);
      // The killed attempt left no record; the one that got its answer did.
      expect(deliveries[1].attempts.map((x: any) => x.statusCode)).toEqual([200]);
    },
  ),
  300_000,
);
