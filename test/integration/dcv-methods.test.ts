import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reusableUntil } from '../../src/domain/reuse-period';
import { startDcvLab, DELEGATION_ZONE, type DcvLab } from '../support/dcv-lab';
import { approvedAdministrator, eventually, startHarness, type Api, type Harness } from '../support/harness';
import { startFakeDnspod, type FakeDnspod } from '../support/fake-dnspod';
import { startNginx } from '../support/nginx';

/**
 * Each DCV method end to end against real parts: BIND9 for DNS (with TSIG-signed RFC 2136 updates),
 * nginx for the customer's web server and reverse proxy, three perspectives with a quorum.
 * Perspectives east and west ask server A, north asks server B, which never has the customer's
 * records: every pass is a 2/3 quorum with north disagreeing.
 */
let lab: DcvLab;
let dnspod: FakeDnspod;
let harness: Harness;
let customer: Api;
let administratorId: string;

beforeAll(async () => {
  lab = await startDcvLab();
  // DNSPod's API stand-in publishes what it is told into server A, as DNSPod's name servers would.
  dnspod = await startFakeDnspod({
    tokenId: '4242',
    token: 'dnspod-token-0123456789abcdef',
    domains: ['example.com'],
    onChange: async ({ action, record }) => {
      const name = `${record.name}.${record.domain}`;
      if (action === 'create') await lab.a.addRecord(name, record.type, `"${record.value}"`);
      else await lab.a.deleteRecord(name, record.type, `"${record.value}"`);
      // The customer of `revoked.example.com` revokes the token right after the service wrote its record.
      if (action === 'create' && record.name === '_dnsauth.revoked') dnspod.revokeToken();
    },
  });
  harness = await startHarness({ env: lab.env('east=A;west=A;north=B', { DNSPOD_API_URL: dnspod.url }) });
  customer = await harness.customer();
  ({ administratorId } = await approvedAdministrator(customer, await harness.reviewer()));
});
afterAll(async () => {
  await harness?.stop();
  await dnspod?.stop();
  await lab?.stop();
});

const addDomain = async (body: Record<string, unknown>) => {
  const response = await customer.request('POST', `/v1/administrators/${administratorId}/domains`, body);
  expect(response.status).toBe(201);
  return response.body;
};
const domainOf = async (id: string) => (await customer.request('GET', `/v1/domains/${id}`)).body;
const validated = (id: string, timeoutMs = 20_000) =>
  eventually(
    async () => {
      const domain = await domainOf(id);
      return domain.status === 'validated' ? domain : undefined;
    },
    timeoutMs,
    `domain ${id} validated`,
  );

/** The pre-check, waiting out its per-domain rate limit (one per second here). */
async function precheck(id: string) {
  for (;;) {
    const response = await customer.request('POST', `/v1/domains/${id}/validate`);
    if (response.status !== 429) return response;
    await new Promise((r) => setTimeout(r, Number(response.headers.get('retry-after')) * 1000));
  }
}

const scans = async (id: string) =>
  harness.db.selectFrom('dcv_checks').selectAll().where('domain_id', '=', id).where('kind', '=', 'scan').orderBy('id').execute();

test('manual DNS TXT: the pre-check says what it saw, then the CA scan validates with a 2/3 quorum', async () => {
  const domain = await addDomain({ domain: 'Shop.Example.COM.', autoValidation: false, method: 'dns' });
  expect(domain).toMatchObject({ domain: 'shop.example.com', autoValidation: false, method: 'dns', status: 'pending', usable: false });
  const value: string = domain.instructions.randomValue;
  expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(domain.instructions.record).toEqual({ type: 'TXT', name: '_dnsauth.shop.example.com', value });
  const lifetime = Date.parse(domain.randomValueExpiresAt) - Date.parse(domain.createdAt);
  expect(Math.abs(lifetime - 30 * 86_400_000)).toBeLessThan(5_000);

  // Two at once: one runs, the other is refused by the per-domain limit (however long the first takes).
  const both = await Promise.all([0, 1].map(() => customer.request('POST', `/v1/domains/${domain.id}/validate`)));
  expect(both.map((r) => r.status).sort()).toEqual([200, 429]);
  const [missing, tooSoon] = both[0].status === 200 ? both : [both[1], both[0]];
  expect(missing.body).toMatchObject({ passed: false, code: 'record_not_found', quorum: { summary: '0/3', required: 2 } });
  const east = missing.body.perspectives.find((r: { perspective: string; expected: string }) => r.perspective === 'east' && r.expected === value);
  expect(east).toMatchObject({ code: 'record_not_found', observed: [] });
  expect(missing.body.perspectives.filter((r: { perspective: string }) => r.perspective === 'north')).toHaveLength(2);

  expect(Number(tooSoon.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

  await lab.a.addRecord('_dnsauth.shop.example.com', 'TXT', '"not-the-value"');
  const mismatch = await precheck(domain.id);
  expect(mismatch.body.code).toBe('value_mismatch');
  expect(mismatch.body.perspectives.find((r: { perspective: string }) => r.perspective === 'west').observed).toEqual(['not-the-value']);

  await lab.a.addRecord('_dnsauth.shop.example.com', 'TXT', `"${value}"`);
  const ok = await precheck(domain.id);
  expect(ok.body).toMatchObject({
    passed: true,
    code: 'passed',
    quorum: { summary: '2/3', passedPerspectives: ['east', 'west'], failedPerspectives: ['north'] },
  });

  const done = await validated(domain.id);
  expect(done).toMatchObject({ brMethod: '3.2.2.4.7', brVersion: '2.2.6', usable: true, needsAttention: false });
  // BR §4.2.1 by date: validated late in 2026, 200 days would pass 2027-03-15, when the limit drops to 100 days.
  expect(done.validUntil).toBe(reusableUntil('domain', new Date(done.validatedAt)).toISOString());
  if (done.validatedAt < '2027-03-15') expect(Date.parse(done.validUntil)).toBeLessThan(Date.parse('2027-03-15T00:00:00Z'));
  const [scan] = await scans(domain.id);
  expect(scan).toMatchObject({ passed: true, quorum: expect.objectContaining({ summary: '2/3' }) });
  const actions = (await customer.request('GET', `/v1/domains/${domain.id}/events`)).body.items.map((e: { action: string }) => e.action);
  expect(actions).toEqual(['added', 'scan_started', 'validated']);
});

test('automatic DNS: a CNAME delegation once, the service keeps the value behind it; delete removes it', async () => {
  const domain = await addDomain({ domain: 'www.example.com' });
  expect(domain).toMatchObject({ autoValidation: true, method: 'dns' });
  const target: string = domain.instructions.record.value;
  expect(domain.instructions.record).toMatchObject({ type: 'CNAME', name: '_dnsauth.www.example.com' });
  expect(target).toMatch(new RegExp(`^[a-z2-7]{32}\\.${DELEGATION_ZONE.replaceAll('.', '\\.')}$`));
  // The service wrote the value behind the CNAME into its delegation zone with a TSIG-signed update.
  await eventually(async () => ((await lab.txtAt(target)).includes(domain.instructions.randomValue) ? true : undefined), 10_000, 'delegation TXT');

  const notDelegated = await precheck(domain.id);
  expect(notDelegated.body.code).toBe('cname_not_delegated');

  await lab.a.addRecord('_dnsauth.www.example.com', 'CNAME', `${target}.`);
  const done = await validated(domain.id);
  expect(done.brMethod).toBe('3.2.2.4.7');

  expect((await customer.request('DELETE', `/v1/domains/${domain.id}`)).status).toBe(204);
  await eventually(async () => ((await lab.txtAt(target)).length === 0 ? true : undefined), 10_000, 'delegation TXT removed');
  expect((await customer.request('GET', `/v1/domains/${domain.id}`)).status).toBe(404);
  expect((await customer.request('GET', `/v1/domains/${domain.id}/events`)).body.items.at(-1).action).toBe('deleted');
});

test('DNS provider (RFC 2136 + TSIG): the service writes the record, checks every authoritative server, scans, then removes it', async () => {
  const provider = await customer.request('POST', '/v1/dns-providers', lab.rfc2136Provider('Our BIND'));
  expect(provider.status).toBe(201);
  expect(JSON.stringify(provider.body)).not.toContain(lab.tsig.secret);
  const stored = await harness.db.selectFrom('dns_providers').selectAll().where('id', '=', provider.body.id).executeTakeFirstOrThrow();
  expect(stored.secret_ciphertext).not.toContain(lab.tsig.secret);

  // Another CA's token at the same name must survive everything the service writes and removes.
  await lab.a.addRecord('_dnsauth.api.example.com', 'TXT', '"another-ca-token"');
  const domain = await addDomain({ domain: 'api.example.com', autoValidation: false, method: 'dns_provider', dnsProviderId: provider.body.id });
  const done = await validated(domain.id);
  expect(done.brMethod).toBe('3.2.2.4.7');
  // Removed after the scan (the written record lived only as long as needed), and only it.
  await eventually(
    async () => ((await lab.txtAt('_dnsauth.api.example.com')).join() === 'another-ca-token' ? true : undefined),
    10_000,
    'provider record removed',
  );
  const events = (await customer.request('GET', `/v1/domains/${domain.id}/events`)).body.items;
  expect(events.map((e: { action: string }) => e.action)).toEqual(['added', 'record_on_all_authoritative', 'scan_started', 'validated']);
  expect(events[1].note).toMatch(/ns1\.example\.com \(127\.0\.0\.1\): present/);
  expect((await customer.request('DELETE', `/v1/dns-providers/${provider.body.id}`)).status).toBe(409);

  const weak = await customer.request('POST', '/v1/dns-providers', {
    kind: 'rfc2136',
    name: 'x',
    server: '127.0.0.1',
    zone: 'example.com',
    tsigKeyName: 'k',
    tsigAlgorithm: 'hmac-md5',
    tsigSecret: lab.tsig.secret,
  });
  expect(weak.status).toBe(400);
  expect(weak.body.errors[0].field).toBe('tsigAlgorithm');

  // A provider that refuses the update (wrong secret): the domain fails with the server's reason.
  const wrong = await customer.request('POST', '/v1/dns-providers', {
    ...provider.body,
    kind: 'rfc2136',
    id: undefined,
    createdAt: undefined,
    name: 'Wrong key',
    tsigSecret: Buffer.alloc(32, 7).toString('base64'),
  });
  expect(wrong.status).toBe(201);
  const refused = await addDomain({ domain: 'mail.example.com', autoValidation: false, method: 'dns_provider', dnsProviderId: wrong.body.id });
  const failed = await eventually(
    async () => {
      const d = await domainOf(refused.id);
      return d.status === 'failed' ? d : undefined;
    },
    15_000,
    'refused update fails the domain',
  );
  expect(failed.failureReason).toMatch(/refused the record.*(BADSIG|NOTAUTH|BADKEY)/);
});

test('DNS provider (DNSPod API): the record is created through the API, validated, then removed through the API', async () => {
  const provider = await customer.request('POST', '/v1/dns-providers', { kind: 'dnspod', name: 'DNSPod', tokenId: dnspod.tokenId, token: dnspod.token });
  expect(provider.status).toBe(201);
  const domain = await addDomain({ domain: 'pod.example.com', autoValidation: false, method: 'dns_provider', dnsProviderId: provider.body.id });
  const done = await validated(domain.id);
  expect(done.brMethod).toBe('3.2.2.4.7');
  await eventually(async () => (dnspod.records.length === 0 ? true : undefined), 10_000, 'DNSPod record removed');
  const actions = dnspod.seen.map((s) => s.action);
  expect(actions).toContain('Record.Create');
  expect(actions.at(-1)).toBe('Record.Remove');
  expect(dnspod.seen.find((s) => s.action === 'Record.Create')!.fields).toMatchObject({
    domain: 'example.com',
    sub_domain: '_dnsauth.pod',
    record_type: 'TXT',
    value: domain.instructions.randomValue,
  });
  expect(dnspod.protocolErrors).toEqual([]);
});

test('a provider that stops accepting the service never holds a domain up: the record it could not remove is reported', async () => {
  const provider = await customer.request('POST', '/v1/dns-providers', {
    kind: 'dnspod',
    name: 'DNSPod, soon revoked',
    tokenId: dnspod.tokenId,
    token: dnspod.token,
  });
  const domain = await addDomain({ domain: 'revoked.example.com', autoValidation: false, method: 'dns_provider', dnsProviderId: provider.body.id });
  try {
    await validated(domain.id);
    const left = await eventually(
      async () => {
        const events = (await customer.request('GET', `/v1/domains/${domain.id}/events`)).body.items;
        return events.find((e: { action: string }) => e.action === 'record_not_removed');
      },
      20_000,
      'record_not_removed event',
    );
    expect(left.note).toMatch(/could not remove the TXT record it published; remove it by hand.*Login fail/);
    const started = Date.now();
    expect((await customer.request('DELETE', `/v1/domains/${domain.id}`)).status).toBe(204);
    expect(Date.now() - started).toBeLessThan(15_000);
    const deleted = (await customer.request('GET', `/v1/domains/${domain.id}/events`)).body.items.at(-1);
    expect(deleted).toMatchObject({ action: 'deleted', note: expect.stringMatching(/remove it by hand/) });
  } finally {
    dnspod.restoreToken();
  }
});

test('manual file and automatic reverse proxy through nginx', async () => {
  const manual = await addDomain({ domain: 'files.example.com', autoValidation: false, method: 'file' });
  expect(manual.instructions.file).toEqual({
    url: 'http://files.example.com/.well-known/pki-validation/fileauth.txt',
    content: manual.instructions.randomValue,
  });
  const proxied = await addDomain({ domain: 'proxied.example.com', autoValidation: true, method: 'file' });
  const upstream: string = proxied.instructions.proxy.upstream;
  expect(upstream).toMatch(/\/dcv\/[a-z2-7]{32}\/$/);

  const docroot = mkdtempSync(path.join(os.tmpdir(), 'docroot-'));
  mkdirSync(path.join(docroot, '.well-known', 'pki-validation'), { recursive: true });
  // The service's public DCV address is the harness's own HTTP server.
  const web = await startNginx({
    sharedPort: true,
    port: lab.webPort,
    servers: [
      { kind: 'static', root: docroot, serverName: 'files.example.com' },
      { kind: 'proxy', upstream: upstream.replace(/^http:\/\/127\.0\.0\.1:\d+/, harness.baseUrl), serverName: 'proxied.example.com' },
    ],
  });
  try {
    expect((await precheck(manual.id)).body.code).toBe('file_not_found');
    writeFileSync(path.join(docroot, '.well-known', 'pki-validation', 'fileauth.txt'), 'something else\n');
    const wrong = await precheck(manual.id);
    expect(wrong.body.code).toBe('file_content_mismatch');
    writeFileSync(path.join(docroot, '.well-known', 'pki-validation', 'fileauth.txt'), `${manual.instructions.randomValue}\n`);
    expect((await validated(manual.id)).brMethod).toBe('3.2.2.4.18');

    const done = await validated(proxied.id);
    expect(done).toMatchObject({ brMethod: '3.2.2.4.18', usable: true });
  } finally {
    await web.stop();
  }
});

test('CAA that names another CA forbids validation', async () => {
  const domain = await addDomain({ domain: 'locked.example.com', autoValidation: false, method: 'dns' });
  await lab.a.addRecord('_dnsauth.locked.example.com', 'TXT', `"${domain.instructions.randomValue}"`);
  await lab.a.addRecord('locked.example.com', 'CAA', '0 issue "other-ca.example.org"');
  const outcome = await precheck(domain.id);
  expect(outcome.body).toMatchObject({ passed: false, code: 'caa_forbids' });
  const caa = outcome.body.perspectives.find((r: { perspective: string; code: string }) => r.perspective === 'east' && r.code === 'caa_forbids');
  expect(caa.expected).toContain('pki.example.net');
});

test('wildcards validate with DNS at the base name, never with a file', async () => {
  // One CNAME at _dnsauth.<base> can delegate one of the two automatic validations only.
  await addDomain({ domain: 'shop4.example.com' });
  const sibling = await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: '*.shop4.example.com' });
  expect(sibling.status).toBe(409);
  expect(sibling.body.detail).toMatch(
    /shop4\.example\.com .* already validates automatically through the CNAME at _dnsauth\.shop4\.example\.com.*autoValidation false/,
  );
  expect(
    (await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: '*.shop4.example.com', autoValidation: false, method: 'dns' }))
      .status,
  ).toBe(201);

  const wildcard = await addDomain({ domain: '*.shop2.example.com', autoValidation: false, method: 'dns' });
  expect(wildcard.instructions.record.name).toBe('_dnsauth.shop2.example.com');
  await lab.a.addRecord('_dnsauth.shop2.example.com', 'TXT', `"${wildcard.instructions.randomValue}"`);
  await validated(wildcard.id);
  const file = await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: '*.shop3.example.com', method: 'file' });
  expect(file.status).toBe(400);
  expect(file.body.errors[0]).toMatchObject({ field: 'method', message: expect.stringMatching(/wildcard/) });
});
