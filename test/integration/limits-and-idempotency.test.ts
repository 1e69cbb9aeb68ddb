import { request as httpRequest } from 'node:http';
import { idempotencyOf } from '../../src/api/context';
import { claimUpdateKey, expireIdempotencyKeys } from '../../src/db/idempotent-create';
import { createAdministrator, createOrganization } from '../../src/db/profile-create';
import { administratorInput, organizationInput } from '../../src/domain/schemas';
import { ADMINISTRATOR, ORGANIZATION, approvedAdministrator, startHarness, type Api, type Harness } from '../support/harness';
import { administratorApproval, organizationApproval } from '../support/review-records';

let harness: Harness;
let reviewer: Api;
beforeAll(async () => {
  harness = await startHarness();
  reviewer = await harness.reviewer();
});
afterAll(async () => harness?.stop());

const body = (n: number) => ({ organization: { ...ORGANIZATION, name: `Acme Subsidiary ${n} Ltd.` }, administrator: ADMINISTRATOR });
const countOrganizations = async (accountId: string) =>
  Number(
    (
      await harness.db
        .selectFrom('organizations')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow()
    ).n,
  );

test('an account holds at most 10 organizations; the 11th answers 409 and a delete frees a slot', async () => {
  const customer = await harness.customer();
  const ids: string[] = [];
  for (let n = 1; n <= 10; n++) ids.push((await customer.request('POST', '/v1/organizations', body(n))).body.id);
  const eleventh = await customer.request('POST', '/v1/organizations', body(11));
  expect(eleventh.status).toBe(409);
  expect(eleventh.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(eleventh.body).toMatchObject({ title: 'Organization limit reached', type: expect.stringContaining('organization-limit') });
  expect(eleventh.body.detail).toMatch(/at most 10 organizations/);
  expect(await countOrganizations(customer.id)).toBe(10);

  expect((await customer.request('DELETE', `/v1/organizations/${ids[0]}`)).status).toBe(204);
  expect((await customer.request('POST', '/v1/organizations', body(12))).status).toBe(201);
  expect((await customer.request('POST', '/v1/organizations', body(13))).status).toBe(409);
});

test('racing creates never exceed the limit: exactly 10 of 16 concurrent requests succeed', async () => {
  const customer = await harness.customer();
  const responses = await Promise.all(Array.from({ length: 16 }, (_, n) => customer.request('POST', '/v1/organizations', body(n))));
  const statuses = responses.map((r) => r.status).sort();
  expect(statuses.filter((s) => s === 201)).toHaveLength(10);
  expect(statuses.filter((s) => s === 409)).toHaveLength(6);
  expect(await countOrganizations(customer.id)).toBe(10);
});

test('a retried POST with the same Idempotency-Key returns the first result and creates nothing', async () => {
  const customer = await harness.customer();
  const headers = { 'Idempotency-Key': 'create-acme-1' };
  const first = await customer.request('POST', '/v1/organizations', body(1), headers);
  const retry = await customer.request('POST', '/v1/organizations', body(1), headers);
  expect(first.status).toBe(201);
  expect(retry.status).toBe(201);
  expect(retry.body).toEqual(first.body);
  expect(await countOrganizations(customer.id)).toBe(1);

  const concurrent = await Promise.all(
    Array.from({ length: 6 }, () => customer.request('POST', '/v1/organizations', body(2), { 'Idempotency-Key': 'create-acme-2' })),
  );
  expect(new Set(concurrent.map((r) => r.body.id)).size).toBe(1);
  expect(concurrent.every((r) => r.status === 201)).toBe(true);
  expect(await countOrganizations(customer.id)).toBe(2);

  const reused = await customer.request('POST', '/v1/organizations', body(3), headers);
  expect(reused.status).toBe(422);
  expect(reused.body.errors).toEqual([{ field: 'Idempotency-Key', message: 'already used for a different request' }]);
  expect(await countOrganizations(customer.id)).toBe(2);

  // Keys belong to an account: another account's identical key is a new request.
  const other = await harness.customer();
  const otherFirst = await other.request('POST', '/v1/organizations', body(1), headers);
  expect(otherFirst.status).toBe(201);
  expect(otherFirst.body.id).not.toBe(first.body.id);

  const admin = (key: string) =>
    customer.request('POST', `/v1/organizations/${first.body.id}/administrators`, { ...ADMINISTRATOR, email: 'second@acme.cn' }, { 'Idempotency-Key': key });
  const a1 = await admin('admin-1');
  const a2 = await admin('admin-1');
  expect(a2.body).toEqual(a1.body);
  expect((await customer.request('GET', `/v1/organizations/${first.body.id}/administrators`)).body.items).toHaveLength(2);
});

test("a create's rows, their events and its stored answer go in one statement; the answer is the rows as stored; a failure keeps nothing", async () => {
  const customer = await harness.customer();
  const statements: string[] = [];
  // Executed queries only (begin and commit are not Kysely queries): the account lock, the key's lookup, the create's reads, its writes.
  const counted = harness.db.withPlugin({
    transformQuery: ({ node }) => node,
    transformResult: async ({ result }) => (statements.push(`${result.rows.length} rows`), result),
  });
  const create = (name: string, email: string, key: string) =>
    createOrganization(counted, {
      accountId: customer.id,
      organization: organizationInput.parse({ ...ORGANIZATION, name }),
      administrator: administratorInput('CN').parse({ ...ADMINISTRATOR, email }),
      actor: { kind: 'customer', id: customer.id },
      timings: harness.config.timings,
      idempotency: { key, fingerprint: `create ${name}` },
      respond: (organization, administrators) => ({ organization, administrators }),
    });
  const created = await create('One Statement Ltd.', 'one@example.com', 'one-statement');
  expect(statements).toHaveLength(4);
  const { organization, administrators } = created.body;
  const stored = await harness.db.selectFrom('organizations').selectAll().where('id', '=', organization.id).executeTakeFirstOrThrow();
  expect(stored).toEqual(organization);
  const storedAdministrator = await harness.db.selectFrom('administrators').selectAll().where('id', '=', administrators[0].id).executeTakeFirstOrThrow();
  expect(storedAdministrator).toEqual(administrators[0]);
  // Submitted after its organization, however fast the clock: the review queue lists the organization first.
  expect(administrators[0].submitted_at.getTime()).toBeGreaterThan(organization.submitted_at.getTime());
  const events = await harness.db.selectFrom('events').select(['entity_id', 'action']).where('account_id', '=', customer.id).orderBy('id').execute();
  expect(events).toEqual([
    { entity_id: organization.id, action: 'submitted' },
    { entity_id: administrators[0].id, action: 'submitted' },
  ]);
  const feed = await harness.db.selectFrom('account_events').select(['object_id', 'type']).where('account_id', '=', customer.id).orderBy('id').execute();
  expect(feed).toEqual([
    { object_id: organization.id, type: 'organization.submitted' },
    { object_id: administrators[0].id, type: 'administrator.submitted' },
  ]);
  // The retry reads the key and answers what was stored, as JSON.
  statements.length = 0;
  const retried = await create('One Statement Ltd.', 'one@example.com', 'one-statement');
  expect(statements).toHaveLength(2);
  expect(retried.started).toBeUndefined();
  expect(retried.body).toEqual(JSON.parse(JSON.stringify(created.body)));

  // An administrator added later: its row, event and answer in one statement too.
  statements.length = 0;
  const added = await createAdministrator(counted, {
    accountId: customer.id,
    organizationId: organization.id,
    administrator: administratorInput('CN').parse({ ...ADMINISTRATOR, email: 'second@example.com' }),
    actor: { kind: 'customer', id: customer.id },
    timings: harness.config.timings,
    idempotency: { key: 'second-administrator', fingerprint: 'second' },
    respond: (administrator) => administrator,
  });
  expect(statements).toHaveLength(5); // lock, key, the organization (shared lock), its administrators (duplicates), the writes
  expect(await harness.db.selectFrom('administrators').selectAll().where('id', '=', added.body.id).executeTakeFirstOrThrow()).toEqual(added.body);

  // A write that fails in the one statement (a country PostgreSQL refuses: char(2)) leaves no row, no event and no stored answer.
  const eventsOf = async () => ({
    audit: await harness.db.selectFrom('events').select('id').where('account_id', '=', customer.id).execute(),
    public: await harness.db.selectFrom('account_events').select('id').where('account_id', '=', customer.id).execute(),
  });
  const before = await eventsOf();
  await expect(
    createOrganization(harness.db, {
      accountId: customer.id,
      organization: { ...organizationInput.parse({ ...ORGANIZATION, name: 'Never Stored Ltd.' }), country: 'CNX' },
      administrator: administratorInput('CN').parse({ ...ADMINISTRATOR, email: 'never@example.com' }),
      actor: { kind: 'customer', id: customer.id },
      timings: harness.config.timings,
      idempotency: { key: 'never-stored', fingerprint: 'never' },
      respond: (organization) => organization,
    }),
  ).rejects.toThrow(/too long/);
  expect(await harness.db.selectFrom('idempotency_keys').select('key').where('key', '=', 'never-stored').execute()).toEqual([]);
  expect(await harness.db.selectFrom('administrators').select('id').where('email', '=', 'never@example.com').execute()).toEqual([]);
  expect(await harness.db.selectFrom('organizations').select('id').where('name', '=', 'Never Stored Ltd.').execute()).toEqual([]);
  expect(await eventsOf()).toEqual(before);
});

test('an update retried with its Idempotency-Key takes effect once; the key with a different request answers 422', async () => {
  const customer = await harness.customer();
  const organization = (await customer.request('POST', '/v1/organizations', body(1))).body;
  const decide = (decision: object, key: string) =>
    reviewer.request('POST', `/v1/reviews/organizations/${organization.id}/decision`, decision, { 'Idempotency-Key': key });
  const reject = { decision: 'reject', reason: 'address not found' };
  const decided = [await decide(reject, 'decide-1'), await decide(reject, 'decide-1')];
  expect(decided.map((r) => [r.status, r.body.status])).toEqual([
    [200, 'rejected'],
    [200, 'rejected'],
  ]);
  const changedMind = await decide(organizationApproval(), 'decide-1');
  expect([changedMind.status, changedMind.body.errors]).toEqual([422, [{ field: 'Idempotency-Key', message: 'already used for a different request' }]]);

  const resubmit = (id: string, key: string) => customer.request('POST', `/v1/organizations/${id}/resubmit`, undefined, { 'Idempotency-Key': key });
  const resubmitted = [await resubmit(organization.id, 'again-1'), await resubmit(organization.id, 'again-1')];
  expect(resubmitted.map((r) => [r.status, r.body.status])).toEqual([
    [200, 'under_review'],
    [200, 'under_review'],
  ]);
  const other = (await customer.request('POST', '/v1/organizations', body(2))).body;
  expect((await resubmit(other.id, 'again-1')).status).toBe(422);
  // Keys belong to their owner: the reviewer's key is not the customer's.
  expect((await resubmit(organization.id, 'decide-1')).status).toBe(409);

  const trail = (await customer.request('GET', `/v1/organizations/${organization.id}/events`)).body.items.map((e: { action: string }) => e.action);
  expect([trail.filter((a: string) => a === 'rejected'), trail.filter((a: string) => a === 'resubmitted')]).toEqual([['rejected'], ['resubmitted']]);
});

test('a retry that spells the same request differently (keys in another order, an id in upper case, a trailing slash) gets the first answer', async () => {
  const customer = await harness.customer();
  const sent = body(1);
  const reordered = { administrator: { ...sent.administrator }, organization: Object.fromEntries(Object.entries(sent.organization).reverse()) };
  const first = await customer.request('POST', '/v1/organizations', sent, { 'Idempotency-Key': 'spelled-1' });
  const again = await customer.request('POST', '/v1/organizations/', reordered, { 'Idempotency-Key': 'spelled-1' });
  expect([first.status, again.status, again.body.id]).toEqual([201, 201, first.body.id]);
  const edit = (path: string, change: object) => customer.request('PATCH', path, change, { 'Idempotency-Key': 'spelled-2' });
  const edited = await edit(`/v1/organizations/${first.body.id}`, { displayName: 'Acme Spelled', city: 'Beijing' });
  const retried = await edit(`/v1/organizations/${first.body.id.toUpperCase()}/`, { city: 'Beijing', displayName: 'Acme Spelled' });
  expect([edited.status, retried.status, retried.body]).toEqual([200, 200, edited.body]);
  // A different body is still another request.
  expect((await edit(`/v1/organizations/${first.body.id}`, { displayName: 'Acme Other' })).status).toBe(422);
});

test("an account's creates and updates share its Idempotency-Keys: a key a create took refuses an update (422), and the other way round, changing nothing", async () => {
  const customer = await harness.customer();
  const reused = [422, [{ field: 'Idempotency-Key', message: 'already used for a different request' }]];
  const created = await customer.request('POST', '/v1/organizations', body(1), { 'Idempotency-Key': 'shared-1' });
  expect(created.status).toBe(201);
  const edit = await customer.request(
    'PATCH',
    `/v1/organizations/${created.body.id}`,
    { displayName: 'Changed through a create key' },
    { 'Idempotency-Key': 'shared-1' },
  );
  expect([edit.status, edit.body.errors]).toEqual(reused);
  const webhook = await customer.request('POST', '/v1/webhooks', { url: 'https://hooks.shared-keys.example.com/in' }, { 'Idempotency-Key': 'shared-2' });
  expect(webhook.status).toBe(201);
  const disable = await customer.request('PATCH', `/v1/webhooks/${webhook.body.id}`, { enabled: false }, { 'Idempotency-Key': 'shared-2' });
  expect([disable.status, disable.body.errors]).toEqual(reused);

  const editFirst = await customer.request('PATCH', `/v1/organizations/${created.body.id}`, { displayName: 'Acme Edited' }, { 'Idempotency-Key': 'shared-3' });
  expect(editFirst.status).toBe(200);
  const createAfter = await customer.request('POST', '/v1/organizations', body(2), { 'Idempotency-Key': 'shared-3' });
  expect([createAfter.status, createAfter.body.errors]).toEqual(reused);

  // Nothing changed by the refused requests: one organization, its name from the accepted edit, the webhook still enabled.
  const organizations = (await customer.request('GET', '/v1/organizations')).body.items;
  expect(organizations.map((o: { id: string; displayName: string }) => [o.id, o.displayName])).toEqual([[created.body.id, 'Acme Edited']]);
  expect((await customer.request('GET', `/v1/webhooks/${webhook.body.id}`)).body.enabled).toBe(true);
  // The first answers still come back to their own retries.
  expect((await customer.request('POST', '/v1/organizations', body(1), { 'Idempotency-Key': 'shared-1' })).body.id).toBe(created.body.id);
});

test('every update retried with its Idempotency-Key gets its first answer, even after the entity moved on or was deleted', async () => {
  const customer = await harness.customer();
  const organization = (await customer.request('POST', '/v1/organizations', body(1))).body;
  const administratorId = organization.administrators[0].id;
  const send = (api: Api, method: string, path: string, key: string, payload?: object) => api.request(method, path, payload, { 'Idempotency-Key': key });

  const edit = () => send(customer, 'PATCH', `/v1/organizations/${organization.id}`, 'edit-1', { city: 'Shanghai' });
  const edited = await edit();
  expect([edited.status, edited.body.city]).toEqual([200, 'Shanghai']);
  expect((await customer.request('PATCH', `/v1/organizations/${organization.id}`, { city: 'Shenzhen' })).body.city).toBe('Shenzhen');
  expect(await edit()).toMatchObject({ status: 200, body: edited.body }); // the first answer, not a second edit

  const approval = organizationApproval(); // one body: a retry sends the same request
  const approve = () => send(reviewer, 'POST', `/v1/reviews/organizations/${organization.id}/decision`, 'approve-1', approval);
  const approved = await approve();
  expect(approved.body.status).toBe('approved');
  expect(await approve()).toMatchObject({ status: 200, body: approved.body });

  const removeAdministrator = () => send(customer, 'DELETE', `/v1/administrators/${administratorId}`, 'remove-admin-1');
  expect((await removeAdministrator()).status).toBe(204);
  expect((await removeAdministrator()).status).toBe(204);
  const removeOrganization = () => send(customer, 'DELETE', `/v1/organizations/${organization.id}`, 'remove-org-1');
  expect((await removeOrganization()).status).toBe(204);
  expect((await removeOrganization()).status).toBe(204);
  expect((await customer.request('DELETE', `/v1/organizations/${organization.id}`)).status).toBe(404); // without its key: it is gone

  const trail = await harness.db.selectFrom('events').select('action').where('entity_id', '=', organization.id).execute();
  expect(trail.map((e) => e.action).sort()).toEqual(['approved', 'deleted', 'edited', 'edited', 'submitted']);
});

test("a workflow's refusal is the first answer too; a request refused before it reached the workflow leaves its key free", async () => {
  const customer = await harness.customer();
  const organization = (await customer.request('POST', '/v1/organizations', body(1))).body;
  const administratorId = organization.administrators[0].id;
  const approval = administratorApproval();
  const approveAdministrator = () =>
    reviewer.request('POST', `/v1/reviews/administrators/${administratorId}/decision`, approval, { 'Idempotency-Key': 'early-1' });
  const early = await approveAdministrator();
  expect([early.status, early.headers.get('content-type')]).toEqual([409, 'application/problem+json; charset=utf-8']);
  await reviewer.request('POST', `/v1/reviews/organizations/${organization.id}/decision`, organizationApproval());
  expect(await approveAdministrator()).toMatchObject({ status: 409, body: early.body }); // the first answer, as Temporal keeps it
  expect(
    (await reviewer.request('POST', `/v1/reviews/administrators/${administratorId}/decision`, administratorApproval(), { 'Idempotency-Key': 'later-1' }))
      .status,
  ).toBe(200);

  const patch = (payload: object, id = organization.id) => customer.request('PATCH', `/v1/organizations/${id}`, payload, { 'Idempotency-Key': 'fix-1' });
  expect((await patch({ country: 5 })).status).toBe(400);
  expect((await patch({ city: 'Shanghai' }, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
  expect((await patch({ city: 'Shanghai' })).status).toBe(200); // neither refusal used the key up
});

test('a DELETE retried after its answer was lost (the delete still committed) answers 204', async () => {
  const customer = await harness.customer();
  const organization = (await customer.request('POST', '/v1/organizations', body(1))).body;
  // The first attempt claimed its key and sent the update, then its answer was lost (a 503 at the deadline).
  const attempt = (key: string) =>
    idempotencyOf({
      headersDistinct: { 'idempotency-key': [key] },
      method: 'DELETE',
      baseUrl: '/v1/organizations',
      path: `/${organization.id}`,
      body: undefined,
    } as never)!;
  const principal = { role: 'customer', accountId: customer.id, keyId: customer.id } as const;
  await claimUpdateKey(harness.db, principal, attempt('lost-1'));
  // Another first attempt, claimed by the release before full-path fingerprints (fingerprint_version 1, the
  // column's default): its retry is still a retry.
  await harness.db
    .insertInto('update_keys')
    .values({ account_id: customer.id, reviewer_id: null, key: 'lost-2', fingerprint: attempt('lost-2').formerFingerprints![0] })
    .execute();
  // And one claimed by the release before canonical fingerprints (version 2: the full path, the body as sent).
  await harness.db
    .insertInto('update_keys')
    .values({ account_id: customer.id, reviewer_id: null, key: 'lost-4', fingerprint: attempt('lost-4').formerFingerprints![1], fingerprint_version: 2 })
    .execute();
  expect((await customer.request('DELETE', `/v1/organizations/${organization.id}`)).status).toBe(204);
  expect((await customer.request('DELETE', `/v1/organizations/${organization.id}`, undefined, { 'Idempotency-Key': 'lost-1' })).status).toBe(204);
  expect((await customer.request('DELETE', `/v1/organizations/${organization.id}`, undefined, { 'Idempotency-Key': 'lost-2' })).status).toBe(204);
  expect((await customer.request('DELETE', `/v1/organizations/${organization.id}`, undefined, { 'Idempotency-Key': 'lost-4' })).status).toBe(204);
  // A key never sent before is no retry: the organization is gone.
  expect((await customer.request('DELETE', `/v1/organizations/${organization.id}`, undefined, { 'Idempotency-Key': 'new-1' })).status).toBe(404);
});

test.each([
  [
    '/v1/dns-providers',
    {
      kind: 'rfc2136',
      name: 'Retry',
      server: '192.0.3.53',
      zone: 'example.com',
      tsigKeyName: 'k',
      tsigAlgorithm: 'hmac-sha256',
      tsigSecret: 'c2VjcmV0IGtleSBvZiB0aGUgdGVzdA==',
    },
  ],
  ['/v1/webhooks', { url: 'https://hooks.retry.example.com/in' }],
])('DELETE %s/{id} retried with its Idempotency-Key answers its first 204, also when that answer was lost', async (collection, created) => {
  const customer = await harness.customer();
  const make = async () => (await customer.request('POST', collection, created)).body.id as string;
  const answered = await make();
  const remove = (id: string, key?: string) => customer.request('DELETE', `${collection}/${id}`, undefined, key ? { 'Idempotency-Key': key } : {});
  expect((await remove(answered, 'gone-1')).status).toBe(204);
  expect((await remove(answered, 'gone-1')).status).toBe(204);
  expect((await remove(answered, 'gone-2')).status).toBe(404);
  // The first attempt claimed its key and deleted, then its answer was lost (a 503 at the deadline).
  const lost = await make();
  const principal = { role: 'customer', accountId: customer.id, keyId: customer.id } as const;
  const key = idempotencyOf({
    headersDistinct: { 'idempotency-key': ['lost-3'] },
    method: 'DELETE',
    baseUrl: collection,
    path: `/${lost}`,
    body: undefined,
  } as never)!;
  await claimUpdateKey(harness.db, principal, key);
  expect((await remove(lost)).status).toBe(204);
  expect((await remove(lost, 'lost-3')).status).toBe(204);
});

test("one Idempotency-Key sent to two administrators' domains is two requests: the second answers 422 and adds nothing", async () => {
  const customer = await harness.customer();
  const first = await approvedAdministrator(customer, reviewer);
  const second = await approvedAdministrator(customer, reviewer);
  const addDomain = (administratorId: string) =>
    customer.request(
      'POST',
      `/v1/administrators/${administratorId}/domains`,
      { domain: 'idem-test.example.net', autoValidation: false, method: 'dns' },
      { 'Idempotency-Key': 'dom-k1' },
    );
  const added = await addDomain(first.administratorId);
  expect([added.status, added.body.administratorId]).toEqual([201, first.administratorId]);
  expect((await addDomain(first.administratorId)).body).toEqual(added.body); // the same request: the first answer
  const elsewhere = await addDomain(second.administratorId);
  expect([elsewhere.status, elsewhere.body.errors]).toEqual([422, [{ field: 'Idempotency-Key', message: 'already used for a different request' }]]);
  const underSecond = await customer.request('GET', `/v1/administrators/${second.administratorId}/domains`);
  expect(underSecond.body.items).toEqual([]);
});

test('an Idempotency-Key header sent twice answers 400 naming the header, and nothing is created', async () => {
  const customer = await harness.customer();
  const { hostname, port } = new URL(harness.baseUrl);
  // fetch joins repeated fields into one; node:http sends each value on a line of its own.
  const answer = await new Promise<{ status: number; body: any }>((resolve, reject) => {
    const sent = httpRequest(
      {
        hostname,
        port,
        method: 'POST',
        path: '/v1/organizations',
        headers: { authorization: `Bearer ${customer.key}`, 'content-type': 'application/json', 'idempotency-key': ['a', 'b'] },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
      },
    );
    sent.on('error', reject);
    sent.end(JSON.stringify(body(1)));
  });
  expect(answer.status).toBe(400);
  expect(answer.body.errors).toEqual([{ field: 'Idempotency-Key', message: 'sent more than once', rule: 'single-field' }]);
  expect(await countOrganizations(customer.id)).toBe(0);
});

test('keys expire after IDEMPOTENCY_KEY_RETENTION: the same key is then a new request (a duplicate profile still answers 409)', async () => {
  const customer = await harness.customer();
  const headers = { 'Idempotency-Key': 'expiring-1' };
  const first = await customer.request('POST', '/v1/organizations', body(1), headers);
  const edited = await customer.request('PATCH', `/v1/organizations/${first.body.id}`, { city: 'Tianjin' }, { 'Idempotency-Key': 'expiring-2' });
  expect([first.status, edited.status]).toEqual([201, 200]);
  const keysOf = async () => [
    ...(await harness.db.selectFrom('idempotency_keys').select('key').where('account_id', '=', customer.id).execute()),
    ...(await harness.db.selectFrom('update_keys').select('key').where('account_id', '=', customer.id).execute()),
  ];
  const day = 86_400_000;
  // Not yet: 29 days on, both keys still answer their retries.
  expect(await expireIdempotencyKeys(harness.db, 30 * day, new Date(Date.now() + 29 * day))).toBe(0);
  expect(await keysOf()).toHaveLength(2);
  // 31 days on: both gone, in every table they were kept in.
  expect(await expireIdempotencyKeys(harness.db, 30 * day, new Date(Date.now() + 31 * day))).toBeGreaterThanOrEqual(2);
  expect(await keysOf()).toEqual([]);
  const again = await customer.request('POST', '/v1/organizations', body(1), headers);
  expect([again.status, again.body.existing?.id]).toEqual([409, first.body.id]);
});

test('of many racing decisions exactly one takes effect', async () => {
  const customer = await harness.customer();
  const organization = (await customer.request('POST', '/v1/organizations', body(1))).body;
  const decisions = [
    ...Array.from({ length: 4 }, () => organizationApproval()),
    ...Array.from({ length: 4 }, () => ({ decision: 'reject', reason: 'address not found' })),
  ];
  const responses = await Promise.all(decisions.map((d) => reviewer.request('POST', `/v1/reviews/organizations/${organization.id}/decision`, d)));
  const winners = responses.filter((r) => r.status === 200);
  expect(winners).toHaveLength(1);
  expect(responses.filter((r) => r.status === 409)).toHaveLength(7);
  const final = (await customer.request('GET', `/v1/organizations/${organization.id}`)).body.status;
  expect(final).toBe(winners[0].body.status);
  const trail = (await customer.request('GET', `/v1/organizations/${organization.id}/events`)).body.items.map((e: { action: string }) => e.action);
  expect(trail.filter((a: string) => a === 'approved' || a === 'rejected')).toHaveLength(1);
});

test('lists page with a cursor, oldest first, and every item once', async () => {
  const customer = await harness.customer();
  const created: string[] = [];
  for (let n = 1; n <= 5; n++) created.push((await customer.request('POST', '/v1/organizations', body(n))).body.id);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await customer.request(
      'GET',
      `/v1/organizations?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(page.body.items.length).toBeLessThanOrEqual(2);
    seen.push(...page.body.items.map((o) => o.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  expect(seen).toEqual(created);
  expect((await customer.request('GET', '/v1/organizations?cursor=garbage')).status).toBe(400);
  await reviewer.request('POST', `/v1/reviews/organizations/${created[2]}/decision`, organizationApproval());
  expect((await customer.request('GET', '/v1/organizations?status=approved')).body.items.map((o: { id: string }) => o.id)).toEqual([created[2]]);
  expect((await customer.request('GET', '/v1/organizations?status=under_review&limit=100')).body.items).toHaveLength(4);
  expect((await customer.request('GET', '/v1/organizations?status=valid')).body.errors[0].field).toBe('status');
  expect((await customer.request('GET', '/v1/organizations?limit=0')).body.errors[0].field).toBe('limit');
});
