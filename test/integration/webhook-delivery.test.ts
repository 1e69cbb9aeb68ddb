import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createWebhookActivities } from '../../activities/webhooks';
import { type Api, approvedAdministrator, eventually, type Harness, ORGANIZATION, ADMINISTRATOR, startHarness } from '../support/harness';
import { type Receiver, startReceiver } from '../support/webhook-receiver';
import { webhookWorkflowId } from '../../workflows/webhook-messages';

/**
 * Durable webhook delivery (issue 11) on real parts: the service in-process with its worker and
 * dispatcher on the Temporal dev server and PostgreSQL, and a real HTTP receiver on loopback that
 * verifies every signature with the Standard Webhooks library and answers errors and timeouts on demand.
 * Durations are seconds here (configuration).
 */
let harness: Harness;
let customer: Api;
let reviewer: Api;

beforeAll(async () => {
  harness = await startHarness({
    env: {
      WEBHOOK_ALLOW_PRIVATE_ADDRESSES: '127.0.0.1/32',
      WEBHOOK_RETRY_SCHEDULE: '1s,1s,1s',
      WEBHOOK_TIMEOUT: '2s',
      WEBHOOK_DISPATCH_INTERVAL: '200ms',
    },
  });
  customer = await harness.customer();
  reviewer = await harness.reviewer();
});
afterAll(async () => harness?.stop());

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function endpoint(api: Api, options: { eventTypes?: string[] } = {}): Promise<{ receiver: Receiver; id: string; secret: string }> {
  const receiver = await startReceiver();
  receivers.push(receiver);
  const created = await api.request('POST', '/v1/webhooks', { url: receiver.url, ...options });
  expect(created.status).toBe(201);
  receiver.secrets = [created.body.secret];
  return { receiver, id: created.body.id, secret: created.body.secret };
}

let organizations = 0;
async function submit(api: Api): Promise<string> {
  const created = await api.request('POST', '/v1/organizations', {
    organization: { ...ORGANIZATION, name: `Delivery Test ${++organizations} Co., Ltd.` },
    administrator: ADMINISTRATOR,
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

const until = <T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 30_000) => eventually(async () => check(), timeoutMs, what);
const deliveriesOf = async (api: Api, id: string, query = '') => (await api.request('GET', `/v1/webhooks/${id}/deliveries${query}`)).body.items;

test('every event after the endpoint was added arrives once, in feed order, signed, byte for byte what the feed lists', async () => {
  const account = await harness.customer('Ordered');
  const before = await submit(account);
  const last = await until(async () => (await account.request('GET', '/v1/events')).body.items[1]?.id, 'the first events listed');
  const { receiver } = await endpoint(account);
  const { organizationId, administratorId } = await approvedAdministrator(account, reviewer);
  const feed = async () => (await account.request('GET', `/v1/events?after=${last}`)).body.items;
  const expected = await until(async () => {
    const items = await feed();
    return items.length === 4 && receiver.received.length >= 4 ? items : undefined;
  }, 'four events delivered');
  expect(expected.map((e: any) => [e.type, e.objectId])).toEqual([
    ['organization.submitted', organizationId],
    ['administrator.submitted', administratorId],
    ['organization.approved', organizationId],
    ['administrator.approved', administratorId],
  ]);
  expect(receiver.received.map((r) => r.id)).toEqual(expected.map((e: any) => e.id));
  expect(receiver.received.map((r) => r.payload)).toEqual(expected);
  for (const request of receiver.received) {
    expect(request.verifiedWith).toEqual(receiver.secrets);
    expect(request.signatures).toHaveLength(1);
    expect(Math.abs(Number(request.timestamp) - Date.now() / 1000)).toBeLessThan(60);
  }
  // Nothing from before the endpoint existed.
  expect(receiver.received.some((r) => r.payload.objectId === before)).toBe(false);
});

test('a failing message is retried with backoff under the same webhook-id (errors, timeouts) and holds back the next until it is delivered', async () => {
  const { receiver, id } = await endpoint(customer, { eventTypes: ['organization.submitted'] });
  // The first message: 500, then no answer within the 2 s timeout, then 200. Every other: 200 at once.
  let first: string | undefined;
  receiver.answer = (request, n) => {
    first ??= request.id;
    if (request.id !== first) return { status: 200 };
    return n === 1 ? { status: 500, body: 'boom' } : n === 2 ? { status: 200, delayMs: 6_000 } : { status: 200 };
  };
  const a = await submit(customer);
  const b = await submit(customer);
  await until(() => (receiver.received.some((r) => r.payload?.objectId === b) ? true : undefined), 'the second message');
  const order = receiver.received.map((r) => (r.payload.objectId === a ? 'a' : r.payload.objectId === b ? 'b' : '?'));
  expect(order).toEqual(['a', 'a', 'a', 'b']);
  expect(new Set(receiver.of(first!).map((r) => r.id)).size).toBe(1);
  const gaps = receiver.of(first!).map((r, i, all) => (i === 0 ? 0 : r.at - all[i - 1].at));
  expect(gaps[1]).toBeGreaterThanOrEqual(1_000);
  const [later, earlier] = await deliveriesOf(customer, id);
  expect(earlier).toMatchObject({ messageId: first, kind: 'event', eventType: 'organization.submitted', status: 'delivered', nextAttemptAt: null });
  expect(earlier.attempts.map((x: any) => x.statusCode)).toEqual([500, null, 200]);
  expect(earlier.attempts[0].responseBody).toBe('boom');
  expect(earlier.attempts[1].error).toMatch(/within 2000 ms/);
  expect(later).toMatchObject({ status: 'delivered', attempts: [expect.objectContaining({ statusCode: 200 })] });
});

test('a message failing the whole schedule disables its endpoint and tells the account; enabling it again resumes the queue; a redelivery carries the same webhook-id', async () => {
  const { receiver, id } = await endpoint(customer, { eventTypes: ['organization.submitted'] });
  receiver.answer = () => ({ status: 503 });
  const a = await submit(customer);
  const b = await submit(customer);
  const disabled = await until(async () => {
    const hook = (await customer.request('GET', `/v1/webhooks/${id}`)).body;
    return hook.enabled ? undefined : hook;
  }, 'the endpoint disabled');
  expect(disabled.disabledReason).toMatch(/failed 4 attempts/);
  const messageA = receiver.received[0].id;
  expect(receiver.received.map((r) => r.id)).toEqual([messageA, messageA, messageA, messageA]);
  expect(receiver.received.every((r) => r.payload.objectId === a)).toBe(true);
  const told = await until(async () => {
    const items = (await customer.request('GET', '/v1/events?type=webhook.disabled&limit=100')).body.items.filter((e: any) => e.objectId === id);
    return items.length ? items : undefined;
  }, 'webhook.disabled in the feed');
  expect(told).toEqual([expect.objectContaining({ type: 'webhook.disabled', objectKind: 'webhook', data: expect.objectContaining({ id, enabled: false }) })]);
  // While disabled: nothing is queued or sent, and redeliveries and tests are refused.
  const c = await submit(customer);
  expect((await customer.request('POST', `/v1/webhooks/${id}/test`)).status).toBe(409);
  await new Promise((r) => setTimeout(r, 1_000));
  const queued = await deliveriesOf(customer, id);
  expect(queued.map((d: any) => d.status)).toEqual(['pending', 'failed']);
  expect(receiver.received).toHaveLength(4);

  receiver.answer = () => ({ status: 200 });
  expect((await customer.request('PATCH', `/v1/webhooks/${id}`, { enabled: true })).status).toBe(200);
  await until(() => (receiver.received.some((r) => r.payload.objectId === b) ? true : undefined), 'the held-back message');
  const redelivered = await customer.request('POST', `/v1/webhooks/${id}/redeliver`, { eventId: messageA }, { 'Idempotency-Key': 'again-a' });
  expect(redelivered.status).toBe(202);
  expect(redelivered.body).toMatchObject({ kind: 'redelivery', messageId: messageA, eventId: messageA, status: 'pending' });
  expect(redelivered.headers.get('location')).toBe(`/v1/webhooks/${id}/deliveries/${redelivered.body.id}`);
  await until(() => (receiver.of(messageA).length === 5 ? true : undefined), 'the redelivery');
  expect(receiver.of(messageA)[4].verifiedWith).toHaveLength(1);
  expect(receiver.received.some((r) => r.payload.objectId === c)).toBe(false);
  const again = await customer.request('POST', `/v1/webhooks/${id}/redeliver`, { eventId: messageA }, { 'Idempotency-Key': 'again-a' });
  expect(again.body.id).toBe(redelivered.body.id);
  const single = await customer.request('GET', `/v1/webhooks/${id}/deliveries/${redelivered.body.id}`);
  expect(single.body).toMatchObject({ status: 'delivered', attempts: [expect.objectContaining({ statusCode: 200 })] });
});

test('410 Gone disables the endpoint at once', async () => {
  const { receiver, id } = await endpoint(customer, { eventTypes: ['organization.submitted'] });
  receiver.answer = () => ({ status: 410 });
  await submit(customer);
  const hook = await until(async () => {
    const got = (await customer.request('GET', `/v1/webhooks/${id}`)).body;
    return got.enabled ? undefined : got;
  }, 'disabled by 410');
  expect(hook.disabledReason).toMatch(/410 Gone/);
  expect(receiver.received).toHaveLength(1);
  expect((await deliveriesOf(customer, id, '?status=failed')).map((d: any) => d.attempts.length)).toEqual([1]);
});

test('a test event goes out at once, signed with the current and the rotated-out secret', async () => {
  const { receiver, id, secret } = await endpoint(customer, { eventTypes: ['review.overdue'] });
  const rotated = (await customer.request('POST', `/v1/webhooks/${id}/rotate-secret`)).body;
  receiver.secrets = [rotated.secret, secret];
  const sent = await customer.request('POST', `/v1/webhooks/${id}/test`);
  expect(sent.status).toBe(202);
  expect(sent.body).toMatchObject({ kind: 'test', eventType: 'webhook.test', eventId: null });
  const request = await until(() => receiver.received[0], 'the test event');
  expect(request.id).toBe(sent.body.messageId);
  expect(request.payload).toMatchObject({ id: sent.body.messageId, type: 'webhook.test', objectKind: 'webhook', objectId: id, data: { id, enabled: true } });
  expect(request.signatures).toHaveLength(2);
  expect(request.verifiedWith).toEqual([rotated.secret, secret]);
  // A receiver that only knows one of them still verifies the message.
  receiver.secrets = [secret];
  receiver.answer = () => ({ status: 500 });
  await customer.request('POST', `/v1/webhooks/${id}/test`);
  await until(() => receiver.received[1], 'the second test event');
  expect(receiver.received[1].verifiedWith).toEqual([secret]);
  // A test is tried once: a failure is reported, not retried, and does not disable the endpoint.
  const [failed] = await until(async () => {
    const items = await deliveriesOf(customer, id, '?status=failed');
    return items.length ? items : undefined;
  }, 'the failed test');
  expect(failed.attempts).toHaveLength(1);
  expect((await customer.request('GET', `/v1/webhooks/${id}`)).body.enabled).toBe(true);
});

test('an answer whose body is binary (NUL bytes) or endless is recorded by its start, once: the message is delivered, not sent again', async () => {
  const { receiver, id } = await endpoint(customer, { eventTypes: ['review.overdue'] });
  receiver.answer = () => ({ status: 200, body: `ok\u0000\u0001${'\u0000'.repeat(10)}${'x'.repeat(100_000)}` });
  const sent = await customer.request('POST', `/v1/webhooks/${id}/test`);
  expect(sent.status).toBe(202);
  const delivery = await until(
    async () => {
      const got = (await customer.request('GET', `/v1/webhooks/${id}/deliveries/${sent.body.id}`)).body;
      return got.status === 'pending' ? undefined : got;
    },
    'the test message recorded',
    15_000,
  );
  expect(delivery.status).toBe('delivered');
  expect(delivery.attempts).toHaveLength(1);
  expect(delivery.attempts[0].statusCode).toBe(200);
  expect(delivery.attempts[0].responseBody).toMatch(/^ok/);
  expect(delivery.attempts[0].responseBody).not.toContain('\u0000');
  expect(delivery.attempts[0].responseBody.length).toBeLessThanOrEqual(1024);
  // The endpoint got the message once: recording what it answered did not fail (and retry the send).
  await new Promise((r) => setTimeout(r, 1_500));
  expect(receiver.of(sent.body.messageId)).toHaveLength(1);
});

test('an endpoint deleted while its messages wait for a retry: nothing more is sent, its workflow ends, its records are gone', async () => {
  const { receiver, id } = await endpoint(customer, { eventTypes: ['organization.submitted'] });
  receiver.answer = () => ({ status: 503 });
  await submit(customer);
  await submit(customer);
  await until(() => (receiver.received.length >= 2 ? true : undefined), 'two failed attempts');
  expect((await customer.request('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
  const handle = harness.client.workflow.getHandle(webhookWorkflowId(id));
  await until(async () => ((await handle.describe()).status.name === 'RUNNING' ? undefined : true), 'the workflow ended');
  expect((await handle.describe()).status.name).toBe('COMPLETED');
  const sent = receiver.received.length;
  await new Promise((r) => setTimeout(r, 2_500));
  expect(receiver.received).toHaveLength(sent);
  expect(await harness.db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', id).execute()).toEqual([]);
  expect((await customer.request('GET', `/v1/webhooks/${id}/deliveries`)).status).toBe(404);
});

test("an idle endpoint's delete ends its workflow at once, not at its idle timeout (a minute)", async () => {
  const account = await harness.customer('Idle endpoint');
  const { receiver, id } = await endpoint(account, { eventTypes: ['organization.submitted'] });
  await submit(account);
  await until(() => (receiver.received.length >= 1 ? true : undefined), 'the message delivered');
  const handle = harness.client.workflow.getHandle(webhookWorkflowId(id));
  // Delivered and recorded: the workflow waits for new messages.
  await until(async () => ((await deliveriesOf(account, id))[0]?.status === 'delivered' ? true : undefined), 'the delivery recorded');
  expect((await handle.describe()).status.name).toBe('RUNNING');
  expect((await account.request('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
  // Well under the minute an idle run waits for new messages.
  await until(async () => ((await handle.describe()).status.name === 'RUNNING' ? undefined : true), 'the workflow ended', 20_000);
  expect((await handle.describe()).status.name).toBe('COMPLETED');
});

test('redeliveries name an event of the account; deliveries of another account are not found', async () => {
  const { id } = await endpoint(customer);
  const other = await harness.customer('Stranger');
  const foreignEvent = await (async () => {
    await submit(other);
    return (await other.request('GET', '/v1/events')).body.items[0].id;
  })();
  for (const [body, status, field] of [
    [{ eventId: foreignEvent }, 400, 'eventId'],
    [{ eventId: '12' }, 400, 'eventId'],
    [{}, 400, 'eventId'],
  ] as const) {
    const answer = await customer.request('POST', `/v1/webhooks/${id}/redeliver`, body);
    expect(answer.status).toBe(status);
    expect(answer.body.errors[0].field).toBe(field);
  }
  expect((await other.request('GET', `/v1/webhooks/${id}/deliveries`)).status).toBe(404);
  expect((await other.request('POST', `/v1/webhooks/${id}/test`)).status).toBe(404);
  expect((await customer.request('GET', `/v1/webhooks/${id}/deliveries/abc`)).status).toBe(404);
  expect((await customer.request('GET', `/v1/webhooks/${id}/deliveries?status=lost`)).status).toBe(400);
});

test('deliveries waiting for a retry survive a restart of the workers, and events written meanwhile are not lost', async () => {
  const { receiver, id } = await endpoint(customer, { eventTypes: ['organization.submitted'] });
  receiver.answer = (_request, n) => (n === 1 ? { status: 500 } : { status: 200 });
  const a = await submit(customer);
  await until(() => receiver.received[0], 'the first attempt');
  await harness.restartWorkers({
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES: '127.0.0.1/32',
    WEBHOOK_RETRY_SCHEDULE: '1s,1s,1s',
    WEBHOOK_TIMEOUT: '2s',
  });
  const b = await submit(customer);
  await until(() => (receiver.received.some((r) => r.payload.objectId === b) ? true : undefined), 'the message written during the restart');
  expect(receiver.received.map((r) => r.payload.objectId)).toEqual([a, a, b]);
  await until(async () => ((await deliveriesOf(customer, id)).every((d: any) => d.status === 'delivered') ? true : undefined), 'both recorded as delivered');
});

test('an attempt retried after its commit (the worker died before reporting) returns what it recorded and sends nothing again', async () => {
  const { receiver, id } = await endpoint(customer, { eventTypes: ['review.overdue'] });
  // A queued test message, attempted here directly: marked announced, so the dispatcher wakes no workflow for it.
  const delivery = await harness.db
    .insertInto('webhook_deliveries')
    .values({
      endpoint_id: id,
      account_id: customer.id,
      event_id: null,
      kind: 'test',
      message_id: 'evt_test_retried',
      payload: JSON.stringify({ type: 'webhook.test' }),
      announced: true,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const activities = createWebhookActivities({ db: harness.db, notify: harness.config.notify, dcv: harness.config.dcv, secretKey: harness.secretKey });
  const execution = new MockActivityEnvironment({ activityId: '1', workflowExecution: { workflowId: `webhook:${id}`, runId: randomUUID() } });
  const first = await execution.run(activities.attemptDelivery, delivery.id);
  expect(first).toEqual({ status: 'delivered', endpointDisabled: false });
  expect(await execution.run(activities.attemptDelivery, delivery.id)).toEqual(first);
  expect(receiver.of('evt_test_retried')).toHaveLength(1);
  expect(await harness.db.selectFrom('webhook_attempts').select('id').where('delivery_id', '=', delivery.id).execute()).toHaveLength(1);
});
