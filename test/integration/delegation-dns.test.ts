import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import type { DelegationServer } from '../../src/dcv/delegation-server';
import { serveDelegationZone } from '../../src/dcv/served-zone';
import { findBinary } from '../support/binaries';
import { startBind9, type Bind9Server } from '../support/bind9';
import { customerWithApprovedAdministrator, domainWatcher, eventually, startHarness, type Api, type Harness } from '../support/harness';

/**
 * Automatic DNS without an external delegation server, as on `npm start`: the service answers for its
 * delegation zone itself, from PostgreSQL. Real parts only: BIND9 holds the customer's zone
 * (`_dnsauth.www.example.com` CNAME into the delegation zone) and the parent of the delegation zone,
 * which it delegates with NS and glue to the service's server; the perspectives resolve through BIND,
 * which follows the CNAME and the delegation as any resolver does. A resolver asks name servers on
 * port 53, so the service's server listens on 53 at an address of its own in 127/8 (the tests run as
 * root, as .ci/run does).
 */
const ZONE = 'dcv.example.net';
const ADDRESS = `127.53.${randomInt(1, 255)}.${randomInt(1, 255)}`;
const DIG = findBinary('dig', 'bind9-dnsutils');

let bind: Bind9Server;
let harness: Harness;
let dns: DelegationServer;
let customer: Api;
let administratorId: string;
const logged: string[] = [];

beforeAll(async () => {
  bind = await startBind9({
    recursion: true,
    zones: [
      // `com` answers the CAA climb (RFC 8659) up to the top-level domain.
      { name: 'com' },
      { name: 'example.com', records: ['@ A 127.0.0.1', '* A 127.0.0.1'] },
      { name: 'example.net', records: [`dcv NS ns1.${ZONE}.`, `ns1.dcv A ${ADDRESS}`] },
    ],
  });
  harness = await startHarness({
    env: {
      DCV_PERSPECTIVES: `east=${bind.server};west=${bind.server}`,
      DCV_DELEGATION_ZONE: ZONE,
      DCV_DNS_LISTEN: `${ADDRESS}:53`,
      DCV_CAA_ISSUER: 'pki.example.net',
      DCV_RETRY_SCHEDULE: '300ms,600ms,1s',
      DCV_PRECHECK_INTERVAL: '1s',
    },
  });
  // What runService does in the API process when no DCV_DELEGATION_SERVER is set.
  dns = await serveDelegationZone(harness.db, harness.config.dcv, (line) => logged.push(line));
  ({ customer, administratorId } = await customerWithApprovedAdministrator(harness));
});
afterAll(async () => {
  await dns?.close();
  await harness?.stop();
  await bind?.stop();
});

async function dig(
  server: string,
  port: number,
  name: string,
  type: string,
): Promise<{ status?: string; flags: string[]; answer: string[]; authority: string[] }> {
  const { stdout } = await promisify(execFile)(DIG, [`@${server}`, '-p', String(port), '+time=2', '+tries=1', name, type]);
  const section = (title: string) => (new RegExp(`;; ${title} SECTION:\\n([\\s\\S]*?)\\n\\n`).exec(stdout)?.[1] ?? '').split('\n').filter(Boolean);
  return {
    status: /status: (\w+)/.exec(stdout)?.[1],
    flags: /;; flags: ([a-z ]+);/.exec(stdout)![1].trim().split(' '),
    answer: section('ANSWER'),
    authority: section('AUTHORITY'),
  };
}
const direct = (name: string, type = 'TXT') => dig(ADDRESS, 53, name, type);
const throughBind = (name: string, type = 'TXT') => dig('127.0.0.1', bind.port, name, type);
const txtOf = (answer: string[]) => answer.filter((line) => /\sTXT\s/.test(line)).map((line) => /"(.*)"$/.exec(line)![1]);

async function precheck(id: string) {
  for (;;) {
    const response = await customer.request('POST', `/v1/domains/${id}/validate`);
    if (response.status !== 429) return response.body;
    await new Promise((r) => setTimeout(r, Number(response.headers.get('retry-after')) * 1000));
  }
}

test('the default domain method validates through BIND: CNAME into the zone, BIND delegating it to the service', async () => {
  const watch = domainWatcher(customer);
  const created = await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: 'www.example.com' });
  expect(created.status).toBe(201);
  const domain = created.body;
  expect(domain).toMatchObject({ method: 'dns', autoValidation: true, status: 'pending' });
  const target: string = domain.instructions.record.value;
  const value: string = domain.instructions.randomValue;
  expect(domain.instructions.record).toMatchObject({ type: 'CNAME', name: '_dnsauth.www.example.com' });
  expect(target).toMatch(/^[a-z2-7]{32}\.dcv\.example\.net$/);

  // The service's server answers the row's value at once, authoritatively; BIND, which holds only the
  // delegation, gets it from there (a recursive answer: RA, not AA).
  const own = await direct(target);
  expect(own).toMatchObject({ status: 'NOERROR', authority: [] });
  expect(own.flags).toContain('aa');
  expect(txtOf(own.answer)).toEqual([value]);
  const resolved = await throughBind(target);
  expect(resolved.flags).toEqual(expect.arrayContaining(['ra']));
  expect(resolved.flags).not.toContain('aa');
  expect(txtOf(resolved.answer)).toEqual([value]);

  expect((await precheck(domain.id)).code).toBe('cname_not_delegated');
  await bind.addRecord('_dnsauth.www.example.com', 'CNAME', `${target}.`);
  // Through BIND, the customer's name leads to the value: the CNAME from its zone, the TXT from the service.
  const chain = await throughBind('_dnsauth.www.example.com');
  expect(chain.answer).toEqual([
    expect.stringMatching(new RegExp(`^_dnsauth\\.www\\.example\\.com\\.\\s+\\d+\\s+IN\\s+CNAME\\s+${target}\\.$`)),
    expect.stringContaining(`"${value}"`),
  ]);

  const validated = await watch.until(domain.id, (d) => d.status === 'validated', 'validated through the delegation');
  expect(validated).toMatchObject({ brMethod: '3.2.2.4.7', needsAttention: false, usable: true });
  expect(validated.lastCheck).toMatchObject({ kind: 'scan', passed: true, quorum: { summary: '2/2' } });
  const txtChecks = validated.lastCheck.results.filter((r: { expected: string }) => r.expected === value);
  expect(txtChecks).toEqual([
    expect.objectContaining({ perspective: 'east', passed: true, observed: [value] }),
    expect.objectContaining({ perspective: 'west', passed: true, observed: [value] }),
  ]);

  // A fresh value is served as soon as it is committed (no cache to outlive it), and validates again.
  // (The workflow may still be finishing the scan the row already shows: 409 until it has.)
  const restarted = await eventually(async () => {
    const response = await customer.request('POST', `/v1/domains/${domain.id}/revalidate`);
    return response.status === 409 ? undefined : response;
  });
  expect(restarted.status).toBe(200);
  const fresh: string = restarted.body.instructions.randomValue;
  expect(fresh).not.toBe(value);
  expect(txtOf((await direct(target)).answer)).toEqual([fresh]);
  const again = await watch.until(domain.id, (d) => d.status === 'validated' && d.validatedAt !== validated.validatedAt, 'validated with the fresh value');
  expect(again.lastCheck.results.filter((r: { expected: string }) => r.expected === fresh)).toHaveLength(2);

  // Deleted, its name is gone: NXDOMAIN with the zone's SOA for negative caching (RFC 2308).
  expect((await customer.request('DELETE', `/v1/domains/${domain.id}`)).status).toBe(204);
  const gone = await direct(target);
  expect(gone).toMatchObject({ status: 'NXDOMAIN', answer: [] });
  expect(gone.authority).toEqual([expect.stringMatching(new RegExp(`^${ZONE}\\.\\s+60\\s+IN\\s+SOA\\s+ns1\\.${ZONE}\\. hostmaster\\.${ZONE}\\. `))]);
  expect(logged).toEqual([]);
}, 90_000);

test('only automatic DNS domains have a name in the zone; the zone delegates to the name server it names', async () => {
  const manual = await customer.request('POST', `/v1/administrators/${administratorId}/domains`, {
    domain: 'manual.example.com',
    autoValidation: false,
    method: 'dns',
  });
  expect(manual.status).toBe(201);
  const row = await harness.db.selectFrom('domains').select('delegation_label').where('id', '=', manual.body.id).executeTakeFirstOrThrow();
  expect((await direct(`${row.delegation_label}.${ZONE}`)).status).toBe('NXDOMAIN');

  const ns = await throughBind(ZONE, 'NS');
  expect(ns.answer).toEqual([expect.stringMatching(new RegExp(`^${ZONE}\\.\\s+\\d+\\s+IN\\s+NS\\s+ns1\\.${ZONE}\\.$`))]);
  expect((await direct(`ns1.${ZONE}`, 'A')).answer).toEqual([expect.stringMatching(new RegExp(`IN\\s+A\\s+${ADDRESS.replaceAll('.', '\\.')}$`))]);
});
