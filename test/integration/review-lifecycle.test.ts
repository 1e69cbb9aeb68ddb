import { workflowIdFor } from '../../src/temporal/ids';
import { ENTITY_STATUS } from '../../src/temporal/search-attributes';
import { ADMINISTRATOR, ORGANIZATION, eventually, fastTimings, startHarness, type Api, type Harness } from '../support/harness';
import { STORED_LANDLINE, administratorApproval, organizationApproval } from '../support/review-records';

// Seconds instead of days: review SLA 2s, reminders every 1s, identity valid 8s, expiring in the last 4s.
const timings = fastTimings({ reviewSla: '2s', reviewReminderInterval: '1s', identityReusePeriod: '8s', expiringWindow: '4s' });

let harness: Harness;
let customer: Api;
let reviewer: Api;

beforeAll(async () => {
  harness = await startHarness({ timings });
  customer = await harness.customer();
  reviewer = await harness.reviewer();
});
afterAll(async () => harness?.stop());

let submitted = 0;

/** The sample organization first, then others: an account holds each legal entity once. */
async function submit(api: Api = customer, withAdministrator = true) {
  const name = submitted++ === 0 ? ORGANIZATION.name : `${ORGANIZATION.name} Branch ${submitted}`;
  const response = await api.request('POST', '/v1/organizations', {
    organization: { ...ORGANIZATION, name },
    ...(withAdministrator ? { administrator: ADMINISTRATOR } : {}),
  });
  expect(response.status).toBe(201);
  return response.body;
}

const decide = (kind: 'organizations' | 'administrators', id: string, body: unknown) => reviewer.request('POST', `/v1/reviews/${kind}/${id}/decision`, body);
const statusOf = async (path: string) => (await customer.request('GET', path)).body.status;
const actions = async (path: string, api: Api = customer): Promise<string[]> =>
  (await api.request('GET', `${path}/events?limit=100`)).body.items.map((e: { action: string }) => e.action);

test('an organization and its administrator go through review, SLA reminders, approval, expiry and resubmission', async () => {
  const organization = await submit();
  const administrator = organization.administrators[0];
  expect(organization).toMatchObject({ status: 'under_review', landline: '+861065529988', country: 'CN', approvedAt: null, validUntil: null });
  // The email's domain is stored in lowercase A-labels, its local part as entered (RFC 5321 §2.4).
  expect(administrator).toMatchObject({ status: 'under_review', phone: '+8613800138000', email: 'Li.Lei@acme.cn' });
  expect(Date.parse(organization.dueAt) - Date.parse(organization.submittedAt)).toBe(2000);

  const queue = await reviewer.request('GET', '/v1/reviews?status=pending&limit=100');
  const queued = queue.body.items.filter((i: { organizationId: string }) => i.organizationId === organization.id);
  expect(queued.map((i: { kind: string }) => i.kind)).toEqual(['organization', 'administrator']);
  expect(queued[0]).toMatchObject({ accountId: customer.id, overdue: false, subject: { name: ORGANIZATION.name } });

  // Past the SLA: overdue in the queue, and reminder events repeat at the interval.
  await eventually(
    async () => {
      const overdue = await reviewer.request('GET', '/v1/reviews?status=overdue&limit=100');
      return overdue.body.items.find((i: { id: string; overdue: boolean }) => i.id === organization.id && i.overdue) || undefined;
    },
    10_000,
    'overdue review',
  );
  await eventually(
    async () => ((await actions(`/v1/organizations/${organization.id}`)).filter((a) => a === 'review_overdue').length >= 2 ? true : undefined),
    15_000,
    'two reminders',
  );

  // An administrator is approved only once its organization is.
  const early = await decide('administrators', administrator.id, administratorApproval());
  expect(early.status).toBe(409);
  expect(early.body.detail).toMatch(/approve the organization first/);
  expect(await statusOf(`/v1/administrators/${administrator.id}`)).toBe('under_review');

  const approval = organizationApproval({ note: 'switchboard confirmed' });
  const approved = await decide('organizations', organization.id, approval);
  expect(approved.status).toBe(200);
  expect(approved.body.status).toBe('approved');
  expect(Date.parse(approved.body.validUntil) - Date.parse(approved.body.approvedAt)).toBe(8000);
  expect((await decide('administrators', administrator.id, administratorApproval())).body.status).toBe('approved');

  const handle = harness.client.workflow.getHandle(workflowIdFor('organization', organization.id));
  await eventually(
    async () => ((await handle.describe()).typedSearchAttributes.get(ENTITY_STATUS) === 'approved' ? true : undefined),
    5000,
    'search attribute',
  );

  await eventually(async () => ((await statusOf(`/v1/organizations/${organization.id}`)) === 'expiring' ? true : undefined), 10_000, 'expiring');
  await eventually(async () => ((await statusOf(`/v1/organizations/${organization.id}`)) === 'expired' ? true : undefined), 10_000, 'expired');
  await eventually(async () => ((await statusOf(`/v1/administrators/${administrator.id}`)) === 'expired' ? true : undefined), 10_000, 'administrator expired');

  const resubmitted = await customer.request('POST', `/v1/organizations/${organization.id}/resubmit`);
  expect(resubmitted.body).toMatchObject({ status: 'under_review', approvedAt: null, validUntil: null });
  expect((await customer.request('POST', `/v1/organizations/${organization.id}/resubmit`)).status).toBe(409);

  const trail = await customer.request('GET', `/v1/organizations/${organization.id}/events?limit=100`);
  const byAction = (action: string) => trail.body.items.find((e: { action: string }) => e.action === action);
  expect(byAction('submitted')).toMatchObject({ actor: { kind: 'customer' }, after: { status: 'under_review', name: ORGANIZATION.name } });
  expect(byAction('approved')).toMatchObject({
    actor: { kind: 'reviewer', id: reviewer.id, name: 'Reviewer' },
    before: { status: 'under_review' },
    after: { status: 'approved' },
    // The customer's trail tells what came of the call, not the reviewer's note.
    note: `callback to the landline at ${approval.callback.calledAt}: answered`,
  });
  expect(byAction('expiring')).toMatchObject({ actor: { kind: 'system', id: null }, before: { status: 'approved' }, after: { status: 'expiring' } });
  expect(byAction('expired')).toMatchObject({ before: { status: 'expiring' }, after: { status: 'expired' } });
  expect(byAction('resubmitted')).toMatchObject({ before: { status: 'expired' }, after: { status: 'under_review' } });
});

test('rejecting an organization rejects its pending administrators; reasons are required and shown', async () => {
  const organization = await submit();
  const administrator = organization.administrators[0];
  const noReason = await decide('organizations', organization.id, { decision: 'reject' });
  expect(noReason.status).toBe(400);
  expect(noReason.body.errors).toEqual([{ field: 'reason', message: 'a reason is required to reject', rule: 'reason-required' }]);

  const rejected = await decide('organizations', organization.id, {
    decision: 'reject',
    reason: 'legal name does not match the registry',
    callback: { number: STORED_LANDLINE, calledAt: new Date().toISOString(), outcome: 'wrong_number' },
  });
  expect(rejected.body).toMatchObject({ status: 'rejected', rejectionReason: 'legal name does not match the registry' });
  const cascaded = await eventually(
    async () => {
      const body = (await customer.request('GET', `/v1/administrators/${administrator.id}`)).body;
      return body.status === 'rejected' ? body : undefined;
    },
    10_000,
    'administrator rejected with its organization',
  );
  expect(cascaded.rejectionReason).toBe('organization rejected: legal name does not match the registry');
  expect(await actions(`/v1/administrators/${administrator.id}`)).toContain('rejected_with_organization');

  expect((await decide('organizations', organization.id, organizationApproval())).status).toBe(409);
  expect((await customer.request('POST', `/v1/organizations/${organization.id}/resubmit`)).body.status).toBe('under_review');
  expect((await customer.request('POST', `/v1/administrators/${administrator.id}/resubmit`)).body.status).toBe('under_review');
});

test('editing a reviewed field sends an approved organization back to review; an unreviewed one does not', async () => {
  const organization = await submit();
  expect((await decide('organizations', organization.id, organizationApproval())).status).toBe(200);

  const relabelled = await customer.request('PATCH', `/v1/organizations/${organization.id}`, { displayName: 'Acme Beijing' });
  expect(relabelled.body).toMatchObject({ status: 'approved', displayName: 'Acme Beijing' });

  const moved = await customer.request('PATCH', `/v1/organizations/${organization.id}`, { address: '2 Zhongguancun Street' });
  expect(moved.body).toMatchObject({ status: 'under_review', address: '2 Zhongguancun Street', approvedAt: null });

  const badPhone = await customer.request('PATCH', `/v1/organizations/${organization.id}`, { landline: '+86 138 0013 8000' });
  expect(badPhone.status).toBe(400);
  expect(badPhone.body.errors[0]).toMatchObject({ field: 'landline' });
  expect((await customer.request('GET', `/v1/organizations/${organization.id}`)).body.landline).toBe('+861065529988');

  const edits = (await customer.request('GET', `/v1/organizations/${organization.id}/events?limit=100`)).body.items.filter(
    (e: { action: string }) => e.action === 'edited',
  );
  expect(edits).toEqual([
    expect.objectContaining({ before: { displayName: null }, after: { displayName: 'Acme Beijing' } }),
    expect.objectContaining({
      before: { address: ORGANIZATION.address, status: 'approved' },
      after: { address: '2 Zhongguancun Street', status: 'under_review' },
    }),
  ]);

  const administrator = organization.administrators[0];
  const renamed = await customer.request('PATCH', `/v1/administrators/${administrator.id}`, { position: 'CIO', phone: '+86 139 0000 0000' });
  expect(renamed.body).toMatchObject({ position: 'CIO', phone: '+8613900000000', status: 'under_review' });
});

test('later organizations may come without an administrator and get them afterwards; deletes free a slot and end workflows', async () => {
  const account = await harness.customer('Second account');
  const first = await account.request('POST', '/v1/organizations', { organization: ORGANIZATION });
  expect(first.status).toBe(400);
  expect(first.body.errors).toEqual([{ field: 'administrator', message: "required with the account's first organization", rule: 'administrator-required' }]);

  const withAdmin = await submit(account);
  const alone = await submit(account, false);
  expect(alone.administrators).toEqual([]);

  const added = await account.request('POST', `/v1/organizations/${alone.id}/administrators`, { ...ADMINISTRATOR, email: 'ops@acme.cn' });
  expect(added.status).toBe(201);
  expect(added.body).toMatchObject({ organizationId: alone.id, status: 'under_review', email: 'ops@acme.cn' });
  const listed = await account.request('GET', `/v1/organizations/${alone.id}/administrators`);
  expect(listed.body).toEqual({ items: [added.body], nextCursor: null });

  expect((await account.request('DELETE', `/v1/administrators/${added.body.id}`)).status).toBe(204);
  expect((await account.request('GET', `/v1/administrators/${added.body.id}`)).status).toBe(404);

  const adminOfFirst = withAdmin.administrators[0].id;
  expect((await account.request('DELETE', `/v1/organizations/${withAdmin.id}`)).status).toBe(204);
  expect((await account.request('GET', `/v1/organizations/${withAdmin.id}`)).status).toBe(404);
  expect((await account.request('GET', `/v1/administrators/${adminOfFirst}`)).status).toBe(404);
  expect((await account.request('DELETE', `/v1/organizations/${withAdmin.id}`)).status).toBe(404);
  for (const id of [workflowIdFor('organization', withAdmin.id), workflowIdFor('administrator', adminOfFirst)]) {
    await eventually(
      async () => ((await harness.client.workflow.getHandle(id).describe()).status.name === 'COMPLETED' ? true : undefined),
      10_000,
      `${id} completed`,
    );
  }
  // The audit trail outlives the object (reminders aside: the file's 2 s review SLA can pass on a busy machine).
  const lifecycle = async (path: string) => (await actions(path, account)).filter((action) => action !== 'review_overdue');
  expect(await lifecycle(`/v1/organizations/${withAdmin.id}`)).toEqual(['submitted', 'deleted']);
  expect(await lifecycle(`/v1/administrators/${adminOfFirst}`)).toEqual(['submitted', 'deleted_with_organization']);
  const remaining = await account.request('GET', '/v1/organizations');
  expect(remaining.body.items.map((o: { id: string }) => o.id)).toEqual([alone.id]);
});

test('operators find profiles in Temporal by account, kind and status', async () => {
  const account = await harness.customer('Searchable');
  const organization = await submit(account);
  expect((await decide('organizations', organization.id, organizationApproval())).status).toBe(200);
  const query = `AccountId = "${account.id}" AND EntityKind = "organization" AND EntityStatus = "approved"`;
  const found = await eventually(
    async () => {
      const ids: string[] = [];
      for await (const execution of harness.client.workflow.list({ query })) ids.push(execution.workflowId);
      return ids.length ? ids : undefined;
    },
    15_000,
    'visibility',
  );
  expect(found).toEqual([workflowIdFor('organization', organization.id)]);
});
