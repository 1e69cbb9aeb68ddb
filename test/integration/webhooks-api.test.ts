import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { signedHeaders, signingSecrets } from '../../src/notify/webhook-secrets';
import { type Api, type Harness, startHarness } from '../support/harness';

/**
 * Webhook endpoints (issue 11): the secret shown once and sealed at rest, rotation with overlap checked
 * with the Standard Webhooks library itself, URLs through the address guard (loopback allowed here by
 * the test-only setting, nothing else non-public).
 */
let harness: Harness;
let customer: Api;

beforeAll(async () => {
  harness = await startHarness({ env: { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: '127.0.0.1/32' } });
  customer = await harness.customer();
});
afterAll(async () => harness?.stop());

const URL_OK = 'http://127.0.0.1:9/hooks';

test('a new endpoint answers its secret once; reads never show it, the database holds it sealed', async () => {
  const created = await customer.request('POST', '/v1/webhooks', { url: URL_OK, eventTypes: ['organization.approved', 'domain.validated'], description: 'CI' });
  expect(created.status).toBe(201);
  expect(created.headers.get('location')).toBe(`/v1/webhooks/${created.body.id}`);
  expect(created.body).toMatchObject({ url: URL_OK, eventTypes: ['organization.approved', 'domain.validated'], enabled: true, disabledReason: null });
  expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  const got = await customer.request('GET', `/v1/webhooks/${created.body.id}`);
  expect(got.status).toBe(200);
  expect(got.body).not.toHaveProperty('secret');
  const { secret: _secret, ...view } = created.body;
  expect(got.body).toEqual(view);
  expect((await customer.request('GET', '/v1/webhooks')).body.items).toContainEqual(view);
  const stored = await harness.db.selectFrom('webhook_secrets').select('ciphertext').where('endpoint_id', '=', created.body.id).execute();
  expect(stored).toHaveLength(1);
  expect(stored[0].ciphertext).not.toContain(created.body.secret.slice(6, 20));
  expect(await harness.db.selectFrom('idempotency_keys').select('body').execute()).toEqual([]);
});

test('a create retried with its Idempotency-Key gets the same endpoint and secret back, and the key keeps no secret', async () => {
  const headers = { 'Idempotency-Key': 'hook-1' };
  const first = await customer.request('POST', '/v1/webhooks', { url: URL_OK }, headers);
  const again = await customer.request('POST', '/v1/webhooks', { url: URL_OK }, headers);
  expect(first.status).toBe(201);
  expect(again.status).toBe(201);
  expect(again.body).toEqual(first.body);
  expect(first.body.eventTypes).toBeNull();
  const kept = await harness.db.selectFrom('idempotency_keys').select('body').where('key', '=', 'hook-1').executeTakeFirstOrThrow();
  expect(JSON.stringify(kept.body)).not.toContain(first.body.secret);
  expect((await customer.request('POST', '/v1/webhooks', { url: `${URL_OK}/other` }, headers)).status).toBe(422);

  // Once the secret is rotated out and its overlap has ended it signs nothing: a replay no longer hands it out.
  await customer.request('POST', `/v1/webhooks/${first.body.id}/rotate-secret`, { previousSecretExpiresInSeconds: 0 });
  const afterRotation = await customer.request('POST', '/v1/webhooks', { url: URL_OK }, headers);
  expect(afterRotation.status).toBe(201);
  expect(afterRotation.body).toEqual({ ...first.body, secret: null });
});

test('bad URLs and fields answer 4xx naming the field and the rule, and create nothing', async () => {
  const count = async () => (await harness.db.selectFrom('webhook_endpoints').select('id').execute()).length;
  const before = await count();
  const cases: [unknown, number, string, string | undefined][] = [
    [{ url: 'http://10.0.0.1/hooks' }, 422, 'url', 'public-address'],
    [{ url: 'http://[::1]:8080/' }, 422, 'url', 'public-address'],
    [{ url: 'http://169.254.169.254/latest/meta-data' }, 422, 'url', 'public-address'],
    [{ url: 'http://0x7f.0.0.2/' }, 422, 'url', 'public-address'],
    [{ url: 'ftp://hooks.example.com/' }, 400, 'url', 'url'],
    [{ url: 'https://93.184.216.34:0/' }, 400, 'url', 'url'],
    [{ url: 'https://hooks.example.com:00/' }, 400, 'url', 'url'],
    [{ url: 'https://user:pass@hooks.example.com/' }, 400, 'url', 'url'],
    [{ url: 'https://hooks.example.com/#x' }, 400, 'url', 'url'],
    [{ url: 'not a url' }, 400, 'url', 'url'],
    // Names no public resolver answers, as for a DNS provider's server: never resolved, refused now.
    [{ url: 'http://localhost:8080/hooks' }, 400, 'url', 'too-few-labels'],
    [{ url: 'http://metadata.google.internal/computeMetadata/v1/' }, 400, 'url', 'internal-name'],
    [{ url: 'http://kubernetes.default.svc/' }, 400, 'url', 'internal-name'],
    [{ url: 'https://intranet/hooks' }, 400, 'url', 'too-few-labels'],
    [{ url: `https://${'a'.repeat(64)}.example.com/` }, 400, 'url', undefined],
    [{ url: `https://hooks.example.com/${'x'.repeat(2100)}` }, 400, 'url', undefined],
    [{}, 400, 'url', 'required'],
    [{ url: 'https://hooks.example.com/', eventTypes: ['organization.aproved'] }, 400, 'eventTypes.0', undefined],
    [{ url: 'https://hooks.example.com/', eventTypes: [] }, 400, 'eventTypes', undefined],
    [{ url: 'https://hooks.example.com/', secret: 'whsec_mine' }, 400, '(body)', undefined],
  ];
  for (const [body, status, field, rule] of cases) {
    const answer = await customer.request('POST', '/v1/webhooks', body);
    expect({ body, status: answer.status }).toEqual({ body, status });
    expect(answer.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, ...(rule ? { rule } : {}) })]));
  }
  expect(await count()).toBe(before);
  // A host name is judged when used (at each delivery), as for every customer-named server.
  expect((await customer.request('POST', '/v1/webhooks', { url: 'https://hooks.example.com/in' })).status).toBe(201);
});

test('patch changes what is sent and whether; delete removes it; another account sees none of it', async () => {
  const { id } = (await customer.request('POST', '/v1/webhooks', { url: URL_OK })).body;
  const patched = await customer.request('PATCH', `/v1/webhooks/${id}`, { eventTypes: ['review.overdue'], enabled: false, description: null });
  expect(patched.status).toBe(200);
  expect(patched.body).toMatchObject({ eventTypes: ['review.overdue'], enabled: false, disabledReason: null, description: null });
  expect(patched.body.disabledAt).toEqual(expect.any(String));
  const enabled = await customer.request('PATCH', `/v1/webhooks/${id}`, { enabled: true, eventTypes: null });
  expect(enabled.body).toMatchObject({ enabled: true, disabledAt: null, eventTypes: null });
  for (const [body, field] of [
    [{}, '(body)'],
    [{ url: 'http://10.1.2.3/' }, 'url'],
    [{ enabled: 'yes' }, 'enabled'],
  ] as const) {
    const refused = await customer.request('PATCH', `/v1/webhooks/${id}`, body);
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.body.errors[0].field).toBe(field);
  }
  const other = await harness.customer('Other');
  expect((await other.request('GET', `/v1/webhooks/${id}`)).status).toBe(404);
  expect((await other.request('PATCH', `/v1/webhooks/${id}`, { enabled: false })).status).toBe(404);
  expect((await other.request('DELETE', `/v1/webhooks/${id}`)).status).toBe(404);
  expect((await other.request('GET', '/v1/webhooks')).body.items).toEqual([]);
  expect((await customer.request('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
  expect((await customer.request('GET', `/v1/webhooks/${id}`)).status).toBe(404);
  expect(await harness.db.selectFrom('webhook_secrets').select('id').where('endpoint_id', '=', id).execute()).toEqual([]);
  expect((await customer.request('GET', '/v1/webhooks/not-a-uuid')).status).toBe(404);
});

test('rotation: deliveries carry both signatures until the overlap ends, each verified by the Standard Webhooks library', async () => {
  const created = (await customer.request('POST', '/v1/webhooks', { url: URL_OK })).body;
  const rotated = await customer.request('POST', `/v1/webhooks/${created.id}/rotate-secret`, { previousSecretExpiresInSeconds: 3600 });
  expect(rotated.status).toBe(200);
  expect(rotated.body.secret).toMatch(/^whsec_/);
  expect(rotated.body.secret).not.toBe(created.secret);
  const expiresAt = Date.parse(rotated.body.previousSecretExpiresAt);
  expect(expiresAt - Date.now()).toBeGreaterThan(3_500_000);

  const body = JSON.stringify({ type: 'organization.approved', timestamp: new Date().toISOString(), data: {} });
  const verifies = (secret: string, headers: Record<string, string>) => {
    try {
      new Webhook(secret).verify(body, headers);
      return true;
    } catch (error) {
      if (error instanceof WebhookVerificationError) return false;
      throw error;
    }
  };
  const now = new Date();
  const during = signedHeaders(await signingSecrets(harness.db, harness.secretKey, created.id, now), 'evt_1', now, body);
  expect(during['webhook-signature'].split(' ')).toHaveLength(2);
  expect(verifies(rotated.body.secret, during)).toBe(true);
  expect(verifies(created.secret, during)).toBe(true);
  // After the overlap only the new secret signs.
  const after = signedHeaders(await signingSecrets(harness.db, harness.secretKey, created.id, new Date(expiresAt + 1000)), 'evt_1', now, body);
  expect(after['webhook-signature'].split(' ')).toHaveLength(1);
  expect(verifies(rotated.body.secret, after)).toBe(true);
  expect(verifies(created.secret, after)).toBe(false);
  // A second rotation with no overlap: only the newest signs from now on.
  const third = (await customer.request('POST', `/v1/webhooks/${created.id}/rotate-secret`, { previousSecretExpiresInSeconds: 0 })).body;
  const latest = signedHeaders(await signingSecrets(harness.db, harness.secretKey, created.id, new Date(Date.now() + 1)), 'evt_2', now, body);
  expect(verifies(third.secret, latest)).toBe(true);
  expect(verifies(rotated.body.secret, latest)).toBe(false);
  expect((await customer.request('POST', `/v1/webhooks/${created.id}/rotate-secret`, { previousSecretExpiresInSeconds: -1 })).status).toBe(400);
  // Secrets whose overlap ended are not kept: another rotation drops the one rotated out with no overlap, and
  // keeps the current one and the two still in theirs (the first, and the third just rotated out).
  await customer.request('POST', `/v1/webhooks/${created.id}/rotate-secret`, { previousSecretExpiresInSeconds: 3600 });
  const kept = await harness.db.selectFrom('webhook_secrets').select('expires_at').where('endpoint_id', '=', created.id).execute();
  expect(kept.map((row) => (row.expires_at === null ? 'current' : row.expires_at > new Date() ? 'overlap' : 'expired')).sort()).toEqual([
    'current',
    'overlap',
    'overlap',
  ]);
});

test('an account holds at most 20 endpoints', async () => {
  const account = await harness.customer('Many');
  for (let i = 0; i < 20; i++) expect((await account.request('POST', '/v1/webhooks', { url: `${URL_OK}/${i}` })).status).toBe(201);
  const refused = await account.request('POST', '/v1/webhooks', { url: URL_OK });
  expect(refused.status).toBe(409);
  expect(refused.body.detail).toMatch(/at most 20/);
});

test('PATCH and DELETE retried with their Idempotency-Key get the first answer and change nothing again; a reused key answers 422', async () => {
  const { id } = (await customer.request('POST', '/v1/webhooks', { url: URL_OK })).body;
  const off = { 'Idempotency-Key': `off-${id}` };
  const first = await customer.request('PATCH', `/v1/webhooks/${id}`, { enabled: false }, off);
  expect(first.status).toBe(200);
  expect(first.body.enabled).toBe(false);
  // The customer enables it again; a late retry of the first PATCH answers as it did and leaves it enabled.
  expect((await customer.request('PATCH', `/v1/webhooks/${id}`, { enabled: true })).body.enabled).toBe(true);
  const retried = await customer.request('PATCH', `/v1/webhooks/${id}`, { enabled: false }, off);
  expect({ status: retried.status, body: retried.body }).toEqual({ status: 200, body: first.body });
  expect((await customer.request('GET', `/v1/webhooks/${id}`)).body.enabled).toBe(true);
  const reused = await customer.request('PATCH', `/v1/webhooks/${id}`, { description: 'other' }, off);
  expect(reused.status).toBe(422);
  expect(reused.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
  expect((await customer.request('GET', `/v1/webhooks/${id}`)).body.description).toBeNull();
  const empty = await customer.request('PATCH', `/v1/webhooks/${id}`, { description: 'x' }, { 'Idempotency-Key': '' });
  expect(empty.status).toBe(400);
  expect(empty.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
  expect((await customer.request('GET', `/v1/webhooks/${id}`)).body.description).toBeNull();

  const gone = { 'Idempotency-Key': `delete-${id}` };
  expect((await customer.request('DELETE', `/v1/webhooks/${id}`, undefined, gone)).status).toBe(204);
  expect((await customer.request('DELETE', `/v1/webhooks/${id}`, undefined, gone)).status).toBe(204);
  expect((await customer.request('DELETE', `/v1/webhooks/${id}`)).status).toBe(404);
});
