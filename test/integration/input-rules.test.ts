import { randomUUID } from 'node:crypto';
import { ADMINISTRATOR, ORGANIZATION, profileRowCounts, startHarness, type Api, type Harness } from '../support/harness';

/** Issue 7 items 5 and 6 through the HTTP API: phone numbers, bodies that are not UTF-8, integer query parameters, missing fields. */
let harness: Harness;
let customer: Api;
let reviewer: Api;
let organization: { id: string; administrators: Array<{ id: string }> };

beforeAll(async () => {
  harness = await startHarness();
  customer = await harness.customer();
  reviewer = await harness.reviewer();
  organization = (await customer.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR })).body;
});
afterAll(async () => harness?.stop());

const counts = () => profileRowCounts(harness.db);
const storedLandline = async (id: string) =>
  (await harness.db.selectFrom('organizations').select('landline').where('id', '=', id).executeTakeFirstOrThrow()).landline;

describe('a landline keeps its extension everywhere the number appears', () => {
  test('stored, answered, listed, shown to the reviewer and in the audit trail', async () => {
    const other = await harness.customer('Extension');
    const created = await other.request('POST', '/v1/organizations', {
      organization: { ...ORGANIZATION, landline: '+86 10 6552 9988 ext. 8001' },
      administrator: ADMINISTRATOR,
    });
    expect([created.status, created.body.landline]).toEqual([201, '+861065529988;ext=8001']);
    const id = created.body.id;
    expect(await storedLandline(id)).toBe('+861065529988;ext=8001');
    expect((await other.request('GET', `/v1/organizations/${id}`)).body.landline).toBe('+861065529988;ext=8001');
    expect((await other.request('GET', '/v1/organizations')).body.items[0].landline).toBe('+861065529988;ext=8001');
    const queue = (await reviewer.request('GET', '/v1/reviews?limit=100')).body.items as Array<{ id: string; subject: { landline?: string } }>;
    expect(queue.find((item) => item.id === id)?.subject.landline).toBe('+861065529988;ext=8001');
    const submitted = (await other.request('GET', `/v1/organizations/${id}/events`)).body.items.find((e: { action: string }) => e.action === 'submitted');
    expect(submitted.after.landline).toBe('+861065529988;ext=8001');
  });

  test.each([
    ['010 6552 9988 x8002', '+861065529988;ext=8002'],
    ['010-6552-9988转8003', '+861065529988;ext=8003'],
    ['+86 10 6552 9988 #8004', '+861065529988;ext=8004'],
    ['+86 10 6552 9988;ext=8005', '+861065529988;ext=8005'],
    ['010 6552 9988', '+861065529988'],
  ])('an edit to %s stores %s', async (landline, stored) => {
    const edited = await customer.request('PATCH', `/v1/organizations/${organization.id}`, { landline });
    expect([edited.status, edited.body.landline]).toEqual([200, stored]);
    expect(await storedLandline(organization.id)).toBe(stored);
  });
});

describe('the landline must be a number the CA can call to reach the organization; the mobile must be a mobile', () => {
  test.each([
    ['+86 138 0013 8000', 'MOBILE'],
    ['+86 800 810 8888', 'TOLL_FREE'],
    ['+86 400 810 8888', 'SHARED_COST'],
    ['+1 900 555 0100', 'PREMIUM_RATE'],
    ['+44 56 1234 5678', 'VOIP'],
    ['+44 70 1234 5678', 'PERSONAL_NUMBER'],
    ['+44 7640 123456', 'PAGER'],
    ['+44 55 1234 5678', 'UAN'],
  ])('a %s landline is refused as %s, and nothing is stored', async (landline, type) => {
    const before = await counts();
    const response = await customer.request('POST', '/v1/organizations', { organization: { ...ORGANIZATION, landline } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(response.body.errors).toEqual([
      {
        field: 'organization.landline',
        rule: 'phone-type',
        message: `is a ${type} number; a landline (FIXED_LINE) the CA can call to reach the organization is required`,
      },
    ]);
    expect(await counts()).toEqual(before);
  });

  test('an edit to a mobile landline is refused and changes nothing', async () => {
    const before = await storedLandline(organization.id);
    const response = await customer.request('PATCH', `/v1/organizations/${organization.id}`, { landline: '+86 138 0013 8000' });
    expect([response.status, response.body.errors[0].rule, response.body.errors[0].field]).toEqual([400, 'phone-type', 'landline']);
    expect(await storedLandline(organization.id)).toBe(before);
  });

  test.each([
    ['010 6552 9988', 'is a FIXED_LINE number; a mobile number (MOBILE) is required', 'phone-type'],
    ['+86 400 810 8888', 'is a SHARED_COST number; a mobile number (MOBILE) is required', 'phone-type'],
    ['138 0013 8000 ext. 12', 'a mobile number has no extension', 'mobile-extension'],
  ])("an administrator's phone %s is refused: %s", async (phone, message, rule) => {
    const before = await counts();
    const added = await customer.request('POST', `/v1/organizations/${organization.id}/administrators`, { ...ADMINISTRATOR, phone });
    expect([added.status, added.body.errors]).toEqual([400, [{ field: 'phone', rule, message }]]);
    const edited = await customer.request('PATCH', `/v1/administrators/${organization.administrators[0].id}`, { phone });
    expect([edited.status, edited.body.errors[0].field]).toEqual([400, 'phone']);
    expect(await counts()).toEqual(before);
    expect((await customer.request('GET', `/v1/administrators/${organization.administrators[0].id}`)).body.phone).toBe('+8613800138000');
  });
});

describe('a JSON body must be UTF-8', () => {
  const send = (path: string, body: Buffer, contentType = 'application/json', method = 'POST') =>
    fetch(`${harness.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${customer.key}`, 'content-type': contentType }, body });
  /** A valid create body whose organization name holds `bytes`. */
  const withBytes = (bytes: number[]) => {
    const [head, tail] = JSON.stringify({ organization: { ...ORGANIZATION, name: 'Acme @@ Ltd' } }).split('@@');
    return Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]);
  };

  test.each([
    ['a stray byte', [0xff]],
    ['a continuation byte alone', [0x80]],
    ['a truncated sequence', [0xe4, 0xb8]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['Latin-1 sent as UTF-8', [0xe9]],
  ])('%s answers 400 and stores nothing', async (_what, bytes) => {
    const before = await counts();
    const response = await send('/v1/organizations', withBytes(bytes));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await response.json()).toMatchObject({
      title: 'Malformed request body',
      detail: 'the request body is not valid UTF-8 (RFC 8259 §8.1)',
      errors: [{ field: '(body)', rule: 'utf-8', message: 'not valid UTF-8' }],
    });
    expect(await counts()).toEqual(before);
  });

  test('an edit with a bad byte changes nothing', async () => {
    const before = await harness.db.selectFrom('organizations').select(['city', 'updated_at']).where('id', '=', organization.id).executeTakeFirstOrThrow();
    const response = await send(
      `/v1/organizations/${organization.id}`,
      Buffer.concat([Buffer.from('{"city":"Bei'), Buffer.from([0xff]), Buffer.from('jing"}')]),
      undefined,
      'PATCH',
    );
    expect(response.status).toBe(400);
    expect(await harness.db.selectFrom('organizations').select(['city', 'updated_at']).where('id', '=', organization.id).executeTakeFirstOrThrow()).toEqual(
      before,
    );
  });

  test('another charset answers 415; UTF-8 (declared or not, any script) is accepted', async () => {
    const before = await counts();
    const utf16 = await send('/v1/organizations', Buffer.from(JSON.stringify({ organization: ORGANIZATION }), 'utf16le'), 'application/json; charset=utf-16le');
    expect([utf16.status, ((await utf16.json()) as { title: string }).title]).toEqual([415, 'Unsupported Media Type']);
    expect(await counts()).toEqual(before);
    const other = await harness.customer('UTF-8');
    const body = Buffer.from(JSON.stringify({ organization: { ...ORGANIZATION, name: '北京示例网络科技有限公司' }, administrator: ADMINISTRATOR }));
    const created = await fetch(`${harness.baseUrl}/v1/organizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other.key}`, 'content-type': 'application/json; charset=UTF-8' },
      body,
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { name: string }).name).toBe('北京示例网络科技有限公司');
  });
});

describe('a JSON body nests at most 32 levels deep', () => {
  const deep = (levels: number, open = '[', close = ']') => `${open.repeat(levels)}${close.repeat(levels)}`;
  const send = (method: string, path: string, body: string, key?: string) =>
    fetch(`${harness.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${customer.key}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body,
    });

  test.each([
    ['arrays 5,000 deep in an edit with an Idempotency-Key', 'PATCH', () => `{"city":${deep(5000)}}`, true],
    ['objects 3,000 deep in a create with an Idempotency-Key', 'POST', () => `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`, true],
    ['arrays 33 deep in an edit without one', 'PATCH', () => `{"city":${deep(32)}}`, false],
  ])('%s answers 400 max-depth and changes nothing', async (_what, method, body, keyed) => {
    const path = method === 'PATCH' ? `/v1/organizations/${organization.id}` : '/v1/organizations';
    const [before, rows] = [await customer.request('GET', `/v1/organizations/${organization.id}`), await counts()];
    const response = await send(method, path, body(), keyed ? `deep-${randomUUID()}` : undefined);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await response.json()).toMatchObject({ errors: [{ field: '(body)', rule: 'max-depth', values: { maximum: 32 } }] });
    expect((await customer.request('GET', `/v1/organizations/${organization.id}`)).body).toEqual(before.body);
    expect(await counts()).toEqual(rows);
  });

  test('32 levels, and brackets inside strings, are read as usual (here: a field of the wrong type)', async () => {
    const response = await send('PATCH', `/v1/organizations/${organization.id}`, `{"city":${deep(31)},"department":"${deep(100)}"}`, `deep-${randomUUID()}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: unknown[] }).errors).toContainEqual(expect.objectContaining({ field: 'city', rule: 'type' }));
  });
});

describe('integer query parameters take decimal digits only', () => {
  const paths = () => [
    ['/v1/organizations', 'limit'],
    [`/v1/organizations/${organization.id}/administrators`, 'limit'],
    [`/v1/organizations/${organization.id}/events`, 'limit'],
    ['/v1/domains', 'limit'],
    ['/v1/domains', 'expiringWithinDays'],
    ['/v1/dns-providers', 'limit'],
  ];

  test.each(['', '0x10', '1e2', ' 5', '+5', '5.0', '-1', '١'])('%j answers 400 naming the parameter', async (value) => {
    for (const [path, name] of [...paths(), ['/v1/reviews', 'limit']]) {
      const api = path === '/v1/reviews' ? reviewer : customer;
      const response = await api.request('GET', `${path}?${name}=${encodeURIComponent(value)}`);
      expect([path, name, response.status, response.body.errors]).toEqual([
        path,
        name,
        400,
        [
          {
            field: name,
            rule: 'decimal-integer',
            message: expect.stringMatching(/decimal digits/),
            values: { minimum: expect.any(Number), maximum: expect.any(Number) },
          },
        ],
      ]);
    }
  });

  test('digits within range are read as written; beyond it the range rule answers', async () => {
    expect((await customer.request('GET', '/v1/organizations?limit=1')).body.items).toHaveLength(1);
    expect((await customer.request('GET', '/v1/organizations?limit=001')).status).toBe(200);
    expect((await customer.request('GET', '/v1/domains?expiringWithinDays=30')).status).toBe(200);
    const tooMany = await customer.request('GET', '/v1/domains?expiringWithinDays=3651');
    expect([tooMany.status, tooMany.body.errors]).toEqual([
      400,
      [{ field: 'expiringWithinDays', rule: 'integer-range', message: 'must be from 0 to 3650', values: { minimum: 0, maximum: 3650 } }],
    ]);
  });
});

describe('a missing required field says "required"', () => {
  test.each([
    ['an organization without its name', '/v1/organizations', () => ({ organization: { ...ORGANIZATION, name: undefined } }), 'organization.name'],
    ['an organization without its country', '/v1/organizations', () => ({ organization: { ...ORGANIZATION, country: undefined } }), 'organization.country'],
    ['a create without the organization', '/v1/organizations', () => ({ administrator: ADMINISTRATOR }), 'organization'],
    [
      'a first administrator without email',
      '/v1/organizations',
      () => ({ organization: ORGANIZATION, administrator: { ...ADMINISTRATOR, email: undefined } }),
      'administrator.email',
    ],
    ['an administrator without phone', () => `/v1/organizations/${organization.id}/administrators`, () => ({ ...ADMINISTRATOR, phone: undefined }), 'phone'],
    ['a DNS provider without kind', '/v1/dns-providers', () => ({ name: 'no kind' }), 'kind'],
    ['a DNSPod provider without token', '/v1/dns-providers', () => ({ kind: 'dnspod', name: 'DNSPod', tokenId: '1' }), 'token'],
  ] as const)('%s', async (_what, path, body, field) => {
    const before = await counts();
    const response = await customer.request('POST', typeof path === 'function' ? path() : path, body());
    expect(response.status).toBe(400);
    expect(response.body.errors).toContainEqual({ field, message: 'required', rule: 'required' });
    expect(response.body.detail).not.toMatch(/received undefined/);
    expect(await counts()).toEqual(before);
  });

  test('a decision without its decision', async () => {
    const response = await reviewer.request('POST', `/v1/reviews/organizations/${organization.id}/decision`, {});
    expect([response.status, response.body.errors]).toEqual([400, [{ field: 'decision', message: 'required', rule: 'required' }]]);
  });
});

test('an administrator whose phone is an object (even with its own toString), or who is null, beside an organization without a country answers 400 naming the fields', async () => {
  const other = await harness.customer('Phone Object');
  const { country: _country, ...withoutCountry } = ORGANIZATION;
  const before = await counts();
  for (const administrator of [{ ...ADMINISTRATOR, phone: { toString: 1 } }, { ...ADMINISTRATOR, phone: {} }, null]) {
    const answer = await other.request('POST', '/v1/organizations', { organization: withoutCountry, administrator });
    expect([JSON.stringify(administrator), answer.status]).toEqual([JSON.stringify(administrator), 400]);
    const fields = (answer.body.errors as Array<{ field: string }>).map((e) => e.field);
    expect(fields).toContain('organization.country');
    expect(fields.some((f) => f.startsWith('administrator'))).toBe(true);
  }
  expect(await counts()).toEqual(before);
});
