import { workflowIdFor } from '../../src/temporal/ids';
import { ENTITY_STATUS } from '../../src/temporal/search-attributes';
import { ADMINISTRATOR, ORGANIZATION, eventually, startHarness, type Api, type Harness } from '../support/harness';
import { organizationApproval } from '../support/review-records';

/**
 * Issue 6: racing requests on one organization. Handlers run one at a time under the workflow's mutex,
 * so the audit trail is a chain (each status-carrying event starts where the previous one ended) and
 * of many concurrent decisions exactly one lands.
 */
let harness: Harness;
let customer: Api;
let reviewer: Api;

beforeAll(async () => {
  // 20 decisions queue under one workflow's mutex: a busy machine needs more than the default 5 s for the last.
  harness = await startHarness({ env: { REQUEST_DEADLINE: '30s' } });
  customer = await harness.customer();
  reviewer = await harness.reviewer();
});
afterAll(async () => harness?.stop());

async function submit(): Promise<string> {
  const response = await customer.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR });
  expect(response.status).toBe(201);
  return response.body.id;
}

interface Status {
  status?: string;
}

/** The organization's events in commit order (ids are taken under the row lock, one activity at a time). */
const eventsOf = (id: string) =>
  harness.db.selectFrom('events').select(['id', 'action', 'before', 'after', 'operation_id']).where('entity_id', '=', id).orderBy('id').execute();

/** Pairs of activities of one workflow that overlapped: scheduled while another was scheduled and not yet closed. */
async function overlappingActivities(workflowId: string): Promise<string[]> {
  const history = await harness.client.workflow.getHandle(workflowId).fetchHistory();
  const open = new Map<string, string>();
  const overlaps: string[] = [];
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const name = scheduled.activityType?.name ?? '?';
      if (open.size) overlaps.push(`${name} scheduled while ${[...open.values()].join(', ')} ran`);
      open.set(String(event.eventId), name);
    }
    const closed =
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    if (closed) open.delete(String(closed.scheduledEventId));
  }
  return overlaps;
}

test('1 approve + 8 edits at once: events in commit order form one status chain, no two activities ran at once', async () => {
  const id = await submit();
  const requests = [
    reviewer.request('POST', `/v1/reviews/organizations/${id}/decision`, organizationApproval()),
    ...Array.from({ length: 8 }, (_, n) => customer.request('PATCH', `/v1/organizations/${id}`, { name: `Acme Renamed ${n + 1}` })),
  ];
  const answers = await Promise.all(requests);
  expect(answers.map((a) => a.status)).toEqual(Array(9).fill(200));

  const events = await eventsOf(id);
  expect(events.filter((e) => e.action === 'approved')).toHaveLength(1);
  expect(events.filter((e) => e.action === 'edited')).toHaveLength(8);
  const chain = events.filter((e) => (e.before as Status | null)?.status !== undefined || (e.after as Status | null)?.status !== undefined);
  expect(chain[0].action).toBe('submitted');
  for (let n = 1; n < chain.length; n++) {
    const previous = (chain[n - 1].after as Status).status;
    expect(`${chain[n].action}: ${(chain[n].before as Status | null)?.status} (after ${chain[n - 1].action} → ${previous})`).toBe(
      `${chain[n].action}: ${previous} (after ${chain[n - 1].action} → ${previous})`,
    );
  }
  const last = (chain[chain.length - 1].after as Status).status;
  const row = await harness.db.selectFrom('organizations').select(['status', 'name']).where('id', '=', id).executeTakeFirstOrThrow();
  expect(row.status).toBe(last);
  // The last edit to commit is the name the row keeps.
  expect(row.name).toBe((events.filter((e) => e.action === 'edited').at(-1)!.after as { name: string }).name);
  await eventually(
    async () =>
      (await harness.client.workflow.getHandle(workflowIdFor('organization', id)).describe()).typedSearchAttributes.get(ENTITY_STATUS) === last
        ? true
        : undefined,
    10_000,
    'EntityStatus to follow',
  );
  expect(await overlappingActivities(workflowIdFor('organization', id))).toEqual([]);
});

test('20 concurrent decisions (approve and reject mixed): exactly one lands, 1 answer 200 and 19 answers 409', async () => {
  const id = await submit();
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, n) =>
      reviewer.request('POST', `/v1/reviews/organizations/${id}/decision`, n % 2 ? { decision: 'reject', reason: `reason ${n}` } : organizationApproval()),
    ),
  );
  const statuses = answers.map((a) => a.status).sort();
  expect(statuses).toEqual([200, ...Array(19).fill(409)]);
  const winner = answers.find((a) => a.status === 200)!;
  const decisions = (await eventsOf(id)).filter((e) => e.action === 'approved' || e.action === 'rejected');
  expect(decisions).toHaveLength(1);
  expect((decisions[0].after as Status).status).toBe(winner.body.status);
  for (const refused of answers.filter((a) => a.status === 409)) expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(await overlappingActivities(workflowIdFor('organization', id))).toEqual([]);
});
