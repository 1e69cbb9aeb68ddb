import { ADMINISTRATOR, ORGANIZATION, eventually, startHarness, type Api, type Harness } from '../support/harness';
import { organizationApproval } from '../support/review-records';

// The embedded default (`npm start` without DATABASE_URL): the same service on PGlite, Postgres compiled to WASM.
let harness: Harness;
let customer: Api;
let reviewer: Api;
beforeAll(async () => {
  harness = await startHarness({ database: 'pglite' });
  customer = await harness.customer();
  reviewer = await harness.reviewer();
});
afterAll(async () => harness?.stop());

test('the review lifecycle, the limit and idempotency hold on PGlite', async () => {
  const body = (n: number) => ({ organization: { ...ORGANIZATION, name: `Acme ${n}` }, administrator: ADMINISTRATOR });
  const first = await customer.request('POST', '/v1/organizations', body(0), { 'Idempotency-Key': 'k0' });
  expect(first.status).toBe(201);
  expect((await customer.request('POST', '/v1/organizations', body(0), { 'Idempotency-Key': 'k0' })).body.id).toBe(first.body.id);

  const racing = await Promise.all(Array.from({ length: 12 }, (_, n) => customer.request('POST', '/v1/organizations', body(n + 1))));
  expect(racing.filter((r) => r.status === 201)).toHaveLength(9);
  expect(racing.filter((r) => r.status === 409)).toHaveLength(3);

  const organization = first.body;
  const administrator = organization.administrators[0];
  const approved = (await reviewer.request('POST', `/v1/reviews/organizations/${organization.id}/decision`, organizationApproval())).body;
  expect(approved.status).toBe('approved');
  // Identity reuse period of the Baseline Requirements in force since 2026-03-15: 398 days.
  expect(Date.parse(approved.validUntil) - Date.parse(approved.approvedAt)).toBe(398 * 86_400_000);
  expect(
    (await reviewer.request('POST', `/v1/reviews/administrators/${administrator.id}/decision`, { decision: 'reject', reason: 'not an employee' })).body.status,
  ).toBe('rejected');
  expect((await customer.request('PATCH', `/v1/organizations/${organization.id}`, { city: 'Tianjin' })).body.status).toBe('under_review');

  expect((await customer.request('DELETE', `/v1/organizations/${organization.id}`)).status).toBe(204);
  expect((await customer.request('POST', '/v1/organizations', body(99))).status).toBe(201);
  const trail = await eventually(async () => {
    const items = (await customer.request('GET', `/v1/administrators/${administrator.id}/events`)).body.items;
    return items.length === 3 ? items.map((e: { action: string }) => e.action) : undefined;
  });
  expect(trail).toEqual(['submitted', 'rejected', 'deleted_with_organization']);
});
