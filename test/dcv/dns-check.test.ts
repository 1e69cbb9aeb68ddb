/**
 * DNS checks against a real BIND9 `named` on a loopback port. The "perspective resolver" is a
 * named authoritative for every test zone (customer zones and the delegation zone), so the
 * resolver answers as a recursive one would for these names.
 */
import { startBind9, type Bind9Server } from '../support/bind9';
import { checkCaa, checkCname, checkTxt } from '../../src/dcv/dns-check';
import type { Perspective } from '../../src/dcv/perspective';
import { createSocket, type Socket } from 'node:dgram';

const VALUE = 'q3kS0c5yJ0Yc7c3m2b1xq9bqz3c2WqJmVt3fU1p8d0A';
const TARGET = 'k5bq2x7yqz4m3n6p8r2t4v6x8z2b4d6f.dcv.ca.test';

let dns: Bind9Server;
let perspective: Perspective;

beforeAll(async () => {
  dns = await startBind9({
    zones: [
      { name: 'test', records: [] },
      {
        name: 'customer.test',
        records: [
          `_dnsauth TXT "${VALUE}"`,
          `_dnsauth.wild TXT "${VALUE}"`,
          `_dnsauth.multi TXT "other-value" "-continued"`,
          `_dnsauth.multi TXT "unrelated"`,
          `_dnsauth.delegated CNAME ${TARGET}.`,
          `_dnsauth.stale CNAME ${TARGET}.`,
          `_dnsauth.elsewhere CNAME abc.other.test.`,
          `_dnsauth.notcname TXT "${VALUE}"`,
          `_dnsauth.viacname CNAME txt-holder.customer.test.`,
          `txt-holder TXT "${VALUE}"`,
          `_dnsauth.split TXT "${VALUE.slice(0, 20)}" "${VALUE.slice(20)}"`,
        ],
      },
      { name: 'dcv.ca.test', records: [`${TARGET}. TXT "${VALUE}"`] },
      {
        name: 'caa.test',
        records: [
          '@ CAA 0 issue "ca.example"',
          'deny CAA 0 issue "other-ca.example"',
          'deny CAA 0 iodef "mailto:sec@caa.test"',
          'semi CAA 0 issue ";"',
          'wild CAA 0 issue "ca.example"',
          'wild CAA 0 issuewild "other-ca.example"',
          'crit CAA 128 tbs "unknown"',
          'crit CAA 0 issue "ca.example"',
          'noncrit CAA 0 tbs "unknown"',
          'noncrit CAA 0 issue "ca.example"',
          'acct CAA 0 issue "ca.example; accounturi=https://ca.example/acct/1"',
          'www A 127.0.0.1',
        ],
      },
      { name: 'nocaa.test', records: ['www A 127.0.0.1'] },
    ],
  });
  perspective = { name: 'test-local', resolvers: [dns.server] };
});

afterAll(async () => {
  await dns?.stop();
});

describe('checkTxt', () => {
  it('passes when _dnsauth.<domain> has the value', async () => {
    const r = await checkTxt(perspective, 'customer.test', VALUE);
    expect(r).toMatchObject({ perspective: 'test-local', code: 'passed', passed: true, expected: VALUE, observed: [VALUE] });
  });

  it('looks at _dnsauth.<base> for a wildcard', async () => {
    const r = await checkTxt(perspective, '*.wild.customer.test', VALUE);
    expect(r.code).toBe('passed');
  });

  it('joins the character-strings of one TXT record', async () => {
    const r = await checkTxt(perspective, 'split.customer.test', VALUE);
    expect(r.code).toBe('passed');
  });

  it('follows a CNAME to the TXT record', async () => {
    const r = await checkTxt(perspective, 'viacname.customer.test', VALUE);
    expect(r.code).toBe('passed');
  });

  it('reports value_mismatch with every value seen', async () => {
    const r = await checkTxt(perspective, 'multi.customer.test', VALUE);
    expect(r.code).toBe('value_mismatch');
    expect(r.passed).toBe(false);
    expect([...r.observed].sort()).toEqual(['other-value-continued', 'unrelated']);
  });

  it('reports record_not_found for a missing name (NXDOMAIN) and missing type (NODATA)', async () => {
    expect((await checkTxt(perspective, 'absent.customer.test', VALUE)).code).toBe('record_not_found');
    await dns.addRecord('_dnsauth.aonly.customer.test', 'A', '127.0.0.1');
    const r = await checkTxt(perspective, 'aonly.customer.test', VALUE);
    expect(r.code).toBe('record_not_found');
    expect(r.observed).toEqual([]);
  });

  it('sees a record added later (no cache shared between checks)', async () => {
    expect((await checkTxt(perspective, 'later.customer.test', VALUE)).code).toBe('record_not_found');
    await dns.addRecord('_dnsauth.later.customer.test', 'TXT', `"${VALUE}"`);
    expect((await checkTxt(perspective, 'later.customer.test', VALUE)).code).toBe('passed');
  });

  it('reports dns_error when the resolver refuses (a zone it does not serve)', async () => {
    const r = await checkTxt(perspective, 'example.org', VALUE);
    expect(r.code).toBe('dns_error');
    expect(r.detail).toMatch(/REFUSED/);
  });

  describe('with a resolver that never answers', () => {
    let silent: Socket;
    let silentPort: number;
    beforeAll(async () => {
      silent = createSocket('udp4');
      await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
      silentPort = silent.address().port;
    });
    afterAll(() => silent.close());

    it('reports timeout', async () => {
      const started = Date.now();
      const r = await checkTxt({ name: 'silent', resolvers: [`127.0.0.1:${silentPort}`] }, 'customer.test', VALUE, 500);
      expect(r.code).toBe('timeout');
      expect(r.perspective).toBe('silent');
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });
});

describe('checkCname', () => {
  it('passes when the CNAME points to the target and the target has the value', async () => {
    const r = await checkCname(perspective, 'delegated.customer.test', TARGET, VALUE);
    expect(r).toMatchObject({ code: 'passed', passed: true, observed: [VALUE] });
  });

  it('compares the target case-insensitively and ignores a trailing dot', async () => {
    const r = await checkCname(perspective, '*.delegated.customer.test', `${TARGET.toUpperCase()}.`, VALUE);
    expect(r.code).toBe('passed');
  });

  it('reports value_mismatch when the target holds another value', async () => {
    const r = await checkCname(perspective, 'stale.customer.test', TARGET, 'a-new-value');
    expect(r).toMatchObject({ code: 'value_mismatch', observed: [VALUE] });
  });

  it('reports cname_not_delegated with the observed target when it points elsewhere', async () => {
    const r = await checkCname(perspective, 'elsewhere.customer.test', TARGET, VALUE);
    expect(r).toMatchObject({ code: 'cname_not_delegated', expected: TARGET, observed: ['abc.other.test'] });
  });

  it('reports cname_not_delegated with nothing observed when there is no CNAME', async () => {
    const r = await checkCname(perspective, 'notcname.customer.test', TARGET, VALUE);
    expect(r).toMatchObject({ code: 'cname_not_delegated', observed: [] });
    expect((await checkCname(perspective, 'absent.customer.test', TARGET, VALUE)).code).toBe('cname_not_delegated');
  });

  it('reports record_not_found when the delegation target has no TXT yet', async () => {
    const target = 'fresh0000000000000000000000000000.dcv.ca.test';
    await dns.addRecord('_dnsauth.fresh.customer.test', 'CNAME', `${target}.`);
    const r = await checkCname(perspective, 'fresh.customer.test', target, VALUE);
    expect(r.code).toBe('record_not_found');
  });
});

describe('checkCaa', () => {
  const issuer = 'ca.example';

  it('passes when the closest CAA set authorizes the issuer', async () => {
    expect((await checkCaa(perspective, 'caa.test', issuer)).code).toBe('passed');
  });

  it('climbs to the parent when a name has no CAA records', async () => {
    const r = await checkCaa(perspective, 'www.caa.test', issuer);
    expect(r.code).toBe('passed');
    expect(r.observed).toEqual(['caa.test 0 issue "ca.example"']);
  });

  it('passes when no name up to the TLD has CAA', async () => {
    const r = await checkCaa(perspective, 'www.nocaa.test', issuer);
    expect(r).toMatchObject({ code: 'passed', observed: [] });
  });

  it('forbids when the closest set names another CA (the parent permission does not count)', async () => {
    const r = await checkCaa(perspective, 'deny.caa.test', issuer);
    expect(r.code).toBe('caa_forbids');
    expect(r.passed).toBe(false);
    expect(r.observed).toContain('deny.caa.test 0 issue "other-ca.example"');
  });

  it('forbids on issue ";"', async () => {
    expect((await checkCaa(perspective, 'semi.caa.test', issuer)).code).toBe('caa_forbids');
  });

  it('uses issuewild for wildcards and issue otherwise', async () => {
    expect((await checkCaa(perspective, 'wild.caa.test', issuer)).code).toBe('passed');
    expect((await checkCaa(perspective, '*.wild.caa.test', issuer)).code).toBe('caa_forbids');
    expect((await checkCaa(perspective, '*.caa.test', issuer)).code).toBe('passed');
  });

  it('forbids on a critical unknown tag, ignores a non-critical one', async () => {
    const crit = await checkCaa(perspective, 'crit.caa.test', issuer);
    expect(crit.code).toBe('caa_forbids');
    expect(crit.detail).toMatch(/tbs/);
    expect((await checkCaa(perspective, 'noncrit.caa.test', issuer)).code).toBe('passed');
  });

  it('checks accounturi when an account is given', async () => {
    expect((await checkCaa(perspective, 'acct.caa.test', issuer, { accountUri: 'https://ca.example/acct/1' })).code).toBe('passed');
    expect((await checkCaa(perspective, 'acct.caa.test', issuer, { accountUri: 'https://ca.example/acct/2' })).code).toBe('caa_forbids');
  });

  it('fails with dns_error when a level cannot be read', async () => {
    const r = await checkCaa(perspective, 'www.example.org', issuer);
    expect(r.code).toBe('dns_error');
  });
});
