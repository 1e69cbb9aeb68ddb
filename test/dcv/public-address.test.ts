/**
 * Resolving a customer-named host for the address guard, against a real BIND9 zone: every address
 * judged, the refused ones reported, and the connection pinned to the judged address even when the
 * name answers something else by the time the socket opens (DNS rebinding).
 */
import http from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { AddressRefused, pinnedLookup, publicAddressOf, resolvePublic } from '../../src/dcv/public-address';
import { resolverFor } from '../../src/dcv/perspective';
import { startBind9, type Bind9Server } from '../support/bind9';

const ZONE = 'guard.test';
const LOOPBACK = { allowCidrs: ['127.0.0.1/32'] };
let dns: Bind9Server;

beforeAll(async () => {
  dns = await startBind9({
    zones: [
      {
        name: ZONE,
        records: [
          'public A 192.0.3.1',
          'mixed A 10.0.0.1',
          'mixed A 192.0.3.2',
          'mixed AAAA 2001:db8::1',
          'private A 10.1.2.3',
          'private AAAA fd00::1',
          'rebind A 127.0.0.1',
        ],
      },
    ],
  });
});
afterAll(() => dns?.stop());

const options = (allowance = {}) => ({ resolvers: [dns.server], allowance, timeoutMs: 2_000 });

describe('resolvePublic', () => {
  it('judges every A and AAAA address of a name', async () => {
    const resolver = resolverFor({ name: 'test', resolvers: [dns.server] }, 2_000);
    const found = await resolvePublic(resolver, `mixed.${ZONE}`, {});
    expect(found.allowed).toEqual(['192.0.3.2']);
    expect(found.refused.map((r) => [r.address, r.block?.block])).toEqual([
      ['2001:db8::1', '2001:db8::/32'],
      ['10.0.0.1', '10.0.0.0/8'],
    ]);
  });

  it('takes a literal as it is, normalized', async () => {
    const resolver = resolverFor({ name: 'test', resolvers: [dns.server] }, 2_000);
    expect(await resolvePublic(resolver, '[::ffff:8.8.8.8]', {})).toEqual({ allowed: ['8.8.8.8'], refused: [], errors: [] });
  });
});

describe('publicAddressOf', () => {
  it('answers one public address, IPv4 first', async () => {
    expect(await publicAddressOf('the server', `public.${ZONE}`, options())).toBe('192.0.3.1');
    expect(await publicAddressOf('the server', `mixed.${ZONE}`, options())).toBe('192.0.3.2');
  });

  it('throws AddressRefused with every refused address when there is no public one', async () => {
    const error = await publicAddressOf("the DNS provider's server", `private.${ZONE}`, options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AddressRefused);
    expect((error as AddressRefused).refused.map((r) => r.block?.name)).toEqual(['Unique-Local', 'Private-Use']);
    expect((error as AddressRefused).message).toMatch(
      /^the DNS provider's server has no public address: fd00::1 is in fc00::\/7 .* 10\.1\.2\.3 is in 10\.0\.0\.0\/8 \(Private-Use, RFC 1918\)/,
    );
  });

  it('says so when the name does not resolve (not a refusal: it may resolve later)', async () => {
    const error = await publicAddressOf('the server', `missing.${ZONE}`, options()).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(AddressRefused);
    expect((error as Error).message).toMatch(/^the server does not resolve \(.*ENOTFOUND/);
  });
});

describe('pinnedLookup', () => {
  let web: http.Server;
  let trap: Server;
  let port: number;
  const hosts: string[] = [];
  let trapped = 0;

  beforeAll(async () => {
    web = http.createServer((req, res) => {
      hosts.push(String(req.headers.host));
      res.end('here');
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    port = (web.address() as AddressInfo).port;
    trap = createServer((socket) => {
      trapped++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => trap.listen(port, '127.0.0.77', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => web.close(resolve));
    await new Promise((resolve) => trap.close(resolve));
  });

  const get = (address: string, allowance: object) =>
    new Promise<string>((resolve, reject) => {
      http
        .get({ host: `rebind.${ZONE}`, port, agent: false, lookup: pinnedLookup(address, allowance, `rebind.${ZONE}`) }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve(body));
        })
        .on('error', reject);
    });

  it('connects to the address judged, even after the name moved to another one', async () => {
    const address = await publicAddressOf('the host', `rebind.${ZONE}`, options(LOOPBACK));
    expect(address).toBe('127.0.0.1');
    await dns.deleteRecord(`rebind.${ZONE}`, 'A');
    await dns.addRecord(`rebind.${ZONE}`, 'A', '127.0.0.77');
    expect(await get(address, LOOPBACK)).toBe('here');
    expect(hosts).toEqual([`rebind.${ZONE}:${port}`]);
    expect(trapped).toBe(0);
    // Asked now, the name would be refused: what the pin protects against.
    await expect(publicAddressOf('the host', `rebind.${ZONE}`, options(LOOPBACK))).rejects.toBeInstanceOf(AddressRefused);
  });

  it('judges the address again right before connecting', async () => {
    hosts.length = 0;
    await expect(get('127.0.0.1', {})).rejects.toBeInstanceOf(AddressRefused);
    expect(hosts).toEqual([]);
  });
});
