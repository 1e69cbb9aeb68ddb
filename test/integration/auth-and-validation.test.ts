import { ADMINISTRATOR, ORGANIZATION, profileRowCounts, startHarness, type Api, type Harness } from '../support/harness';
import { organizationApproval } from '../support/review-records';

let harness: Harness;
let alice: Api;
let bob: Api;
let reviewer: Api;
let aliceOrganization: { id: string; administrators: Array<{ id: string }> };

beforeAll(async () => {
  harness = await startHarness();
  alice = await harness.customer('Alice');
  bob = await harness.customer('Bob');
  reviewer = await harness.reviewer();
  aliceOrganization = (await alice.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR })).body;
});
afterAll(async () => harness?.stop());

const tableCounts = () => profileRowCounts(harness.db);

describe('authentication and roles', () => {
  test('a missing or unknown key answers 401 with a Bearer challenge', async () => {
    const anonymous = harness.anonymous();
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer cps_ck_not-a-real-key' }, { authorization: 'Basic dXNlcjpwYXNz' }]) {
      const response = await anonymous.request('GET', '/v1/organizations', undefined, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    expect((await anonymous.request('GET', '/v1/reviews')).status).toBe(401);
  });

  test('reviewer keys reach only the reviewer endpoints, customer keys never reach them', async () => {
    expect((await reviewer.request('GET', '/v1/organizations')).status).toBe(403);
    expect((await reviewer.request('GET', `/v1/administrators/${aliceOrganization.administrators[0].id}`)).status).toBe(403);
    expect((await alice.request('GET', '/v1/reviews')).status).toBe(403);
    // The full review records (who answered, the reviewer's notes) are the reviewers' only.
    expect((await alice.request('GET', `/v1/reviews/organizations/${aliceOrganization.id}/history`)).status).toBe(403);
    expect((await reviewer.request('GET', `/v1/organizations/${aliceOrganization.id}/reviews`)).status).toBe(403);
    expect((await alice.request('POST', `/v1/reviews/organizations/${aliceOrganization.id}/decision`, organizationApproval())).status).toBe(403);
    expect((await harness.db.selectFrom('organizations').select('status').where('id', '=', aliceOrganization.id).executeTakeFirstOrThrow()).status).toBe(
      'under_review',
    );
  });

  test('the caller is known before its body is read: 401 or 403 whatever the body, malformed or too large', async () => {
    const anonymous = harness.anonymous();
    for (const body of ['{bad', JSON.stringify({ padding: 'x'.repeat(70_000) })]) {
      expect((await anonymous.request('POST', '/v1/organizations', body, {})).status).toBe(401);
      expect((await alice.request('POST', `/v1/reviews/organizations/${aliceOrganization.id}/decision`, body, {})).status).toBe(403);
    }
    expect((await alice.request('POST', '/v1/organizations', '{bad', {})).status).toBe(400); // known, then read
  });

  test('no answer of the API may be cached or sniffed: Cache-Control no-store, X-Content-Type-Options nosniff', async () => {
    for (const answer of [
      await alice.request('GET', `/v1/organizations/${aliceOrganization.id}`),
      await alice.request('GET', '/v1/organizations'),
      await harness.anonymous().request('GET', '/v1/organizations'),
      await bob.request('POST', '/v1/organizations', '{bad', {}),
    ]) {
      expect([answer.headers.get('cache-control'), answer.headers.get('x-content-type-options')]).toEqual(['no-store', 'nosniff']);
    }
    expect((await fetch(`${harness.baseUrl}/openapi.json`)).headers.get('x-content-type-options')).toBe('nosniff');
  });

  test('keys are stored only as hashes', async () => {
    const stored = await harness.db.selectFrom('api_keys').select('key_hash').execute();
    expect(stored.map((k) => k.key_hash)).not.toContain(alice.key);
    expect(stored.every((k) => /^[0-9a-f]{64}$/.test(k.key_hash))).toBe(true);
  });
});

describe("tenant isolation: another account's objects answer 404 and stay untouched", () => {
  test.each([
    ['GET', () => `/v1/organizations/${aliceOrganization.id}`, undefined],
    ['PATCH', () => `/v1/organizations/${aliceOrganization.id}`, { displayName: 'mine now' }],
    ['DELETE', () => `/v1/organizations/${aliceOrganization.id}`, undefined],
    ['POST', () => `/v1/organizations/${aliceOrganization.id}/resubmit`, undefined],
    ['GET', () => `/v1/organizations/${aliceOrganization.id}/events`, undefined],
    ['GET', () => `/v1/organizations/${aliceOrganization.id}/administrators`, undefined],
    ['POST', () => `/v1/organizations/${aliceOrganization.id}/administrators`, ADMINISTRATOR],
    ['GET', () => `/v1/administrators/${aliceOrganization.administrators[0].id}`, undefined],
    ['PATCH', () => `/v1/administrators/${aliceOrganization.administrators[0].id}`, { position: 'CEO' }],
    ['DELETE', () => `/v1/administrators/${aliceOrganization.administrators[0].id}`, undefined],
    ['POST', () => `/v1/administrators/${aliceOrganization.administrators[0].id}/resubmit`, undefined],
    ['GET', () => `/v1/administrators/${aliceOrganization.administrators[0].id}/events`, undefined],
    ['GET', () => `/v1/organizations/${aliceOrganization.id}/reviews`, undefined],
    ['GET', () => `/v1/administrators/${aliceOrganization.administrators[0].id}/reviews`, undefined],
  ] as const)('%s %s', async (method, path, body) => {
    const before = await tableCounts();
    const response = await bob.request(method, path(), body);
    expect(response.status).toBe(404);
    expect(await tableCounts()).toEqual(before);
  });

  test("lists show only the caller's own objects", async () => {
    expect((await bob.request('GET', '/v1/organizations')).body).toEqual({ items: [], nextCursor: null });
    expect((await alice.request('GET', '/v1/organizations')).body.items.map((o: { id: string }) => o.id)).toEqual([aliceOrganization.id]);
  });
});

describe('bad input answers 4xx with the field at fault and stores nothing', () => {
  const valid = { organization: ORGANIZATION, administrator: ADMINISTRATOR };
  const cases: Array<[string, unknown, string]> = [
    ['missing name', { ...valid, organization: { ...ORGANIZATION, name: undefined } }, 'organization.name'],
    ['blank name', { ...valid, organization: { ...ORGANIZATION, name: '   ' } }, 'organization.name'],
    ['unknown country', { ...valid, organization: { ...ORGANIZATION, country: 'XX' } }, 'organization.country'],
    ['mobile as landline', { ...valid, organization: { ...ORGANIZATION, landline: '+86 138 0013 8000' } }, 'organization.landline'],
    ['garbage landline', { ...valid, organization: { ...ORGANIZATION, landline: 'call me' } }, 'organization.landline'],
    ['unknown field', { ...valid, organization: { ...ORGANIZATION, vatId: 'x' } }, 'organization'],
    ['too long address', { ...valid, organization: { ...ORGANIZATION, address: 'x'.repeat(301) } }, 'organization.address'],
    ['bad email', { ...valid, administrator: { ...ADMINISTRATOR, email: 'not-an-email' } }, 'administrator.email'],
    ['bad phone', { ...valid, administrator: { ...ADMINISTRATOR, phone: '12' } }, 'administrator.phone'],
    ['missing position', { ...valid, administrator: { ...ADMINISTRATOR, position: undefined } }, 'administrator.position'],
    ['wrong type', { ...valid, organization: { ...ORGANIZATION, city: 42 } }, 'organization.city'],
    ['not an object', [1, 2], '(body)'],
  ];

  test.each(cases)('%s', async (_name, body, field) => {
    const before = await tableCounts();
    const response = await bob.request('POST', '/v1/organizations', body);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await tableCounts()).toEqual(before);
  });

  test('malformed JSON, non-UUID ids and unknown routes', async () => {
    const malformed = await bob.request('POST', '/v1/organizations', '{"organization": ', {});
    expect(malformed.status).toBe(400);
    expect(malformed.body.title).toBe('Malformed JSON');
    expect((await bob.request('GET', '/v1/organizations/not-a-uuid')).status).toBe(404);
    expect((await bob.request('GET', '/v1/administrators/1%27%20or%201=1')).status).toBe(404);
    expect((await bob.request('GET', '/v1/nothing-here')).status).toBe(404);
    // A path parameter that does not percent-decode to UTF-8 names no resource either (the router said 400, which no operation declares).
    for (const path of ['/v1/organizations/%ff', '/v1/administrators/%ED%A0%80/events', '/v1/domains/%c0%af', '/dcv/%ff/fileauth.txt']) {
      const answer = await bob.request('GET', path);
      expect([answer.status, answer.body.title]).toEqual([404, 'Not Found']);
    }
    const wrongMethod = await bob.request('PUT', `/v1/organizations/${aliceOrganization.id}`, valid);
    expect([wrongMethod.status, wrongMethod.headers.get('allow')]).toEqual([405, 'GET, PATCH, DELETE']);
    // OPTIONS too (Express would answer it itself: 200 text/plain, HEAD in its Allow), with or without a key.
    for (const caller of [bob, harness.anonymous()]) {
      const options = await caller.request('OPTIONS', `/v1/organizations/${aliceOrganization.id}`);
      expect([options.status, options.headers.get('allow'), options.headers.get('content-type')]).toEqual([
        405,
        'GET, PATCH, DELETE',
        'application/problem+json; charset=utf-8',
      ]);
    }
    expect((await reviewer.request('POST', `/v1/reviews/domains/${aliceOrganization.id}/decision`, organizationApproval())).status).toBe(404);
    expect((await reviewer.request('GET', '/v1/reviews?status=everything')).body.errors[0].field).toBe('status');
  });

  test('bodies that are not JSON objects: 415, 413 or 400 with the reason, and nothing stored', async () => {
    const before = await tableCounts();
    const json = JSON.stringify(valid);
    const post = (body: string, headers: Record<string, string>) => bob.request('POST', '/v1/organizations', body, headers);
    const form = await post('name=Acme', { 'content-type': 'application/x-www-form-urlencoded' });
    expect([form.status, form.body.title]).toEqual([415, 'Unsupported Media Type']);
    expect(form.headers.get('accept-post')).toBe('application/json');
    expect((await post(json, { 'content-type': 'text/plain' })).body.detail).toBe('the request body must be application/json, not text/plain');
    const large = await post(JSON.stringify({ ...valid, padding: 'x'.repeat(70_000) }), {});
    expect([large.status, large.body.detail]).toEqual([413, 'the request body is larger than 64 kB']);
    expect((await post('null', {})).body.detail).toBe('the request body must be a JSON object');
    const gzip = await post(json, { 'content-encoding': 'gzip' });
    expect([gzip.status, gzip.body.title]).toEqual([400, 'Malformed request body']);
    expect((await post(json, { 'content-encoding': 'compress' })).status).toBe(415);
    expect((await post(json, { 'content-type': 'application/json; charset=latin2' })).status).toBe(415);
    expect(await tableCounts()).toEqual(before);
  });

  test('an operation without a request body does not read one: what is sent with it changes nothing about the answer', async () => {
    const resubmit = `/v1/organizations/${aliceOrganization.id}/resubmit`;
    const plain = await alice.request('POST', resubmit);
    for (const [body, type] of [
      ['not json', 'text/plain'],
      ['{"broken', 'application/json'],
      ['x'.repeat(70_000), 'application/json'],
    ]) {
      const answer = await alice.request('POST', resubmit, body, { 'content-type': type });
      expect([answer.status, answer.body.detail]).toEqual([plain.status, plain.body.detail]);
    }
    const deleted = await alice.request('DELETE', `/v1/domains/${aliceOrganization.id}`, 'not json', { 'content-type': 'text/plain' });
    expect([deleted.status, deleted.body.title]).toEqual([404, 'Not Found']);
  });

  test('NUL characters, unpaired surrogates, tampered cursors and oversized Idempotency-Keys answer 400 and change nothing', async () => {
    const before = await tableCounts();
    const nul = await bob.request('POST', '/v1/organizations', { ...valid, organization: { ...ORGANIZATION, name: 'Acme\u0000 Ltd' } });
    expect([nul.status, nul.body.errors[0]]).toEqual([
      400,
      { field: 'organization.name', message: 'must not contain control characters', rule: 'control-character' },
    ]);
    const patch = await alice.request('PATCH', `/v1/organizations/${aliceOrganization.id}`, { displayName: 'x\u0000' });
    expect([patch.status, patch.body.errors[0].field]).toEqual([400, 'displayName']);
    const decision = await reviewer.request('POST', `/v1/reviews/organizations/${aliceOrganization.id}/decision`, { decision: 'reject', reason: 'no\u0000' });
    expect([decision.status, decision.body.errors[0].field]).toEqual([400, 'reason']);
    // An unpaired surrogate is valid JSON that PostgreSQL's jsonb refuses: a 500 on create, a stuck workflow on edit.
    const surrogate = await bob.request('POST', '/v1/organizations', { ...valid, organization: { ...ORGANIZATION, name: 'Acme \ud800 Ltd' } });
    expect([surrogate.status, surrogate.body.errors[0]]).toEqual([
      400,
      { field: 'organization.name', message: 'must be valid Unicode (no unpaired surrogates)', rule: 'unpaired-surrogate' },
    ]);
    const surrogatePatch = await alice.request('PATCH', `/v1/administrators/${aliceOrganization.administrators[0].id}`, { position: 'CTO \udc00' });
    expect([surrogatePatch.status, surrogatePatch.body.errors[0].field]).toEqual([400, 'position']);
    const surrogateNote = await reviewer.request(
      'POST',
      `/v1/reviews/organizations/${aliceOrganization.id}/decision`,
      organizationApproval({ note: '\ud800' }),
    );
    expect([surrogateNote.status, surrogateNote.body.errors[0].field]).toEqual([400, 'callback.note']);
    const tampered = Buffer.from(JSON.stringify({ at: '2026-11-28T00:00:00.000Z', id: "x' or 1=1" })).toString('base64url');
    for (const path of ['/v1/organizations', `/v1/organizations/${aliceOrganization.id}/administrators`, '/v1/domains', '/v1/dns-providers']) {
      expect((await alice.request('GET', `${path}?cursor=${tampered}`)).body.errors).toEqual([{ field: 'cursor', message: 'not a cursor this API returned' }]);
    }
    expect((await alice.request('GET', `/v1/organizations/${aliceOrganization.id}/events?cursor=${tampered}`)).status).toBe(400);
    const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const value of [
      { at: '2026-11-28T00:00:00.000Z', id: 'x' },
      { at: '-271821-04-20T00:00:00.000Z', id: aliceOrganization.id },
    ]) {
      const page = await alice.request('GET', `/v1/organizations?cursor=${cursor(value)}`);
      expect([page.status, page.body.errors]).toEqual([400, [{ field: 'cursor', message: 'not a cursor this API returned' }]]);
    }
    const longKey = { 'idempotency-key': 'k'.repeat(2000) };
    const resubmit = await alice.request('POST', `/v1/organizations/${aliceOrganization.id}/resubmit`, undefined, longKey);
    expect([resubmit.status, resubmit.body.errors[0].field]).toEqual([400, 'Idempotency-Key']);
    const keyed = await reviewer.request('POST', `/v1/reviews/organizations/${aliceOrganization.id}/decision`, organizationApproval(), longKey);
    expect([keyed.status, keyed.body.errors[0].field]).toEqual([400, 'Idempotency-Key']);
    expect(await tableCounts()).toEqual(before);
    // The workflow took none of it: it still answers an edit at once.
    expect((await alice.request('PATCH', `/v1/organizations/${aliceOrganization.id}`, { displayName: 'Alice HQ' })).status).toBe(200);
    expect((await harness.db.selectFrom('organizations').select('status').where('id', '=', aliceOrganization.id).executeTakeFirstOrThrow()).status).toBe(
      'under_review',
    );
  });

  test('decisions are validated before they reach the workflow', async () => {
    const path = `/v1/reviews/organizations/${aliceOrganization.id}/decision`;
    expect((await reviewer.request('POST', path, { decision: 'maybe' })).body.errors[0].field).toBe('decision');
    const approval = organizationApproval();
    const unanswered = await reviewer.request('POST', path, { ...approval, callback: { ...approval.callback, outcome: 'no_answer' } });
    expect([unanswered.status, unanswered.body.errors]).toEqual([
      422,
      [{ field: 'callback.outcome', message: 'approval needs a verification call that was answered', rule: 'callback-answered' }],
    ]);
    expect((await reviewer.request('POST', path, {})).status).toBe(400);
    expect((await harness.db.selectFrom('organizations').select('status').where('id', '=', aliceOrganization.id).executeTakeFirstOrThrow()).status).toBe(
      'under_review',
    );
  });

  test('an empty PATCH is refused', async () => {
    const response = await alice.request('PATCH', `/v1/organizations/${aliceOrganization.id}`, {});
    expect(response.status).toBe(400);
    expect(response.body.detail).toMatch(/at least one field/);
  });
});

describe('operations endpoints', () => {
  test('/openapi.json describes every endpoint and /docs renders it', async () => {
    const spec: any = await (await fetch(`${harness.baseUrl}/openapi.json`)).json();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths).sort()).toEqual(
      [
        '/healthz',
        '/readyz',
        '/codec/encode',
        '/codec/decode',
        '/dcv/{label}/fileauth.txt',
        '/v1/administrators/{id}',
        '/v1/administrators/{id}/domains',
        '/v1/dns-providers',
        '/v1/dns-providers/{id}',
        '/v1/domains',
        '/v1/domains/{id}',
        '/v1/domains/{id}/checks',
        '/v1/domains/{id}/events',
        '/v1/domains/{id}/revalidate',
        '/v1/domains/{id}/validate',
        '/v1/administrators/{id}/events',
        '/v1/administrators/{id}/resubmit',
        '/v1/administrators/{id}/reviews',
        '/v1/organizations',
        '/v1/organizations/{id}',
        '/v1/organizations/{id}/administrators',
        '/v1/organizations/{id}/events',
        '/v1/organizations/{id}/resubmit',
        '/v1/organizations/{id}/reviews',
        '/v1/reviews',
        '/v1/reviews/administrators/{id}/decision',
        '/v1/reviews/administrators/{id}/history',
        '/v1/reviews/organizations/{id}/decision',
        '/v1/reviews/organizations/{id}/history',
        '/v1/events',
        '/v1/notification-settings',
        '/v1/webhooks',
        '/v1/webhooks/{id}',
        '/v1/webhooks/{id}/deliveries',
        '/v1/webhooks/{id}/deliveries/{deliveryId}',
        '/v1/webhooks/{id}/redeliver',
        '/v1/webhooks/{id}/rotate-secret',
        '/v1/webhooks/{id}/test',
      ].sort(),
    );
    expect(spec.components.schemas.CreateOrganization.properties.organization.required).toEqual(
      expect.arrayContaining(['name', 'country', 'province', 'city', 'address', 'landline']),
    );
    const docs = await fetch(`${harness.baseUrl}/docs`);
    expect(await docs.text()).toContain('/openapi.json');
    expect((await fetch(`${harness.baseUrl}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
  });

  test('/healthz and /readyz answer', async () => {
    expect((await fetch(`${harness.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${harness.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });
});

test("a sub-resource answers for its own kind only: another kind's id, or another account's id with any cursor, is a 404", async () => {
  const organizationId = aliceOrganization.id;
  const administratorId = aliceOrganization.administrators[0].id;
  // The organization has an audit trail and a review history (a rejection); so does the administrator after it.
  expect(
    (await reviewer.request('POST', `/v1/reviews/organizations/${organizationId}/decision`, { decision: 'reject', reason: 'landline unanswered' })).status,
  ).toBe(200);
  const cursor = (after: string) => Buffer.from(JSON.stringify({ at: new Date().toISOString(), id: after })).toString('base64url');
  const paths: Array<[Api, string]> = [
    [alice, `/v1/organizations/${administratorId}/events`],
    [alice, `/v1/administrators/${organizationId}/events`],
    [alice, `/v1/domains/${organizationId}/events`],
    [alice, `/v1/administrators/${organizationId}/reviews`],
    [reviewer, `/v1/reviews/administrators/${organizationId}/history`],
    [bob, `/v1/organizations/${organizationId}/events?cursor=${cursor('1')}`],
    [bob, `/v1/organizations/${organizationId}/reviews?cursor=${cursor('1')}`],
    [bob, `/v1/domains/${organizationId}/checks?cursor=${cursor('999999')}`],
  ];
  for (const [caller, path] of paths) expect([path, (await caller.request('GET', path)).status]).toEqual([path, 404]);
  // Their own kind still answers, a cursor's empty last page included.
  expect((await alice.request('GET', `/v1/organizations/${organizationId}/events`)).status).toBe(200);
  expect((await alice.request('GET', `/v1/organizations/${organizationId}/events?cursor=${cursor('999999999')}`)).body.items).toEqual([]);
  expect((await alice.request('GET', `/v1/organizations/${organizationId}/reviews?cursor=${cursor('999999999')}`)).body.items).toEqual([]);
  expect((await reviewer.request('GET', `/v1/reviews/organizations/${organizationId}/history`)).status).toBe(200);
});

test('a query parameter the operation does not take answers 400 naming it (a misspelt filter is never ignored); declared ones still work', async () => {
  for (const [path, field] of [
    ['/v1/organizations?stauts=approved', 'stauts'],
    ['/v1/organizations?status[]=approved', 'status[]'],
    ['/v1/events?type[]=organization.approved', 'type[]'],
    [`/v1/organizations/${aliceOrganization.id}?limit=5`, 'limit'],
    ['/v1/domains?limit=5&expiring=30', 'expiring'],
  ]) {
    const answer = await alice.request('GET', path);
    expect([path, answer.status, answer.headers.get('content-type'), answer.body.errors]).toEqual([
      path,
      400,
      'application/problem+json; charset=utf-8',
      [{ field, message: expect.stringMatching(/^not a query parameter of this operation \(it takes /), rule: 'unknown-field', values: { keys: field } }],
    ]);
  }
  expect((await alice.request('GET', '/v1/organizations?status=under_review&limit=5')).status).toBe(200);
  expect((await reviewer.request('GET', '/v1/reviews?status=pending&limit=5')).status).toBe(200);
  // The caller is known first: without a key, 401 whatever the query.
  expect((await harness.anonymous().request('GET', '/v1/organizations?stauts=approved')).status).toBe(401);
});
