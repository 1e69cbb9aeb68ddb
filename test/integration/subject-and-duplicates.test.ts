import { ADMINISTRATOR, ORGANIZATION, profileRowCounts, startHarness, type Api, type ApiResponse, type Harness } from '../support/harness';

/**
 * Issue 7, items 8, 9 and 10 through the HTTP API with PostgreSQL and Temporal: subject rules, ISO 3166-2
 * provinces, internationalized emails, duplicates (409 naming the existing profile) and every field at
 * fault in one answer. Each refusal is a problem+json naming the field and the rule, and stores nothing.
 */
let harness: Harness;
let customer: Api;
let organization: { id: string; administrators: Array<{ id: string }> };

beforeAll(async () => {
  harness = await startHarness();
  customer = await harness.customer();
  organization = (await customer.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR })).body;
});
afterAll(async () => harness?.stop());

const counts = () => profileRowCounts(harness.db);
const faults = (response: ApiResponse) => (response.body.errors as Array<{ field: string; rule?: string }>).map((e) => [e.field, e.rule ?? null]);
/** The organization's row as the customer's requests write it (`workflow_started` is marked after the create's answer). */
const storedOrganization = async (id: string) => {
  const { workflow_started: _, ...row } = await harness.db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return row;
};
const storedAdministrators = (organizationId: string) =>
  harness.db.selectFrom('administrators').select(['id', 'email']).where('organization_id', '=', organizationId).orderBy('created_at').execute();

function expectProblem(response: ApiResponse, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
}

describe('profile data a CA can put in a certificate subject (BR §7.1.2.7.4, §7.1.4.2; zlint, pkilint)', () => {
  test("the issue's examples: city '-', address '.', an administrator named '.' / '-' answer 422 naming each, and nothing is stored", async () => {
    const other = await harness.customer('Subject rules');
    const before = await counts();
    const response = await other.request('POST', '/v1/organizations', {
      organization: { ...ORGANIZATION, city: '-', address: '.' },
      administrator: { ...ADMINISTRATOR, firstName: '.', lastName: '-' },
    });
    expectProblem(response, 422);
    expect(faults(response)).toEqual([
      ['organization.city', 'metadata-only'],
      ['organization.address', 'metadata-only'],
      ['administrator.firstName', 'metadata-only'],
      ['administrator.lastName', 'metadata-only'],
    ]);
    expect(await counts()).toEqual(before);
  });

  test.each([
    ['name', 'N/A', 'not-applicable'],
    ['name', 'Ｎ／Ａ', 'not-applicable'],
    ['city', 'none', 'not-applicable'],
    ['city', '无', 'not-applicable'],
    ['address', '不适用', 'not-applicable'],
    ['address', 'Unknown', 'not-applicable'],
    ['postalCode', '—', 'metadata-only'],
    ['department', 'null', 'not-applicable'],
    ['name', 'Acme, CN=evil.example', 'dn-syntax'],
    ['name', 'Acme\\, Ltd', 'dn-syntax'],
    ['name', 'Acme &amp; Sons', 'html-entity'],
    ['name', 'Acme\u202e Ltd', 'unprintable-character'],
    ['province', 'Atlantis', 'iso-3166-2'],
    ['province', 'Shenzhen', 'iso-3166-2'],
    ['province', 'California', 'iso-3166-2'],
  ])('organization.%s %j: 422 %s, nothing stored', async (field, value, rule) => {
    const before = await counts();
    const response = await customer.request('POST', '/v1/organizations', { organization: { ...ORGANIZATION, name: 'Subject Rules Ltd.', [field]: value } });
    expectProblem(response, 422);
    expect(faults(response)).toEqual([[`organization.${field}`, rule]]);
    expect(await counts()).toEqual(before);
  });

  test('too long for its X.520 attribute: 400 naming the bound', async () => {
    const response = await customer.request('POST', '/v1/organizations', { organization: { ...ORGANIZATION, name: '北'.repeat(65) } });
    expectProblem(response, 400);
    expect(response.body.errors).toEqual([
      { field: 'organization.name', rule: 'max-length', message: expect.stringContaining('at most 64 characters'), values: { maximum: 64 } },
    ]);
  });

  test('a province by its English, ISO or Chinese name is stored as sent; by its code, spelled out', async () => {
    const other = await harness.customer('Provinces');
    for (const [n, [province, stored]] of [
      ['北京市', '北京市'],
      ['Beijing Shi', 'Beijing Shi'],
      ['广东省', '广东省'],
      ['CN-ZJ', 'Zhejiang'],
      ['bj', 'Beijing'],
    ].entries()) {
      const created = await other.request('POST', '/v1/organizations', {
        organization: { ...ORGANIZATION, name: `Province Test ${n} Ltd.`, province },
        administrator: ADMINISTRATOR,
      });
      expect([created.status, created.body.province]).toEqual([201, stored]);
      expect((await storedOrganization(created.body.id)).province).toBe(stored);
    }
  });

  test('edits are held to the same rules, and a new country re-judges the stored province; nothing changes', async () => {
    const before = await storedOrganization(organization.id);
    const bad = await customer.request('PATCH', `/v1/organizations/${organization.id}`, { city: '-', address: 'N/A', province: 'Atlantis' });
    expectProblem(bad, 422);
    expect(faults(bad)).toEqual([
      ['city', 'metadata-only'],
      ['address', 'not-applicable'],
      ['province', 'iso-3166-2'],
    ]);
    const moved = await customer.request('PATCH', `/v1/organizations/${organization.id}`, { country: 'US', landline: '+1 212 555 0100' });
    expectProblem(moved, 422);
    expect(moved.body.errors).toEqual([{ field: 'province', rule: 'iso-3166-2', message: expect.stringMatching(/stored province "Beijing"/) }]);
    const administrator = await customer.request('PATCH', `/v1/administrators/${organization.administrators[0].id}`, { lastName: '-', position: '不适用' });
    expectProblem(administrator, 422);
    expect(faults(administrator)).toEqual([
      ['lastName', 'metadata-only'],
      ['position', 'not-applicable'],
    ]);
    expect(await storedOrganization(organization.id)).toEqual(before);
  });
});

describe('every field at fault in one answer', () => {
  test('an empty organization name and an administrator with three bad fields: all four, nothing stored', async () => {
    const other = await harness.customer('All errors');
    const before = await counts();
    const response = await other.request('POST', '/v1/organizations', {
      organization: { ...ORGANIZATION, name: '' },
      administrator: { ...ADMINISTRATOR, firstName: '-', phone: '12', email: 'not-an-email' },
    });
    expectProblem(response, 400);
    expect(faults(response)).toEqual([
      ['organization.name', 'min-length'],
      ['administrator.firstName', 'metadata-only'],
      ['administrator.phone', 'phone-number'],
      ['administrator.email', 'email-syntax'],
    ]);
    expect(await counts()).toEqual(before);
  });

  test("rules across fields and the first organization's administrator are in the same answer", async () => {
    const other = await harness.customer('Cross-field');
    const response = await other.request('POST', '/v1/organizations', {
      organization: { ...ORGANIZATION, city: 42, province: 'Atlantis', landline: '+86 138 0013 8000' },
    });
    expectProblem(response, 400);
    expect(faults(response)).toEqual([
      ['organization.city', 'type'],
      ['organization.landline', 'phone-type'],
      ['organization.province', 'iso-3166-2'],
      ['administrator', 'administrator-required'],
    ]);
    expect((await other.request('GET', '/v1/organizations')).body.items).toEqual([]);
  });
});

describe('internationalized email addresses, stored in one form', () => {
  test.each([
    ['admin@example.xn--fiqs8s', 'Wang', 'admin@example.xn--fiqs8s'],
    ['admin@例子.公司', 'Zhang', 'admin@xn--fsqu00a.xn--55qx5d'],
    ['管理员@例子.公司', 'Zhao', '管理员@xn--fsqu00a.xn--55qx5d'],
  ])('%s is accepted and stored as %s', async (email, lastName, stored) => {
    const added = await customer.request('POST', `/v1/organizations/${organization.id}/administrators`, { ...ADMINISTRATOR, lastName, email });
    expect([added.status, added.body.email]).toEqual([201, stored]);
    expect((await storedAdministrators(organization.id)).find((a) => a.id === added.body.id)?.email).toBe(stored);
  });

  test.each([
    ['"john doe"@example.com', 422, 'email-quoted-local-part'],
    ['admin@localhost', 422, 'too-few-labels'],
    ['admin@example.invalid', 422, 'internal-name'],
    ['admin@ab--cd.example.com', 422, 'reserved-ldh-label'],
    ['a..b@example.com', 400, 'email-syntax'],
  ])('%s answers %i naming %s, nothing stored', async (email, status, rule) => {
    const before = await counts();
    const response = await customer.request('POST', `/v1/organizations/${organization.id}/administrators`, { ...ADMINISTRATOR, lastName: 'Qian', email });
    expectProblem(response, status);
    expect(faults(response)).toEqual([['email', rule]]);
    expect(await counts()).toEqual(before);
  });
});

describe('an email address with a character no mailbox holds answers 400 email-character and stores nothing', () => {
  // An unpaired surrogate once reached the row (500 on a create) and the audit event's jsonb (an edit's
  // activity retried forever, and every later change of the administrator waited behind it).
  const bad = ['li.lei\ud800@acme.cn', 'li.lei\u0085@acme.cn', 'li.lei\u200b@acme.cn', 'li\u00a0lei@acme.cn'];

  test.each(bad)('a create with %j', async (email) => {
    const before = await counts();
    const response = await customer.request('POST', `/v1/organizations/${organization.id}/administrators`, { ...ADMINISTRATOR, lastName: 'Wu', email });
    expectProblem(response, 400);
    expect(faults(response)).toEqual([['email', 'email-character']]);
    expect(await counts()).toEqual(before);
  });

  test('an edit with each is refused at once, and the administrator still takes the next edit', async () => {
    const id = organization.administrators[0].id;
    const stored = await harness.db.selectFrom('administrators').select('email').where('id', '=', id).executeTakeFirstOrThrow();
    for (const email of bad) {
      const response = await customer.request('PATCH', `/v1/administrators/${id}`, { email });
      expectProblem(response, 400);
      expect(faults(response)).toEqual([['email', 'email-character']]);
    }
    expect(await harness.db.selectFrom('administrators').select('email').where('id', '=', id).executeTakeFirstOrThrow()).toEqual(stored);
    const next = await customer.request('PATCH', `/v1/administrators/${id}`, { position: 'Chief Technology Officer' });
    expect([next.status, next.body.position]).toEqual([200, 'Chief Technology Officer']);
  });
});

describe('a person or an organization entered twice in one account is a duplicate: 409 naming the existing one', () => {
  test('the same administrator three times (admin@…, again, ADMIN@…) gives one record', async () => {
    const other = await harness.customer('Duplicates');
    const created = (await other.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR })).body;
    const person = { ...ADMINISTRATOR, firstName: 'Min', lastName: 'Chen', email: 'admin@acme.cn' };
    const first = await other.request('POST', `/v1/organizations/${created.id}/administrators`, person);
    expect(first.status).toBe(201);
    const before = await counts();
    for (const again of [person, { ...person, email: 'ADMIN@acme.cn' }, { ...person, firstName: 'MIN', lastName: ' chen ', email: 'Admin@ACME.CN' }]) {
      const response = await other.request('POST', `/v1/organizations/${created.id}/administrators`, again);
      expectProblem(response, 409);
      expect(response.body).toMatchObject({
        title: 'Duplicate',
        type: expect.stringContaining('duplicate'),
        existing: { kind: 'administrator', id: first.body.id, href: `/v1/administrators/${first.body.id}` },
        errors: [{ field: 'email', rule: 'duplicate', message: `the same as administrator ${first.body.id}` }],
      });
    }
    expect(await counts()).toEqual(before);
    expect((await storedAdministrators(created.id)).map((a) => a.email)).toEqual([ADMINISTRATOR.email.replace('Acme.CN', 'acme.cn'), 'admin@acme.cn']);
  });

  test('an internationalized mailbox is the same in U-labels and A-labels', async () => {
    const other = await harness.customer('IDN duplicates');
    const created = (
      await other.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: { ...ADMINISTRATOR, email: 'admin@例子.公司' } })
    ).body;
    const again = await other.request('POST', `/v1/organizations/${created.id}/administrators`, { ...ADMINISTRATOR, email: 'ADMIN@XN--FSQU00A.XN--55QX5D' });
    expectProblem(again, 409);
    expect(again.body.existing.id).toBe(created.administrators[0].id);
  });

  test('an organization again, in another case, width and punctuation, answers 409; another country is another organization', async () => {
    const other = await harness.customer('Organization duplicates');
    const first = await other.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR });
    const before = await counts();
    for (const name of [ORGANIZATION.name, 'ACME NETWORK TECHNOLOGY CO.,LTD', 'Ａｃｍｅ Ｎｅｔｗｏｒｋ Ｔｅｃｈｎｏｌｏｇｙ Ｃｏ．，Ｌｔｄ．']) {
      const response = await other.request('POST', '/v1/organizations', { organization: { ...ORGANIZATION, name } });
      expectProblem(response, 409);
      expect(response.body.existing).toEqual({ kind: 'organization', id: first.body.id, href: `/v1/organizations/${first.body.id}` });
      expect(faults(response)).toEqual([['organization.name', 'duplicate']]);
    }
    expect(await counts()).toEqual(before);
    const abroad = await other.request('POST', '/v1/organizations', {
      organization: { ...ORGANIZATION, country: 'US', province: 'New York', city: 'New York', landline: '+1 212 555 0100' },
    });
    expect(abroad.status).toBe(201);
    // Another account may hold the same organization.
    expect(
      (await (await harness.customer('Elsewhere')).request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR })).status,
    ).toBe(201);
  });

  test('an Idempotency-Key retry still returns the first answer, not a 409', async () => {
    const headers = { 'Idempotency-Key': 'duplicate-retry-1' };
    const person = { ...ADMINISTRATOR, firstName: 'Fang', lastName: 'Sun', email: 'fang.sun@acme.cn' };
    const first = await customer.request('POST', `/v1/organizations/${organization.id}/administrators`, person, headers);
    const retry = await customer.request('POST', `/v1/organizations/${organization.id}/administrators`, person, headers);
    expect([first.status, retry.status, retry.body]).toEqual([201, 201, first.body]);
    expect((await customer.request('POST', `/v1/organizations/${organization.id}/administrators`, person)).status).toBe(409);

    const other = await harness.customer('Idempotent organization');
    const key = { 'Idempotency-Key': 'duplicate-retry-2' };
    const created = await other.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR }, key);
    const again = await other.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR }, key);
    expect([created.status, again.status, again.body.id]).toEqual([201, 201, created.body.id]);
  });

  test('concurrent creates of the same person: one record, the others 409 (under the account row lock)', async () => {
    const person = { ...ADMINISTRATOR, firstName: 'Jing', lastName: 'Zhou', email: 'jing.zhou@acme.cn' };
    const responses = await Promise.all(
      Array.from({ length: 4 }, () => customer.request('POST', `/v1/organizations/${organization.id}/administrators`, person)),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    const created = responses.find((r) => r.status === 201)!.body.id;
    expect(responses.filter((r) => r.status === 409).map((r) => r.body.existing.id)).toEqual([created, created, created]);
    expect((await storedAdministrators(organization.id)).filter((a) => a.email === 'jing.zhou@acme.cn')).toHaveLength(1);
  });

  test('an edit that would make a duplicate answers 409 naming the existing one and changes nothing; a retry with its key gets the same', async () => {
    const other = await harness.customer('Edit duplicates');
    const acme = (await other.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR })).body;
    const beta = (await other.request('POST', '/v1/organizations', { organization: { ...ORGANIZATION, name: 'Beta Cloud Co., Ltd.' } })).body;
    const before = await storedOrganization(beta.id);
    const headers = { 'Idempotency-Key': 'rename-to-acme' };
    const renamed = await other.request('PATCH', `/v1/organizations/${beta.id}`, { name: 'acme network technology co., ltd.' }, headers);
    expectProblem(renamed, 409);
    expect(renamed.body).toMatchObject({ existing: { kind: 'organization', id: acme.id }, errors: [{ field: 'name', rule: 'duplicate' }] });
    expect(await other.request('PATCH', `/v1/organizations/${beta.id}`, { name: 'acme network technology co., ltd.' }, headers)).toMatchObject({
      status: 409,
      body: renamed.body,
    });
    expect(await storedOrganization(beta.id)).toEqual(before);
    // Its own name in another spelling is no duplicate of itself.
    expect((await other.request('PATCH', `/v1/organizations/${acme.id}`, { name: 'ACME Network Technology Co., Ltd.' })).status).toBe(200);

    const second = (await other.request('POST', `/v1/organizations/${acme.id}/administrators`, { ...ADMINISTRATOR, email: 'second@acme.cn' })).body;
    const same = await other.request('PATCH', `/v1/administrators/${second.id}`, { email: 'LI.LEI@acme.cn' });
    expectProblem(same, 409);
    expect(same.body).toMatchObject({ existing: { kind: 'administrator', id: acme.administrators[0].id }, errors: [{ field: 'email', rule: 'duplicate' }] });
    expect((await storedAdministrators(acme.id)).find((a) => a.id === second.id)?.email).toBe('second@acme.cn');
    expect((await other.request('PATCH', `/v1/administrators/${second.id}`, { firstName: 'Jun' })).status).toBe(200);
    expect((await other.request('PATCH', `/v1/administrators/${second.id}`, { email: 'li.lei@acme.cn' })).status).toBe(200);
  });
});
