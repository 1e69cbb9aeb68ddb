import { startsInFlight } from '../../src/app/start-after-commit';
import { workflowIdFor } from '../../src/temporal/ids';
import type { ProfileWorkflows } from '../../src/temporal/profile-client';
import { ORGANIZATION_NAME } from '../../src/temporal/search-attributes';
import { ADMINISTRATOR, ORGANIZATION, eventually, startedWorkflow, startHarness, type Api, type Harness } from '../support/harness';

/**
 * Issue 9, docs/architecture.md rule 3: a create answers once its rows are committed, and their workflows
 * start after the answer (src/app/start-after-commit.ts). Here each create's starts wait at a gate the
 * test opens, so what a customer or a reviewer does in between is certain to come first; the starts
 * themselves are the real ones.
 */
let harness: Harness;
let customer: Api;
let reviewer: Api;
let realStart: ProfileWorkflows['start'];
let gate: { open: () => void; opened: Promise<void> };

function closeGate(): void {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  gate = { open, opened };
}

beforeAll(async () => {
  // A long deadline: a start waits at the gate with the budget what is left of its request's deadline.
  harness = await startHarness({ env: { REQUEST_DEADLINE: '30s' } });
  customer = await harness.customer();
  reviewer = await harness.reviewer();
  realStart = harness.workflows.start;
  // The API's context holds this very object: its creates' starts wait here.
  harness.workflows.start = async (...args) => {
    await gate.opened;
    return realStart(...args);
  };
});
beforeEach(closeGate);
afterEach(() => gate.open());
afterAll(async () => {
  if (harness) harness.workflows.start = realStart;
  await harness?.stop();
});

const describeWorkflow = (kind: 'organization' | 'administrator', id: string) => harness.client.workflow.getHandle(workflowIdFor(kind, id)).describe();
const marked = async (table: 'organizations' | 'administrators', id: string) =>
  (await harness.db.selectFrom(table).select('workflow_started').where('id', '=', id).executeTakeFirst())?.workflow_started;

/** Administrator `id` as the API shows it, once it is rejected. */
const rejectedAdministrator = (id: string) =>
  eventually(async () => {
    const body = (await customer.request('GET', `/v1/administrators/${id}`)).body;
    return body.status === 'rejected' ? body : undefined;
  });

async function createOrganization(name: string): Promise<{ id: string; administratorId: string }> {
  const created = await customer.request('POST', '/v1/organizations', { organization: { ...ORGANIZATION, name }, administrator: ADMINISTRATOR });
  expect(created.status).toBe(201);
  return { id: created.body.id, administratorId: created.body.administrators[0].id };
}

test('a create answers before its workflows start; an edit right after starts the workflow itself, and the late start leaves that run alone', async () => {
  const organization = await createOrganization('Answered First Co., Ltd.');
  await expect(describeWorkflow('organization', organization.id)).rejects.toThrow(/not found/i);
  expect(await marked('organizations', organization.id)).toBe(false);

  const edited = await customer.request('PATCH', `/v1/organizations/${organization.id}`, { displayName: 'Edited before its start' });
  expect([edited.status, edited.body.displayName]).toEqual([200, 'Edited before its start']);
  const { runId } = await describeWorkflow('organization', organization.id);

  gate.open();
  await eventually(async () =>
    (await marked('organizations', organization.id)) && (await marked('administrators', organization.administratorId)) ? true : undefined,
  );
  const after = await describeWorkflow('organization', organization.id);
  expect([after.runId, after.status.name]).toEqual([runId, 'RUNNING']);
  expect((await startedWorkflow(harness.client, workflowIdFor('administrator', organization.administratorId))).status.name).toBe('RUNNING');
});

test('a process that stops waits for the starts of the creates it has answered', async () => {
  const organization = await createOrganization('Drained On Stop Co., Ltd.');
  let drained = false;
  const draining = startsInFlight().then(() => (drained = true));
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(drained).toBe(false);
  gate.open();
  await draining;
  // Started and marked by the time the drain resolves.
  expect((await describeWorkflow('organization', organization.id)).status.name).toBe('RUNNING');
  expect(await marked('organizations', organization.id)).toBe(true);
});

test("an organization deleted before its create's starts ran: no workflow is left running for it or its administrator", async () => {
  const organization = await createOrganization('Deleted Before Start Co., Ltd.');
  expect((await customer.request('DELETE', `/v1/organizations/${organization.id}`)).status).toBe(204);
  const deleted = await eventually(async () => {
    const described = await describeWorkflow('organization', organization.id);
    return described.status.name === 'COMPLETED' ? described : undefined;
  });

  gate.open();
  // The administrator's row went with its organization; its workflow, started late, is told and ends.
  const administrator = await eventually(async () => {
    const described = await describeWorkflow('administrator', organization.administratorId);
    return described.status.name === 'COMPLETED' ? described : undefined;
  });
  expect(administrator.status.name).toBe('COMPLETED');
  // The organization's workflow is not run again.
  const after = await describeWorkflow('organization', organization.id);
  expect([after.runId, after.status.name]).toEqual([deleted.runId, 'COMPLETED']);
  await startsInFlight();
  expect(await marked('administrators', organization.administratorId)).toBeUndefined();
});

test("an organization rejected before its create's starts ran: its administrator, started late, is rejected with it", async () => {
  const organization = await createOrganization('Rejected Before Start Co., Ltd.');
  const rejected = await reviewer.request('POST', `/v1/reviews/organizations/${organization.id}/decision`, {
    decision: 'reject',
    reason: 'registration number not found',
  });
  expect(rejected.body.status).toBe('rejected');
  // Its signal to the administrator's workflow found none.
  expect((await customer.request('GET', `/v1/administrators/${organization.administratorId}`)).body.status).toBe('under_review');

  gate.open();
  const administrator = await rejectedAdministrator(organization.administratorId);
  expect(administrator.rejectionReason).toBe('organization rejected: registration number not found');
});

test('an administrator added to an organization rejected before it was submitted stays under review (it was never part of that review)', async () => {
  gate.open();
  const organization = await createOrganization('Rejected Earlier Co., Ltd.');
  const rejected = await reviewer.request('POST', `/v1/reviews/organizations/${organization.id}/decision`, { decision: 'reject', reason: 'old reason' });
  expect(rejected.body.status).toBe('rejected');
  const added = await customer.request('POST', `/v1/organizations/${organization.id}/administrators`, { ...ADMINISTRATOR, email: 'added.later@acme.cn' });
  expect([added.status, added.body.status]).toEqual([201, 'under_review']);
  // The settle has signalled whatever it would by now; a delete goes through the workflow after anything it was told
  // before: a rejection would be in the audit trail by its answer.
  await startsInFlight();
  expect((await customer.request('GET', `/v1/administrators/${added.body.id}`)).body.status).toBe('under_review');
  expect((await customer.request('DELETE', `/v1/administrators/${added.body.id}`)).status).toBe(204);
  const actions = await harness.db.selectFrom('events').select('action').where('entity_id', '=', added.body.id).execute();
  expect(actions.map((event) => event.action)).not.toContain('rejected_with_organization');
});

test("an organization rejected and resubmitted before its create's starts ran: its administrator is rejected with that review", async () => {
  const organization = await createOrganization('Rejected Then Resubmitted Co., Ltd.');
  expect(
    (await reviewer.request('POST', `/v1/reviews/organizations/${organization.id}/decision`, { decision: 'reject', reason: 'landline unanswered' })).status,
  ).toBe(200);
  expect((await customer.request('POST', `/v1/organizations/${organization.id}/resubmit`)).body.status).toBe('under_review');

  gate.open();
  const administrator = await rejectedAdministrator(organization.administratorId);
  expect(administrator.rejectionReason).toBe('organization rejected: landline unanswered');
});

test("an organization renamed before its create's starts ran: its administrator's workflow learns the new name", async () => {
  const organization = await createOrganization('Named Before Co., Ltd.');
  expect((await customer.request('PATCH', `/v1/organizations/${organization.id}`, { name: 'Named After Co., Ltd.' })).status).toBe(200);
  gate.open();
  await eventually(async () => {
    const described = await describeWorkflow('administrator', organization.administratorId);
    return described.typedSearchAttributes.get(ORGANIZATION_NAME) === 'Named After Co., Ltd.' ? true : undefined;
  });
});

test('a settle that fails for a moment is tried again: the workflow of a row deleted meanwhile still ends', async () => {
  const realRemove = harness.workflows.removeWithOrganization;
  let failures = 0;
  harness.workflows.removeWithOrganization = async (id) => {
    if (failures++ === 0) throw Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code: 14 });
    return realRemove(id);
  };
  try {
    const organization = await createOrganization('Settled On Retry Co., Ltd.');
    expect((await customer.request('DELETE', `/v1/organizations/${organization.id}`)).status).toBe(204);
    gate.open();
    await eventually(async () => ((await describeWorkflow('administrator', organization.administratorId)).status.name === 'COMPLETED' ? true : undefined));
    expect(failures).toBe(2);
  } finally {
    harness.workflows.removeWithOrganization = realRemove;
  }
});
