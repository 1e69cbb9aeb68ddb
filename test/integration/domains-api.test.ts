import { domainNameOfLength } from '../support/names';
import { workflowIdFor } from '../../src/temporal/ids';
import { startDcvLab, type DcvLab } from '../support/dcv-lab';
import {
  ADMINISTRATOR,
  ORGANIZATION,
  approvedAdministrator,
  customerWithApprovedAdministrator,
  eventually,
  startHarness,
  type Api,
  type Harness,
} from '../support/harness';
import { administratorApproval, organizationApproval } from '../support/review-records';

/** The domain endpoints' rules: who may add what, name checks, tenant isolation, lists, cascades, search. */
let lab: DcvLab;
let harness: Harness;
let customer: Api;
let other: Api;
let reviewer: Api;
let organizationId: string;
let administratorId: string;

beforeAll(async () => {
  lab = await startDcvLab();
  harness = await startHarness({ env: lab.env('east=A;west=A') });
  customer = await harness.customer();
  other = await harness.customer('Other');
  reviewer = await harness.reviewer();
  const organization = (await customer.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR })).body;
  organizationId = organization.id;
  administratorId = organization.administrators[0].id;
});
afterAll(async () => {
  await harness?.stop();
  await lab?.stop();
});

const add = (body: Record<string, unknown>, api: Api = customer, admin = administratorId) => api.request('POST', `/v1/administrators/${admin}/domains`, body);
const domainCount = async () => (await harness.db.selectFrom('domains').select('id').execute()).length;

test('domains are added only under an approved administrator', async () => {
  const early = await add({ domain: 'early.example.com' });
  expect(early.status).toBe(409);
  expect(early.body.detail).toBe('the administrator is under_review: domains can be added only under an approved administrator');
  await reviewer.request('POST', `/v1/reviews/organizations/${organizationId}/decision`, organizationApproval());
  await reviewer.request('POST', `/v1/reviews/administrators/${administratorId}/decision`, administratorApproval());
  expect((await add({ domain: 'early.example.com' })).status).toBe(201);
});

describe('names that can never be validated or certified answer 422 naming the rule, and nothing is stored', () => {
  const dnsTxt = { autoValidation: false, method: 'dns' };
  test.each([
    ['an IPv4 address', { domain: '192.0.2.10' }, 'ip-address'],
    ['an IPv6 address', { domain: '[2001:db8::1]' }, 'ip-address'],
    ['a fullwidth IPv4 address', { domain: '１９２．０．２．１０', ...dnsTxt }, 'ip-address'],
    ['a public suffix', { domain: 'co.uk' }, 'public-suffix'],
    ['a wildcard over a public suffix', { domain: '*.com.cn' }, 'public-suffix'],
    ['an invalid label', { domain: 'bad_name.example.com' }, 'ldh-syntax'],
    ['a wildcard not leftmost', { domain: 'www.*.example.com' }, 'wildcard-position'],
    ['an internal name', { domain: 'intranet.local' }, 'internal-name'],
    ['a reserved LDH label (bq--)', { domain: 'bq--abwhky3f6fxq.example.com', ...dnsTxt }, 'reserved-ldh-label'],
    ['a reserved LDH label (ab--)', { domain: 'ab--cd.example.com', autoValidation: false, method: 'file' }, 'reserved-ldh-label'],
    ['an A-label that does not decode', { domain: 'xn--zz.example.com', ...dnsTxt }, 'a-label'],
    ['an A-label that decodes to ASCII', { domain: 'xn--abc-.example.com', ...dnsTxt }, 'a-label'],
    ['an A-label of a symbol IDNA2008 disallows', { domain: 'xn--n3h.example.com', ...dnsTxt }, 'a-label'],
    ['a symbol IDNA2008 disallows', { domain: '☃.example.com', ...dnsTxt }, 'idna-code-point'],
    ['a label of 64 characters', { domain: `${'a'.repeat(64)}.example.com`, ...dnsTxt }, 'label-length'],
    ['a name whose _dnsauth record name would be 259 characters (DNS TXT)', { domain: domainNameOfLength(250), ...dnsTxt }, 'name-length'],
    ['a name whose _dnsauth record name would be 259 characters (CNAME delegation)', { domain: domainNameOfLength(250) }, 'name-length'],
    ['a wildcard whose _dnsauth record name would be too long', { domain: `*.${domainNameOfLength(250)}`, ...dnsTxt }, 'name-length'],
    ['a name of 254 characters (file)', { domain: domainNameOfLength(254), autoValidation: false, method: 'file' }, 'name-length'],
  ])('%s', async (_label, body, rule) => {
    const before = await domainCount();
    const response = await add(body);
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(response.body.errors).toEqual([{ field: 'domain', rule, message: expect.stringMatching(/\((RFC|BR) /) }]);
    expect(await domainCount()).toBe(before);
  });

  test('the length counts the label the method adds: the same 250-character name is fine for the file method', async () => {
    const name = domainNameOfLength(250);
    const file = await add({ domain: name, autoValidation: false, method: 'file' });
    expect([file.status, file.body.domain]).toEqual([201, name]);
    const edge = domainNameOfLength(244); // _dnsauth. + 244 = 253
    expect((await add({ domain: edge, ...dnsTxt })).status).toBe(201);
  });

  test('UTS #46 separators and mappings apply in every position', async () => {
    const created = await add({ domain: 'ＩＤＥＯ。Example．com｡', ...dnsTxt });
    expect([created.status, created.body.domain]).toEqual([201, 'ideo.example.com']);
    expect(created.body.instructions.record.name).toBe('_dnsauth.ideo.example.com');
    const again = await add({ domain: 'ideo.example.com', ...dnsTxt });
    expect(again.status).toBe(409);
  });
});

describe('methods are checked; bad input changes nothing', () => {
  test.each([
    ['a file method for a wildcard', { domain: '*.example.com', autoValidation: false, method: 'file' }, 'method', /wildcard/],
    ['a provider with automatic validation', { domain: 'x.example.com', autoValidation: true, method: 'dns_provider' }, 'method', /dns or file/],
    ['a provider method without a provider', { domain: 'x.example.com', autoValidation: false, method: 'dns_provider' }, 'dnsProviderId', /required/],
    ['an unknown method', { domain: 'x.example.com', method: 'email' }, 'method', /./],
    ['an unknown field', { domain: 'x.example.com', ttl: 60 }, '(body)', /Unrecognized/],
    ['no domain', { autoValidation: false, method: 'dns' }, 'domain', /^required$/],
  ])('%s', async (_label, body, field, message) => {
    const before = await domainCount();
    const response = await add(body);
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({ field, message: expect.stringMatching(message) });
    expect(await domainCount()).toBe(before);
  });

  test('names are normalized: case, trailing dot, IDN to A-labels; the same name twice answers 409', async () => {
    const idn = await add({ domain: 'Bücher.Example.COM.' });
    expect(idn.body.domain).toBe('xn--bcher-kva.example.com');
    const again = await add({ domain: 'xn--bcher-kva.example.com', autoValidation: false, method: 'dns' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
    // The same shape as a duplicate organization or administrator: the field, the rule, and the domain already there.
    expect(again.body).toMatchObject({
      type: 'https://certificate-profiles.dev/problems/duplicate',
      title: 'Duplicate',
      detail: `xn--bcher-kva.example.com is already in this account as domain ${idn.body.id}`,
      errors: [{ field: 'domain', rule: 'duplicate', message: `the same as domain ${idn.body.id}` }],
      existing: { kind: 'domain', id: idn.body.id, href: `/v1/domains/${idn.body.id}` },
    });
    // Another account may hold the same name.
    const otherAccount = await approvedAdministratorOf(other);
    expect((await add({ domain: 'bücher.example.com' }, other, otherAccount)).status).toBe(201);
  });
});

const approvedAdministratorOf = async (api: Api) => (await approvedAdministrator(api, reviewer)).administratorId;

test("another account's domains and DNS providers answer 404 and stay untouched", async () => {
  const domain = (await add({ domain: 'private.example.com', autoValidation: false, method: 'dns' })).body;
  const provider = (
    await customer.request('POST', '/v1/dns-providers', { kind: 'dnspod', name: 'DNSPod', tokenId: '12345', token: 'abcdefghijklmnopqrstuvwxyz012345' })
  ).body;
  expect(provider).toMatchObject({ kind: 'dnspod', tokenId: '12345' });
  expect(provider.token).toBeUndefined();
  for (const [method, route] of [
    ['GET', `/v1/domains/${domain.id}`],
    ['DELETE', `/v1/domains/${domain.id}`],
    ['POST', `/v1/domains/${domain.id}/validate`],
    ['POST', `/v1/domains/${domain.id}/revalidate`],
    ['GET', `/v1/domains/${domain.id}/events`],
    ['GET', `/v1/domains/${domain.id}/checks`],
    ['GET', `/v1/administrators/${administratorId}/domains`],
    ['POST', `/v1/administrators/${administratorId}/domains`],
    ['GET', `/v1/dns-providers/${provider.id}`],
    ['DELETE', `/v1/dns-providers/${provider.id}`],
  ]) {
    const response = await other.request(method, route, method === 'POST' ? { domain: 'steal.example.com' } : undefined);
    expect([method, route, response.status]).toEqual([method, route, 404]);
  }
  const otherAdmin = await approvedAdministratorOf(other);
  const borrowed = await add({ domain: 'borrow.example.com', autoValidation: false, method: 'dns_provider', dnsProviderId: provider.id }, other, otherAdmin);
  expect(borrowed.status).toBe(400);
  expect(borrowed.body.errors[0].field).toBe('dnsProviderId');
  expect((await customer.request('GET', `/v1/domains/${domain.id}`)).body.status).toBe('pending');
  expect((await other.request('GET', '/v1/domains?limit=100')).body.items.map((d: { domain: string }) => d.domain)).not.toContain('private.example.com');
  expect((await reviewer.request('GET', '/v1/domains')).status).toBe(403);
});

test("a domain whose validation record lies outside its RFC 2136 provider's zone answers 422 and stores nothing; inside it is added", async () => {
  const provider = (
    await customer.request('POST', '/v1/dns-providers', {
      kind: 'rfc2136',
      name: 'Zone shop.example.net',
      server: 'ns1.example.net',
      zone: 'shop.example.net',
      tsigKeyName: 'update-key',
      tsigAlgorithm: 'hmac-sha256',
      tsigSecret: 'c2VjcmV0c2VjcmV0c2VjcmV0',
    })
  ).body;
  const count = async () => (await harness.db.selectFrom('domains').select('id').execute()).length;
  const before = await count();
  for (const domain of ['outside.example.com', 'example.net', 'notshop.example.net']) {
    const refused = await add({ domain, autoValidation: false, method: 'dns_provider', dnsProviderId: provider.id });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([
      { field: 'domain', rule: 'outside-provider-zone', message: expect.stringContaining(`_dnsauth.${domain} is not inside the zone shop.example.net`) },
    ]);
  }
  expect(await count()).toBe(before);
  for (const domain of ['shop.example.net', 'www.shop.example.net', '*.shop.example.net']) {
    expect((await add({ domain, autoValidation: false, method: 'dns_provider', dnsProviderId: provider.id })).status).toBe(201);
  }
});

describe('deleting a DNS provider while a domain is added with it', () => {
  // The lab's BIND (zone example.com): domains that win get their record written as they would in production.
  const raceProvider = () => lab.rfc2136Provider('Race zone');

  test('the two serialize: 20 rounds, never a 5xx, either the domain wins (delete 409 naming it) or the delete wins (create 400 not-in-account)', async () => {
    const { customer: api, administratorId: admin } = await customerWithApprovedAdministrator(harness);
    const wins = { domain: 0, delete: 0 };
    const created: string[] = [];
    for (let round = 1; round <= 20; round++) {
      const provider = await api.request('POST', '/v1/dns-providers', raceProvider());
      expect(provider.status).toBe(201);
      const domain = `r${round}.race.example.com`;
      const create = () =>
        api.request('POST', `/v1/administrators/${admin}/domains`, { domain, autoValidation: false, method: 'dns_provider', dnsProviderId: provider.body.id });
      const remove = () => api.request('DELETE', `/v1/dns-providers/${provider.body.id}`);
      // Alternate which request leaves first.
      const [added, deleted] = round % 2 ? await Promise.all([create(), remove()]) : (await Promise.all([remove(), create()])).reverse();
      const at = { round, added: [added.status, added.body], deleted: [deleted.status, deleted.body] };
      for (const answer of [added, deleted]) {
        if (answer.status >= 500) throw new Error(`a 5xx: ${JSON.stringify(at)}`);
        if (answer.status >= 400) expect(answer.headers.get('content-type')).toMatch(/application\/problem\+json/);
      }
      const rows = await harness.db.selectFrom('domains').select(['id', 'dns_provider_id']).where('name', '=', domain).execute();
      const providerLeft = await harness.db.selectFrom('dns_providers').select('id').where('id', '=', provider.body.id).execute();
      if (added.status === 201) {
        wins.domain++;
        created.push(added.body.id);
        expect(deleted.status).toBe(409);
        expect(deleted.body.detail).toBe(`the provider is used by ${domain} (domain ${added.body.id}): delete those domains first`);
        expect(rows).toEqual([{ id: added.body.id, dns_provider_id: provider.body.id }]);
        expect(providerLeft).toHaveLength(1);
      } else {
        wins.delete++;
        expect([added.status, deleted.status]).toEqual([400, 204]);
        // The same answer as naming a provider the account never had.
        expect(added.body.errors).toEqual([{ field: 'dnsProviderId', message: 'no such DNS provider in this account', rule: 'not-in-account' }]);
        expect(rows).toEqual([]);
        expect(providerLeft).toEqual([]);
        // A retried delete (the first answer lost at the commit) finds nothing: 404, as deletes answer.
        const again = await remove();
        expect(again.status).toBe(404);
        expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
      }
    }
    expect(wins.domain + wins.delete).toBe(20);
    for (const id of created) {
      const removed = await api.request('DELETE', `/v1/domains/${id}`);
      expect([removed.status, removed.body]).toEqual([204, undefined]);
    }
  });

  test('a provider in use answers 409 naming each domain and its id, and says only what the API can do', async () => {
    const { customer: api, administratorId: admin } = await customerWithApprovedAdministrator(harness);
    const provider = (await api.request('POST', '/v1/dns-providers', raceProvider())).body;
    const ids: string[] = [];
    for (const domain of ['a.race.example.com', 'b.race.example.com']) {
      const added = await api.request('POST', `/v1/administrators/${admin}/domains`, {
        domain,
        autoValidation: false,
        method: 'dns_provider',
        dnsProviderId: provider.id,
      });
      expect(added.status).toBe(201);
      ids.push(added.body.id);
    }
    const refused = await api.request('DELETE', `/v1/dns-providers/${provider.id}`);
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.body.detail).toBe(
      `the provider is used by a.race.example.com (domain ${ids[0]}), b.race.example.com (domain ${ids[1]}): delete those domains first`,
    );
    expect(refused.body.detail).not.toMatch(/method/);
    for (const id of ids) {
      const removed = await api.request('DELETE', `/v1/domains/${id}`);
      expect([removed.status, removed.body]).toEqual([204, undefined]);
    }
    expect((await api.request('DELETE', `/v1/dns-providers/${provider.id}`)).status).toBe(204);
    expect((await api.request('DELETE', `/v1/dns-providers/${provider.id}`)).status).toBe(404);
  });
});

test('a revalidate retried with its Idempotency-Key rotates the random value once; domain creates replay too', async () => {
  const created = await customer.request(
    'POST',
    `/v1/administrators/${administratorId}/domains`,
    { domain: 'retried.example.com', autoValidation: false, method: 'dns' },
    { 'idempotency-key': 'add-retried' },
  );
  const replayed = await customer.request(
    'POST',
    `/v1/administrators/${administratorId}/domains`,
    { domain: 'retried.example.com', autoValidation: false, method: 'dns' },
    { 'idempotency-key': 'add-retried' },
  );
  expect([created.status, replayed.status, replayed.body.id]).toEqual([201, 201, created.body.id]);
  const revalidate = (key: string) => customer.request('POST', `/v1/domains/${created.body.id}/revalidate`, undefined, { 'idempotency-key': key });
  const first = await revalidate('rotate-1');
  expect(first.body.instructions.randomValue).not.toBe(created.body.instructions.randomValue);
  const retry = await revalidate('rotate-1');
  expect([retry.status, retry.body.instructions.randomValue]).toEqual([200, first.body.instructions.randomValue]);
  expect((await revalidate('rotate-2')).body.instructions.randomValue).not.toBe(first.body.instructions.randomValue);
  const actions = (await customer.request('GET', `/v1/domains/${created.body.id}/events`)).body.items.map((e: { action: string }) => e.action);
  expect(actions.filter((a: string) => a === 'revalidation_requested')).toHaveLength(2);
});

test('lists filter by status and by validations ending soon', async () => {
  const domain = (await add({ domain: 'listed.example.com', autoValidation: false, method: 'dns' })).body;
  await lab.a.addRecord('_dnsauth.listed.example.com', 'TXT', `"${domain.instructions.randomValue}"`);
  await eventually(
    async () => ((await customer.request('GET', `/v1/domains/${domain.id}`)).body.status === 'validated' ? true : undefined),
    20_000,
    'validated',
  );
  const names = async (query: string) => (await customer.request('GET', `/v1/domains?${query}`)).body.items.map((d: { domain: string }) => d.domain);
  expect(await names('status=validated')).toEqual(['listed.example.com']);
  expect(await names('status=pending&limit=100')).not.toContain('listed.example.com');
  expect(await names('expiringWithinDays=400')).toEqual(['listed.example.com']);
  expect(await names('expiringWithinDays=1')).toEqual([]);
  expect((await customer.request('GET', '/v1/domains?status=done')).body.errors[0].field).toBe('status');
  const underAdmin = (await customer.request('GET', `/v1/administrators/${administratorId}/domains?limit=100`)).body.items.map(
    (d: { domain: string }) => d.domain,
  );
  expect(underAdmin).toContain('listed.example.com');

  const found = await eventually(
    async () => {
      const ids: string[] = [];
      for await (const w of harness.client.workflow.list({ query: `DomainName = "listed.example.com" AND EntityStatus = "validated"` })) ids.push(w.workflowId);
      return ids.length ? ids : undefined;
    },
    15_000,
    'search by domain name',
  );
  expect(found).toEqual([workflowIdFor('domain', domain.id)]);
});

test('deleting an administrator deletes its domains, ends their workflows and removes what the service wrote', async () => {
  const domain = (await add({ domain: 'cascade.example.com' })).body;
  const target = domain.instructions.record.value;
  await eventually(async () => ((await lab.txtAt(target)).length ? true : undefined), 10_000, 'delegation record');
  expect((await customer.request('DELETE', `/v1/administrators/${administratorId}`)).status).toBe(204);
  expect((await customer.request('GET', `/v1/domains/${domain.id}`)).status).toBe(404);
  await eventually(
    async () => ((await harness.client.workflow.getHandle(workflowIdFor('domain', domain.id)).describe()).status.name === 'COMPLETED' ? true : undefined),
    10_000,
    'domain workflow ended',
  );
  await eventually(async () => ((await lab.txtAt(target)).length === 0 ? true : undefined), 10_000, 'delegation record removed');
  const trail = (await customer.request('GET', `/v1/domains/${domain.id}/events`)).body.items.map((e: { action: string }) => e.action);
  expect(trail).toEqual(['added', 'deleted_with_administrator']);
});

describe('without a DNS server for the delegation zone', () => {
  let bare: Harness;
  beforeAll(async () => (bare = await startHarness({ env: { ...lab.env('east=A'), DCV_DELEGATION_SERVER: '' } })));
  afterAll(async () => bare?.stop());

  test('automatic DNS validation is refused up front with the reason, other methods work', async () => {
    const api = await bare.customer();
    const { administratorId: admin } = await approvedAdministrator(api, await bare.reviewer());
    const refused = await api.request('POST', `/v1/administrators/${admin}/domains`, { domain: 'auto.example.com' });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({ field: 'method' });
    expect(
      (await api.request('POST', `/v1/administrators/${admin}/domains`, { domain: 'auto.example.com', autoValidation: false, method: 'dns' })).status,
    ).toBe(201);
  });
});
