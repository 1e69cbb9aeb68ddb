import { setTimeout as sleep } from 'node:timers/promises';
import { lockAccount } from '../../src/db/account-lock';
import { workflowIdFor } from '../../src/temporal/ids';
import { ADMINISTRATOR, ORGANIZATION, eventually, startHarness, type Api, type Harness } from '../support/harness';

/**
 * Issue 9: a create's workflows start after its rows are committed (src/app/start-after-commit.ts), with at
 * least one request deadline for the starts. A commit that used up the request's deadline used to leave them
 * a millisecond, and the workflows waited for the reconciler's next pass (this harness runs no reconciler).
 */
const DEADLINE_MS = 2_000;
let harness: Harness;
let customer: Api;

beforeAll(async () => {
  harness = await startHarness({ env: { REQUEST_DEADLINE: `${DEADLINE_MS}ms` } });
  customer = await harness.customer();
});
afterAll(() => harness?.stop());

const marked = async (table: 'organizations' | 'administrators', id: string) =>
  (await harness.db.selectFrom(table).select('workflow_started').where('id', '=', id).executeTakeFirst())?.workflow_started;

test("a create whose commit came at the end of its deadline still starts its workflows, not at the reconciler's next pass", async () => {
  const body = { organization: { ...ORGANIZATION, name: 'Late Commit Co., Ltd.' }, administrator: ADMINISTRATOR };
  const headers = { 'idempotency-key': 'late-commit' };
  // The account's lock held until 250 ms before the create's deadline: its rows commit with less than the starts' margin left.
  let taken!: () => void;
  const lockTaken = new Promise<void>((resolve) => (taken = resolve));
  const holder = harness.db.transaction().execute(async (trx) => {
    await lockAccount(trx, customer.id);
    taken();
    await sleep(DEADLINE_MS - 250);
  });
  await lockTaken;
  const first = await customer.request('POST', '/v1/organizations', body, headers);
  await holder;
  // The first attempt committed (a retry would be a create of its own, with a whole deadline for its starts).
  const committed = await harness.db.selectFrom('organizations').select('id').where('account_id', '=', customer.id).execute();
  expect(committed).toHaveLength(1);
  // A deadline that passed right at the commit answers 503; the retry with the same key gets the first answer.
  const created = first.status === 503 ? await customer.request('POST', '/v1/organizations', body, headers) : first;
  expect(created.status).toBe(201);
  const organizationId: string = created.body.id;
  expect(organizationId).toBe(committed[0].id);
  const administratorId: string = created.body.administrators[0].id;

  await eventually(
    async () => ((await marked('organizations', organizationId)) && (await marked('administrators', administratorId)) ? true : undefined),
    5_000,
    'both rows marked started',
  );
  for (const [kind, id] of [
    ['organization', organizationId],
    ['administrator', administratorId],
  ] as const) {
    expect((await harness.client.workflow.getHandle(workflowIdFor(kind, id)).describe()).status.name).toBe('RUNNING');
  }
});
