import { Client as PgClient } from 'pg';
import { markStarted, startWorkflows } from '../../src/app/start-workflows';
import { createAdministrator, createOrganization } from '../../src/db/profile-create';
import { createIdempotently } from '../../src/db/idempotent-create';
import { createDomain } from '../../src/db/domain-store';
import type { DomainRow } from '../../src/db/schema';
import { administratorInput, organizationInput } from '../../src/domain/schemas';
import { reconcileWorkflows } from '../../src/temporal/reconciler';
import { workflowIdFor } from '../../src/temporal/ids';
import { editUpdate } from '../../workflows/messages';
import { precheckUpdate } from '../../workflows/domain-messages';
import { ADMINISTRATOR, ORGANIZATION, approvedAdministrator, eventually, startHarness, type Api, type Harness } from '../support/harness';
import { administratorApproval } from '../support/review-records';

/**
 * docs/architecture.md rule 3, no orphans: rows committed by the API whose workflow start was lost to a crash
 * (written here by the API's own create functions, without the start that follows them) get their
 * workflows from the reconciler, in the state the rows say; and a request that loaded a row just
 * before it was deleted leaves no workflow behind.
 */
let harness: Harness;
let customer: Api;
let reviewer: Api;

beforeAll(async () => {
  harness = await startHarness();
  customer = await harness.customer();
  reviewer = await harness.reviewer();
});
afterAll(async () => harness?.stop());

const reconcile = () => reconcileWorkflows(harness.db, { profiles: harness.workflows, domains: harness.domains }, 0);
const actor = () => ({ kind: 'customer' as const, id: customer.id });
const workflowStatus = async (kind: 'administrator' | 'domain', id: string) =>
  (await harness.client.workflow.getHandle(workflowIdFor(kind, id)).describe()).status.name;

/** What POST /v1/organizations/{id}/administrators commits before it starts the workflow. */
async function administratorWithoutWorkflow(organizationId: string, email: string): Promise<string> {
  const created = await createAdministrator(harness.db, {
    accountId: customer.id,
    organizationId,
    administrator: administratorInput('CN').parse({ ...ADMINISTRATOR, email }),
    actor: actor(),
    timings: harness.config.timings,
    respond: (row) => row.id,
  });
  return created.body;
}

/** What POST /v1/administrators/{id}/domains commits before it starts the workflow. */
async function domainWithoutWorkflow(administratorId: string, name: string): Promise<string> {
  const created = await createIdempotently(harness.db, customer.id, undefined, async (trx) => ({
    status: 201,
    body: (
      await createDomain(trx, {
        accountId: customer.id,
        administratorId,
        name,
        method: 'dns_txt',
        dnsProviderId: null,
        actor: actor(),
        dcv: harness.config.dcv,
      })
    ).id,
  }));
  return created.body;
}

test('an administrator and a domain whose starts were lost get their workflows, once', async () => {
  const { administratorId } = await approvedAdministrator(customer, reviewer);
  const organizationId = (await customer.request('GET', `/v1/administrators/${administratorId}`)).body.organizationId;
  const orphanAdministrator = await administratorWithoutWorkflow(organizationId, 'orphan@example.com');
  const orphanDomain = await domainWithoutWorkflow(administratorId, 'orphan.example.com');
  await expect(workflowStatus('administrator', orphanAdministrator)).rejects.toThrow(/not found/i);

  expect((await reconcile()).started).toBeGreaterThanOrEqual(2);
  expect(await workflowStatus('administrator', orphanAdministrator)).toBe('RUNNING');
  expect(await workflowStatus('domain', orphanDomain)).toBe('RUNNING');
  // The started workflow answers like any other: the reviewer can decide.
  const decided = await reviewer.request(
    'POST',
    `/v1/reviews/administrators/${orphanAdministrator}/decision`,
    administratorApproval({ email: 'orphan@example.com' }),
  );
  expect([decided.status, decided.body.status]).toEqual([200, 'approved']);
  // Nothing left to start on the next pass.
  expect((await reconcile()).started).toBe(0);
});

test('a row whose start keeps failing is retried every pass, and the rows after it still get their workflows', async () => {
  const { administratorId } = await approvedAdministrator(customer, reviewer);
  const orphans: string[] = [];
  for (const name of ['poison.example.com', 'after-poison-1.example.com', 'after-poison-2.example.com']) {
    orphans.push(await domainWithoutWorkflow(administratorId, name));
  }
  const [poison, ...rest] = orphans;
  const refusing = {
    profiles: harness.workflows,
    domains: {
      ...harness.domains,
      start: (row: DomainRow, signal?: AbortSignal) => (row.id === poison ? Promise.reject(new Error('refused')) : harness.domains.start(row, signal)),
    },
  };
  // One row a page: before, the oldest rows' failing starts filled every page and newer rows waited forever.
  await expect(reconcileWorkflows(harness.db, refusing, 0, 1)).rejects.toMatchObject({
    message: expect.stringMatching(/^workflow starts failed and wait for the next pass: .*refused/),
    failed: 1,
  });
  for (const id of rest) expect(await workflowStatus('domain', id)).toBe('RUNNING');
  await expect(workflowStatus('domain', poison)).rejects.toThrow(/not found/i);
  // Once its start goes through, the next pass gives it its workflow.
  await reconcile();
  expect(await workflowStatus('domain', poison)).toBe('RUNNING');
});

test('an organization rejected while an administrator had no workflow rejects it once the reconciler starts it', async () => {
  const organization = (await customer.request('POST', '/v1/organizations', { organization: { ...ORGANIZATION, name: 'Rejected Later Ltd.' } })).body;
  const orphan = await administratorWithoutWorkflow(organization.id, 'late@example.com');
  const rejected = await reviewer.request('POST', `/v1/reviews/organizations/${organization.id}/decision`, {
    decision: 'reject',
    reason: 'registration number not found',
  });
  expect(rejected.body.status).toBe('rejected');
  // Its signal found no workflow: the row is still under review.
  expect((await customer.request('GET', `/v1/administrators/${orphan}`)).body.status).toBe('under_review');

  await reconcile();
  const administrator = await eventually(
    async () => {
      const body = (await customer.request('GET', `/v1/administrators/${orphan}`)).body;
      return body.status === 'rejected' ? body : undefined;
    },
    10_000,
    'administrator rejected with its organization',
  );
  expect(administrator.rejectionReason).toBe('organization rejected: registration number not found');
});

test('an update that loaded a row just before its delete answers 404 and its workflow run ends', async () => {
  const { administratorId } = await approvedAdministrator(customer, reviewer);
  const organization = (await customer.request('POST', '/v1/organizations', { organization: { ...ORGANIZATION, name: 'Deleted Meanwhile Ltd.' } })).body;
  const staleOrganization = await harness.db.selectFrom('organizations').selectAll().where('id', '=', organization.id).executeTakeFirstOrThrow();
  const domain = (
    await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: 'meanwhile.example.com', autoValidation: false, method: 'dns' })
  ).body;
  const staleDomain = await harness.db.selectFrom('domains').selectAll().where('id', '=', domain.id).executeTakeFirstOrThrow();
  expect((await customer.request('DELETE', `/v1/organizations/${organization.id}`)).status).toBe(204);
  expect((await customer.request('DELETE', `/v1/domains/${domain.id}`)).status).toBe(204);
  const ended = async (workflowId: string) => {
    const handle = harness.client.workflow.getHandle(workflowId);
    return eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined), 10_000, `${workflowId} completed`);
  };
  await ended(workflowIdFor('organization', organization.id));
  await ended(workflowIdFor('domain', domain.id));

  // The requests a PATCH and a pre-check send with the rows they loaded: update-with-start begins a new run.
  await expect(
    harness.workflows.update('organization', staleOrganization, editUpdate, { changes: { city: 'Shanghai' }, actor: actor() }),
  ).rejects.toMatchObject({ status: 404 });
  await expect(harness.domains.update(staleDomain, precheckUpdate, { actor: actor() })).rejects.toMatchObject({ status: 404 });
  // Those runs found no row and ended, instead of failing or waiting forever.
  await ended(workflowIdFor('organization', organization.id));
  await ended(workflowIdFor('domain', domain.id));
});

// The API marks a create's rows after its answer, so the customer's next request may already be at work on them.
// A delete locks the organization and then its administrators; an approval the administrator and then its organization.
describe.each([
  { holder: "an organization's delete", holds: 'organization' as const },
  { holder: "an administrator's approval", holds: 'administrator' as const },
])('marking rows started while $holder holds the $holds', ({ holds }) => {
  test('waits for nothing, marks the free rows in one statement, and leaves the held one to the reconciler', async () => {
    const { organization, administrators } = (
      await createOrganization(harness.db, {
        accountId: customer.id,
        organization: organizationInput.parse({ ...ORGANIZATION, name: `Marked While Held ${holds} Ltd.` }),
        administrator: administratorInput('CN').parse({ ...ADMINISTRATOR, email: `held-${holds}@example.com` }),
        actor: actor(),
        timings: harness.config.timings,
        respond: (organization, administrators) => ({ organization, administrators }),
      })
    ).body;
    const ids = { organization: organization.id, administrator: administrators[0].id };
    const free = holds === 'organization' ? 'administrator' : 'organization';
    const marked = async (kind: 'organization' | 'administrator') =>
      (
        await harness.db
          .selectFrom(kind === 'organization' ? 'organizations' : 'administrators')
          .select('workflow_started')
          .where('id', '=', ids[kind])
          .executeTakeFirstOrThrow()
      ).workflow_started;
    const holder = new PgClient({ connectionString: harness.databaseUrl });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query(`select id from ${holds}s where id = $1 for update`, [ids[holds]]);
      // Before: a mark that waited here for the held row while holding the other deadlocked with the holder's next step.
      const count = await markStarted(harness.db, { organizations: [organization.id], administrators: [administrators[0].id], domains: [] });
      expect(count).toBe(1);
      expect(await marked(free)).toBe(true);
      expect(await marked(holds)).toBe(false);
      // The holder's next step (the other row) does not wait for the mark either.
      await holder.query(`select id from ${free}s where id = $1 for update`, [ids[free]]);
      await holder.query('rollback');
    } finally {
      await holder.end();
    }
    // The reconciler's pass starts the held row's workflow again (it runs already) and marks it.
    await reconcile();
    expect(await marked(holds)).toBe(true);
  });
});

test("a create's start that comes after the customer deleted what it created does not run its workflow again", async () => {
  // The API answers a create before its workflows start: the customer's delete can start (update-with-start) and end them first.
  const { organization, administrators } = (
    await createOrganization(harness.db, {
      accountId: customer.id,
      organization: organizationInput.parse({ ...ORGANIZATION, name: 'Deleted Before Its Start Ltd.' }),
      administrator: administratorInput('CN').parse({ ...ADMINISTRATOR, email: 'deleted-first@example.com' }),
      actor: actor(),
      timings: harness.config.timings,
      respond: (organization, administrators) => ({ organization, administrators }),
    })
  ).body;
  expect((await customer.request('DELETE', `/v1/organizations/${organization.id}`)).status).toBe(204);
  const handle = harness.client.workflow.getHandle(workflowIdFor('organization', organization.id));
  const ended = await eventually(
    async () => {
      const described = await handle.describe();
      return described.status.name === 'COMPLETED' ? described : undefined;
    },
    10_000,
    'the deleted organization workflow completed',
  );

  const late = await startWorkflows({ profiles: harness.workflows, domains: harness.domains }, { organizations: [organization], administrators });
  // Taken as started (nothing for the reconciler to retry), and no new run began.
  expect(late).toEqual({ started: { organizations: [organization.id], administrators: [administrators[0].id], domains: [] }, failures: [] });
  const after = await handle.describe();
  expect([after.runId, after.status.name]).toEqual([ended.runId, 'COMPLETED']);
});
