import type { WorkflowHandle } from '@temporalio/client';
import { workflowIdFor } from '../../src/temporal/ids';
import { ENTITY_STATUS, NEEDS_ATTENTION, ORGANIZATION_NAME } from '../../src/temporal/search-attributes';
import {
  ADMINISTRATOR,
  approvedAdministrator,
  domainWatcher,
  eventually,
  fastTimings,
  ORGANIZATION,
  startHarness,
  type Api,
  type Harness,
} from '../support/harness';

/**
 * Issue 8 item 4: what an operator sees of each workflow in the Temporal UI, read the way the UI reads
 * it: the workflow list and its search attributes (ListWorkflowExecutions), the static summary
 * (DescribeWorkflowExecution) and the current details (the `__temporal_workflow_metadata` query).
 */
let harness: Harness;
let customer: Api;
let reviewer: Api;

beforeAll(async () => {
  // Reviews fall due after 3 s and random values expire after 3 s, so overdue reviews and failed domains happen here.
  harness = await startHarness({ timings: fastTimings({ reviewSla: '3s' }), env: { RANDOM_VALUE_LIFETIME: '3s' } });
  customer = await harness.customer();
  reviewer = await harness.reviewer();
});
afterAll(async () => harness?.stop());

const handle = (kind: 'organization' | 'administrator' | 'domain', id: string): WorkflowHandle => harness.client.workflow.getHandle(workflowIdFor(kind, id));

/** What the UI shows of one workflow: its search attributes, summary and current details. */
async function view(kind: 'organization' | 'administrator' | 'domain', id: string) {
  const description = await handle(kind, id).describe();
  const metadata = await handle(kind, id).query<{ currentDetails: string }>('__temporal_workflow_metadata');
  return {
    status: description.status.name,
    organizationName: description.typedSearchAttributes.get(ORGANIZATION_NAME),
    entityStatus: description.typedSearchAttributes.get(ENTITY_STATUS),
    needsAttention: description.typedSearchAttributes.get(NEEDS_ATTENTION),
    summary: await description.staticSummary(),
    details: metadata.currentDetails,
  };
}

/** Polls `view` until `predicate` holds. */
const viewUntil = (kind: 'organization' | 'administrator' | 'domain', id: string, predicate: (v: Awaited<ReturnType<typeof view>>) => boolean, what: string) =>
  eventually(
    async () => {
      const current = await view(kind, id);
      return predicate(current) ? current : undefined;
    },
    20_000,
    what,
  );

/** Workflow ids the list query finds for this test's account. */
async function listed(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of harness.client.workflow.list({ query: `AccountId = "${customer.id}" AND (${query})` })) ids.push(execution.workflowId);
  return ids.sort();
}

test('organization, administrator and domain show the legal name, status and due time, and follow a rename', async () => {
  const { organizationId, administratorId } = await approvedAdministrator(customer, reviewer);
  const name = (await customer.request('GET', `/v1/organizations/${organizationId}`)).body.name as string;
  const domain = (
    await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: 'view.example.com', autoValidation: false, method: 'dns' })
  ).body;

  const organization = await viewUntil('organization', organizationId, (v) => v.entityStatus === 'approved', 'organization approved');
  expect(organization).toMatchObject({ status: 'RUNNING', organizationName: name, needsAttention: false, summary: `Organization ${organizationId}` });
  expect(organization.details).toContain(`Organization: **${name}**`);
  expect(organization.details).toContain('Status: **approved**');
  expect(organization.details).toMatch(/Valid until: \d{4}-\d\d-\d\dT/);
  const administrator = await view('administrator', administratorId);
  expect(administrator).toMatchObject({ organizationName: name, entityStatus: 'approved' });
  expect(administrator.details).toContain(`Organization: **${name}** (\`${organizationId}\`)`);
  // A create answers before its workflow starts (src/app/start-after-commit.ts).
  const pending = await viewUntil('domain', domain.id, () => true, 'domain started');
  expect(pending).toMatchObject({ organizationName: name, entityStatus: 'pending', summary: 'Domain view.example.com (dns_txt)' });
  expect(pending.details).toContain('Domain **view.example.com**');
  expect(pending.details).toContain(`Random value expires: ${domain.randomValueExpiresAt}`);

  // The legal name changes: every workflow of the organization shows the new one, in the list and the details.
  const renamed = 'Acme Renamed Technology Co., Ltd.';
  expect((await customer.request('PATCH', `/v1/organizations/${organizationId}`, { name: renamed })).status).toBe(200);
  for (const [kind, id] of [
    ['organization', organizationId],
    ['administrator', administratorId],
    ['domain', domain.id],
  ] as const) {
    const current = await viewUntil(kind, id, (v) => v.organizationName === renamed, `${kind} renamed`);
    expect(current.details).toContain(`Organization: **${renamed}**`);
    expect(current.details).not.toContain(name);
  }
  // A reviewed field changed: the organization is under review again, due in 3 s.
  const review = await view('organization', organizationId);
  expect(review.entityStatus).toBe('under_review');
  expect(review.details).toMatch(/Review due: \d{4}-\d\d-\d\dT/);
  // Text attribute: operators find the organization's workflows by a word of its name.
  expect(
    await eventually(async () => ((await listed('OrganizationName = "Renamed"')).length === 3 ? listed('OrganizationName = "Renamed"') : undefined)),
  ).toEqual([workflowIdFor('administrator', administratorId), workflowIdFor('domain', domain.id), workflowIdFor('organization', organizationId)].sort());
});

test('an overdue review is flagged NeedsAttention and found by the saved queries of README', async () => {
  const created = (
    await customer.request('POST', '/v1/organizations', { organization: { ...ORGANIZATION, name: 'Overdue Review Co., Ltd.' }, administrator: ADMINISTRATOR })
  ).body;
  const administratorId = created.administrators[0].id;
  const fresh = await viewUntil('organization', created.id, () => true, 'organization started');
  expect(fresh).toMatchObject({ entityStatus: 'under_review', needsAttention: false });
  expect(fresh.details).toContain(`Review due: ${created.dueAt}`);
  // Due after 3 s: the first reminder marks both reviews overdue.
  const overdue = await viewUntil('organization', created.id, (v) => v.needsAttention === true, 'organization overdue');
  expect(overdue.details).toContain('Review overdue');
  await viewUntil('administrator', administratorId, (v) => v.needsAttention === true, 'administrator overdue');
  const ids = [workflowIdFor('organization', created.id), workflowIdFor('administrator', administratorId)].sort();
  // README "Operate it": the reviewer backlog and the overdue reviews.
  expect(await eventually(async () => ((await listed('EntityStatus = "under_review" AND NeedsAttention = true')).length >= 2 ? true : undefined))).toBe(true);
  expect(await listed('EntityStatus = "under_review" AND NeedsAttention = true')).toEqual(expect.arrayContaining(ids));
  expect(await listed('EntityStatus = "under_review"')).toEqual(expect.arrayContaining(ids));

  // Decided: no longer overdue.
  const decided = await reviewer.request('POST', `/v1/reviews/organizations/${created.id}/decision`, {
    decision: 'reject',
    reason: 'not found in the register',
  });
  expect(decided.status).toBe(200);
  const rejected = await viewUntil('organization', created.id, (v) => v.entityStatus === 'rejected' && v.needsAttention === false, 'organization rejected');
  // Rejected is terminal: the workflow stays open for a resubmission, and says so.
  expect(rejected.status).toBe('RUNNING');
  expect(rejected.details).toContain('Status: **rejected** (terminal');
  const administrator = await viewUntil('administrator', administratorId, (v) => v.entityStatus === 'rejected', 'administrator rejected with it');
  expect(administrator.details).toContain('(terminal');
});

test('a domain that failed for good is visibly so: EntityStatus failed, terminal in its details, found by the saved query', async () => {
  const { administratorId } = await approvedAdministrator(customer, reviewer);
  const domain = (
    await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: 'gone.example.com', autoValidation: false, method: 'dns' })
  ).body;
  await domainWatcher(customer).until(domain.id, (d) => d.status === 'failed', 'random value expired');
  const failed = await viewUntil('domain', domain.id, (v) => v.entityStatus === 'failed', 'failed in Temporal');
  expect(failed.details).toContain('Status: **failed** (terminal');
  expect(failed.details).not.toContain('Random value expires');
  expect(
    await eventually(async () =>
      (await listed('EntityStatus IN ("failed", "expired", "rejected")')).includes(workflowIdFor('domain', domain.id)) ? true : undefined,
    ),
  ).toBe(true);
});
