import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { workflowIdFor } from '../../src/temporal/ids';
import { PRIORITY } from '../../src/temporal/priority';
import { ConsoleClient, consoleCustomer } from '../support/console';
import { withLaneHeld } from '../support/lanes';
import { ADMINISTRATOR, ORGANIZATION, approvedAdministrator, startedWorkflow, startHarness, type Api, type Harness } from '../support/harness';
import { interactively } from '../../src/temporal/priority';

/**
 * Issue 6 item 5: interactive work is never starved by bulk work. Creates go through the bulk lane (at
 * most CREATE_CONCURRENCY in progress per API process) and start their workflows in Temporal's bulk
 * priority; a person's request lifts its workflow to the interactive priority. `npm run bench`
 * (decision_p99_under_burst) measures the effect under a burst; these tests pin the mechanism.
 */
let harness: Harness;
let reviewer: Api;

beforeAll(async () => {
  // A long CREATE_YIELD_MAX and deadline: a create held by a decision goes on when the decision ends, however slow the machine.
  harness = await startHarness({ env: { CREATE_CONCURRENCY: '1', CREATE_YIELD_MAX: '10s', REQUEST_DEADLINE: '30s' } });
  reviewer = await harness.reviewer();
});
afterAll(async () => harness?.stop());

const priorityOf = async (workflowId: string) => (await startedWorkflow(harness.client, workflowId)).raw.workflowExecutionInfo?.priority?.priorityKey;

test('a create starts its workflows in the bulk lane; a decision lifts the organization to the interactive lane', async () => {
  const customer = await harness.customer();
  const created = await customer.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR });
  expect(created.status).toBe(201);
  const organization = workflowIdFor('organization', created.body.id);
  const administrator = workflowIdFor('administrator', created.body.administrators[0].id);
  expect(await priorityOf(organization)).toBe(PRIORITY.bulk.priorityKey);
  expect(await priorityOf(administrator)).toBe(PRIORITY.bulk.priorityKey);

  const decided = await reviewer.request('POST', `/v1/reviews/organizations/${created.body.id}/decision`, {
    decision: 'reject',
    reason: 'No one answered the landline',
  });
  expect(decided.status).toBe(200);
  expect(await priorityOf(organization)).toBe(PRIORITY.interactive.priorityKey);
  // Untouched by the decision: still bulk.
  expect(await priorityOf(administrator)).toBe(PRIORITY.bulk.priorityKey);
});

test("a decision sent before the create's own start has run lifts the workflow that start then creates in the bulk lane", async () => {
  // The create answers before its workflows start: a reviewer's update-with-start can find no workflow to lift, and the
  // create's start then creates it in the bulk lane. The lift tries again while the decision is pending.
  const customer = await harness.customer('Lifted late');
  const created = await customer.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR });
  const administratorRow = await harness.db
    .selectFrom('administrators')
    .selectAll()
    .where('id', '=', created.body.administrators[0].id)
    .executeTakeFirstOrThrow();
  // A workflow ID not started yet: the request (standing in for the update) starts it in the bulk lane after the first lift.
  const late = { ...administratorRow, id: randomUUID() };
  const lateId = workflowIdFor('administrator', late.id);
  await interactively(harness.client, lateId, async () => {
    await new Promise((r) => setTimeout(r, 60));
    // Started in the bulk lane (the lift's retries may already have lifted it by the time it could be read).
    await harness.workflows.start('administrator', late);
    await new Promise((r) => setTimeout(r, 100));
  });
  expect(await priorityOf(lateId)).toBe(PRIORITY.interactive.priorityKey);
});

test('with CREATE_CONCURRENCY=1 a second create waits for the first, while reads and decisions of the same account pass', async () => {
  const blocked = await harness.customer('Blocked');
  const other = await harness.customer('Other');
  const existing = await other.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR });
  expect(existing.status).toBe(201);

  const first = await withLaneHeld(harness, blocked, async () => {
    let secondAnswered = false;
    const second = other
      .request('POST', '/v1/organizations', { organization: { ...ORGANIZATION, name: 'Acme Cloud Co., Ltd.' } })
      .finally(() => (secondAnswered = true));

    const started = Date.now();
    const read = await other.request('GET', '/v1/organizations');
    const decision = await reviewer.request('POST', `/v1/reviews/organizations/${existing.body.id}/decision`, { decision: 'reject', reason: 'Wrong landline' });
    expect(read.status).toBe(200);
    expect(decision.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000); // blocked, they would wait for the lock, released only below
    // The other account's create is not blocked by any lock: only by the lane.
    expect(secondAnswered).toBe(false);
    expect(await harness.db.selectFrom('organizations').select('id').where('account_id', '=', other.id).execute()).toHaveLength(1);
    return async () => expect((await second).status).toBe(201);
  });
  expect(first).toBe(201);
});

const prefixed = (prefix: string, values: Record<string, string>) => Object.entries(values).map(([k, v]) => [`${prefix}.${k}`, v]);

// Each console form that creates, with what it needs first: its page, the form's fields, the table it writes.
const consoleCreates: Array<
  [string, (api: Api) => Promise<{ page: string; action: string; fields: Record<string, string>; table: 'organizations' | 'administrators' | 'domains' }>]
> = [
  [
    'an organization',
    async () => ({
      page: '/console/organizations/new',
      action: '/console/organizations',
      fields: Object.fromEntries([
        ...prefixed('organization', { ...ORGANIZATION, name: 'Acme Console Lane Co., Ltd.' }),
        ...prefixed('administrator', ADMINISTRATOR),
      ]),
      table: 'organizations',
    }),
  ],
  [
    'an administrator',
    async (api) => {
      const { organizationId } = await approvedAdministrator(api, reviewer);
      return {
        page: `/console/organizations/${organizationId}/administrators/new`,
        action: `/console/organizations/${organizationId}/administrators`,
        fields: { ...ADMINISTRATOR, email: 'second.admin@acme.cn' },
        table: 'administrators',
      };
    },
  ],
  [
    'a domain',
    async (api) => {
      const { administratorId } = await approvedAdministrator(api, reviewer);
      return {
        page: `/console/administrators/${administratorId}/domains/new?domain=lane.example.com`,
        action: `/console/administrators/${administratorId}/domains`,
        fields: { domain: 'lane.example.com', method: 'manual:dns' },
        table: 'domains',
      };
    },
  ],
];

test.each(consoleCreates)("the console's page that creates %s takes its turn in the same lane as the API's creates", async (_what, prepare) => {
  const blocked = await harness.customer('Blocked by the console test');
  const api = await harness.customer('Console creator');
  const form = await prepare(api);
  const rowsBefore = (await harness.db.selectFrom(form.table).select('id').where('account_id', '=', api.id).execute()).length;
  const user = await consoleCustomer(harness, { accountId: api.id });
  const browser = new ConsoleClient(harness.baseUrl, { localAddress: '127.0.0.21' });
  expect((await browser.signIn(user.email, user.password)).status).toBe(303);
  expect((await browser.get(form.page)).status).toBe(200);

  const first = await withLaneHeld(harness, blocked, async () => {
    let consoleAnswered = false;
    const submitted = browser.post(form.action, form.fields).finally(() => (consoleAnswered = true));
    await new Promise((r) => setTimeout(r, 400));
    // Nothing but the lane holds the console's create back: no lock of its account is taken.
    expect(consoleAnswered).toBe(false);
    expect(await harness.db.selectFrom(form.table).select('id').where('account_id', '=', api.id).execute()).toHaveLength(rowsBefore);
    return async () => {
      const page = await submitted;
      expect([page.status, page.location]).toEqual([
        303,
        expect.stringMatching(/^\/console\/(organizations|administrators|domains)\/[0-9a-f-]{36}(\/instructions)?\?notice=/),
      ]);
      expect(await harness.db.selectFrom(form.table).select('id').where('account_id', '=', api.id).execute()).toHaveLength(rowsBefore + 1);
    };
  });
  expect(first).toBe(201);
});

/** Milliseconds between an activity's scheduling and its start, from the server's own event times. */
async function scheduleToStartMs(workflowId: string, activityType: string): Promise<number> {
  const events = (await harness.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const at = (e: (typeof events)[number]) => Number(e.eventTime!.seconds) * 1000 + (e.eventTime!.nanos ?? 0) / 1e6;
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType)!;
  const started = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled.eventId))!;
  return at(started) - at(scheduled);
}

// Eager dispatch (system.enableActivityEagerExecution on the dev server and in docker-compose's dynamic
// config; the worker keeps activity slots free of polls, src/temporal/worker-sizing.ts): the server hands
// the decision's activity back with the workflow task that scheduled it and records its start in the
// same write, so it never queues in matching behind bulk work. Through matching it takes a task
// dispatch and another write: milliseconds at least (2–50 ms measured here), against hundredths.
test("a decision's write is handed to the worker with the workflow task that scheduled it (eager dispatch), not queued in matching", async () => {
  const customer = await harness.customer('Eager');
  const gaps: number[] = [];
  for (let i = 0; i < 7; i++) {
    const created = await customer.request('POST', '/v1/organizations', {
      organization: { ...ORGANIZATION, name: `Acme Eager ${i} Co., Ltd.` },
      ...(i === 0 ? { administrator: ADMINISTRATOR } : {}),
    });
    expect(created.status).toBe(201);
    const decided = await reviewer.request('POST', `/v1/reviews/organizations/${created.body.id}/decision`, { decision: 'reject', reason: 'Wrong landline' });
    expect(decided.status).toBe(200);
    gaps.push(await scheduleToStartMs(workflowIdFor('organization', created.body.id), 'decide'));
  }
  gaps.sort((a, b) => a - b);
  expect(gaps[3]).toBeLessThan(1);
});

// Issue 9: while a reviewer's decision is in progress, a create about to start holds back (CREATE_YIELD_MAX,
// never more than half of what is left of its deadline), then goes on when the decision ends.
test("a create about to start holds back while a reviewer's decision is in progress, and goes on when it ends", async () => {
  const subject = await harness.customer('Under review');
  const under = await subject.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR });
  expect(under.status).toBe(201);
  const creator = await harness.customer('Creator');

  // Holds the organization's row lock, which the decision's write takes: the decision stays in progress.
  const lock = new PgClient({ connectionString: harness.databaseUrl });
  await lock.connect();
  try {
    await lock.query('begin');
    await lock.query('select id from organizations where id = $1 for update', [under.body.id]);
    let decidedAt = 0;
    const decision = reviewer
      .request('POST', `/v1/reviews/organizations/${under.body.id}/decision`, { decision: 'reject', reason: 'Wrong landline' })
      .finally(() => (decidedAt = Date.now()));
    await new Promise((r) => setTimeout(r, 200));
    let createdAt = 0;
    const create = creator
      .request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR })
      .finally(() => (createdAt = Date.now()));
    await new Promise((r) => setTimeout(r, 400));
    expect(createdAt).toBe(0);
    expect(await harness.db.selectFrom('organizations').select('id').where('account_id', '=', creator.id).execute()).toHaveLength(0);

    await lock.query('commit');
    expect((await decision).status).toBe(200);
    expect((await create).status).toBe(201);
    // Held until the decision ended, and woken by its end (not by the 10 s cap).
    expect(createdAt).toBeGreaterThanOrEqual(decidedAt - 50);
    expect(createdAt - decidedAt).toBeLessThan(3_000);
  } finally {
    await lock.end();
  }
});
