/**
 * The DNSPod client against a local Node HTTP server that plays DNSPod's documented legacy API
 * (https://dnsapi.cn; test/support/fake-dnspod.ts). There is no DNSPod we could run locally, so this
 * server is strict instead: it checks each request's method (POST), path (/Record.*), Content-Type
 * (application/x-www-form-urlencoded), login_token, format=json and the fields each action
 * requires (record_line=默认 and ttl on writes), and keeps records in memory.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeDnspod, type FakeDnspod } from '../support/fake-dnspod';
import { createRecord, deleteTxtRecords, dnspodSubDomain, DnspodError, listRecords, removeRecord, addTxtRecord, type DnspodConfig } from '../../src/dcv/dnspod';

const TOKEN_ID = '12345';
const TOKEN = 'abcdef0123456789abcdef0123456789';

let fake: FakeDnspod;
let config: DnspodConfig;
let records: FakeDnspod['records'];
let seen: FakeDnspod['seen'];

beforeAll(async () => {
  fake = await startFakeDnspod({ tokenId: TOKEN_ID, token: TOKEN, domains: ['example.com'] });
  // The fake listens on loopback: the address guard lets just that address through, as DCV_ALLOW_PRIVATE_ADDRESSES does in tests.
  config = { tokenId: TOKEN_ID, token: TOKEN, baseUrl: fake.url, guard: { resolvers: ['127.0.0.1:1'], allowance: { allowCidrs: ['127.0.0.1/32'] } } };
  seen = fake.seen;
});

afterAll(async () => fake?.stop());

beforeEach(() => {
  fake.reset();
  records = fake.records;
});

afterEach(() => {
  expect(fake.protocolErrors).toEqual([]);
});

describe('DNSPod client', () => {
  it('maps FQDNs to sub_domain', () => {
    expect(dnspodSubDomain('example.com', '_dnsauth.www.example.com')).toBe('_dnsauth.www');
    expect(dnspodSubDomain('example.com', 'EXAMPLE.com.')).toBe('@');
    expect(() => dnspodSubDomain('example.com', 'example.org')).toThrow(DnspodError);
  });

  it('creates a TXT record with the documented fields', async () => {
    const id = await addTxtRecord(config, 'example.com', '_dnsauth', 'value-1');
    expect(seen.map((s) => s.action)).toEqual(['Record.List', 'Record.Create']);
    expect(seen[1].fields).toEqual({
      login_token: `${TOKEN_ID},${TOKEN}`,
      format: 'json',
      lang: 'en',
      domain: 'example.com',
      sub_domain: '_dnsauth',
      record_type: 'TXT',
      record_line: '默认',
      value: 'value-1',
      ttl: '600',
    });
    expect(records).toEqual([{ id, domain: 'example.com', name: '_dnsauth', type: 'TXT', value: 'value-1', line: '默认', ttl: '600' }]);
  });

  it("keeps other TXT values at the name (another CA's) and replaces only its own previous value", async () => {
    const other = await createRecord(config, 'example.com', '_dnsauth', 'TXT', 'another-ca-token');
    await createRecord(config, 'example.com', 'www', 'A', '192.0.2.1');
    const first = await addTxtRecord(config, 'example.com', '_dnsauth', 'value-1', 600);
    seen.length = 0;
    const second = await addTxtRecord(config, 'example.com', '_dnsauth', 'value-2', 600, 'value-1');
    expect(second).toBe(first);
    expect(seen.map((s) => s.action)).toEqual(['Record.List', 'Record.Modify']);
    expect(seen[1].fields).toMatchObject({ record_id: first, record_line: '默认', value: 'value-2', ttl: '600' });
    expect(records.map((r) => [r.id, r.name, r.type, r.value])).toEqual([
      [other, '_dnsauth', 'TXT', 'another-ca-token'],
      [records[1].id, 'www', 'A', '192.0.2.1'],
      [first, '_dnsauth', 'TXT', 'value-2'],
    ]);
    // Idempotent: publishing the current value again writes nothing.
    seen.length = 0;
    expect(await addTxtRecord(config, 'example.com', '_dnsauth', 'value-2', 600, 'value-1')).toBe(first);
    expect(seen.map((s) => s.action)).toEqual(['Record.List']);
  });

  it('lists records (an empty list, code 10, is not an error)', async () => {
    expect(await listRecords(config, 'example.com', '_dnsauth', 'TXT')).toEqual([]);
    await createRecord(config, 'example.com', '_dnsauth', 'TXT', 'v', 900);
    const list = await listRecords(config, 'example.com', '_dnsauth', 'TXT');
    expect(list).toEqual([{ id: expect.any(String), name: '_dnsauth', type: 'TXT', value: 'v', line: '默认', ttl: 900, enabled: true }]);
  });

  it('deletes one value or all TXT values of a name', async () => {
    await createRecord(config, 'example.com', '_dnsauth', 'TXT', 'a');
    await createRecord(config, 'example.com', '_dnsauth', 'TXT', 'b');
    expect(await deleteTxtRecords(config, 'example.com', '_dnsauth', 'a')).toBe(1);
    expect(records.map((r) => r.value)).toEqual(['b']);
    expect(await deleteTxtRecords(config, 'example.com', '_dnsauth')).toBe(1);
    expect(records).toEqual([]);
    expect(seen.filter((s) => s.action === 'Record.Remove').every((s) => s.fields.record_id)).toBe(true);
  });

  it('turns DNSPod status codes into DnspodError', async () => {
    await expect(listRecords({ ...config, token: 'wrong' }, 'example.com', '_dnsauth')).rejects.toMatchObject({
      name: 'DnspodError',
      code: '-1',
      message: expect.stringMatching(/Login fail/),
    });
    await expect(createRecord(config, 'not-mine.com', '_dnsauth', 'TXT', 'v')).rejects.toMatchObject({ code: '6' });
    await expect(removeRecord(config, 'example.com', '999999')).rejects.toMatchObject({ code: '8' });
  });

  it('reports HTTP and network failures', async () => {
    await expect(listRecords({ ...config, baseUrl: `${config.baseUrl}/nowhere` }, 'example.com', 'x')).rejects.toMatchObject({ code: 'HTTP_404' });
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(listRecords({ ...config, baseUrl: `http://127.0.0.1:${port}` }, 'example.com', 'x')).rejects.toMatchObject({ code: 'NETWORK' });
  });

  it('sends nothing to an API base at an address the guard refuses (production allows no loopback)', async () => {
    const production = { ...config, guard: { ...config.guard, allowance: {} } };
    await expect(listRecords(production, 'example.com', '_dnsauth')).rejects.toMatchObject({
      code: 'BLOCKED_ADDRESS',
      message: expect.stringMatching(/127\.0\.0\.1 is in 127\.0\.0\.0\/8 \(Loopback, RFC 1122/),
    });
    await expect(listRecords({ ...config, baseUrl: 'http://169.254.169.254' }, 'example.com', '_dnsauth')).rejects.toMatchObject({
      code: 'BLOCKED_ADDRESS',
      message: expect.stringMatching(/169\.254\.169\.254 is in 169\.254\.0\.0\/16 \(Link Local, RFC 3927\)/),
    });
    expect(seen).toEqual([]);
  });
});
