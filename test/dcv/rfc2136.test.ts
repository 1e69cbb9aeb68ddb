/**
 * RFC 2136 updates signed with TSIG against a real BIND9 `named`, verified afterwards by
 * querying the same server; and the "present on every authoritative server" pre-check.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { promises as dnsPromises } from 'node:dns';
import {
  addTxt,
  authoritativeServers,
  checkAllAuthoritative,
  deleteRecord,
  deleteTxt,
  DnsUpdateError,
  upsertCname,
  upsertTxt,
  type Rfc2136Config,
} from '../../src/dcv/rfc2136';
import { startBind9, type Bind9Server } from '../support/bind9';

const ZONE = 'update.test';
/** The servers here listen on 127.0.0.1: the address guard's test-only allowance lets just that address through. */
const LOOPBACK = { allowance: { allowCidrs: ['127.0.0.1/32'] } };
const KEY = { name: 'dcv-key', algorithm: 'hmac-sha256' as const, secret: randomBytes(32).toString('base64') };

let primary: Bind9Server;
let lagging: Bind9Server;
let config: Rfc2136Config;

async function txt(server: Bind9Server, name: string): Promise<string[]> {
  const resolver = new dnsPromises.Resolver({ timeout: 2_000, tries: 1 });
  resolver.setServers([server.server]);
  try {
    return (await resolver.resolveTxt(name)).map((chunks) => chunks.join('')).sort();
  } catch (err) {
    if ((err as { code?: string }).code === 'ENODATA' || (err as { code?: string }).code === 'ENOTFOUND') return [];
    throw err;
  }
}

async function expectUpdateError(promise: Promise<unknown>, rcode: string, message: RegExp): Promise<void> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DnsUpdateError);
  expect((err as DnsUpdateError).rcode).toBe(rcode);
  expect((err as DnsUpdateError).message).toMatch(message);
}

beforeAll(async () => {
  [primary, lagging] = await Promise.all([
    startBind9({
      zones: [
        { name: ZONE, records: [] },
        { name: 'readonly.test', allowUpdate: false },
      ],
      tsigKey: KEY,
    }),
    startBind9({ zones: [{ name: ZONE, records: [] }] }),
  ]);
  config = { server: '127.0.0.1', port: primary.port, zone: ZONE, keyName: KEY.name, algorithm: KEY.algorithm, secret: KEY.secret };
});

afterAll(async () => {
  await Promise.all([primary?.stop(), lagging?.stop()]);
});

describe('RFC 2136 updates with TSIG', () => {
  it('writes a TXT record over TCP that the server then serves', async () => {
    await upsertTxt(config, `_dnsauth.www.${ZONE}`, 'value-one');
    expect(await txt(primary, `_dnsauth.www.${ZONE}`)).toEqual(['value-one']);
  });

  it('replaces the TXT RRset on upsert, over UDP too', async () => {
    await upsertTxt({ ...config, transport: 'udp' }, `_dnsauth.www.${ZONE}`, 'value-two');
    expect(await txt(primary, `_dnsauth.www.${ZONE}`)).toEqual(['value-two']);
  });

  it('adds a second value, deletes one exact value, then the whole RRset', async () => {
    const name = `_dnsauth.multi.${ZONE}`;
    await addTxt(config, name, 'first');
    await addTxt(config, name, 'second');
    expect(await txt(primary, name)).toEqual(['first', 'second']);
    await deleteTxt(config, name, 'first');
    expect(await txt(primary, name)).toEqual(['second']);
    await deleteTxt(config, name);
    expect(await txt(primary, name)).toEqual([]);
  });

  it('replaces only its own previous value, in one update, and keeps the others', async () => {
    const name = `_dnsauth.shared.${ZONE}`;
    await addTxt(config, name, 'another-ca-token');
    await addTxt(config, name, 'ours-1');
    await addTxt(config, name, 'ours-2', 60, 'ours-1');
    expect((await txt(primary, name)).sort()).toEqual(['another-ca-token', 'ours-2']);
    await addTxt(config, name, 'ours-2', 60, 'ours-1');
    expect((await txt(primary, name)).sort()).toEqual(['another-ca-token', 'ours-2']);
  });

  it('writes values longer than 255 bytes as several character-strings', async () => {
    const long = 'x'.repeat(300);
    await upsertTxt(config, `_dnsauth.long.${ZONE}`, long);
    expect(await txt(primary, `_dnsauth.long.${ZONE}`)).toEqual([long]);
  });

  it('sets and deletes a CNAME', async () => {
    const name = `_dnsauth.cname.${ZONE}`;
    await upsertTxt(config, name, 'will-be-replaced');
    await upsertCname(config, name, 'abcdef.dcv.ca.test');
    const resolver = new dnsPromises.Resolver({ timeout: 2_000, tries: 1 });
    resolver.setServers([primary.server]);
    expect(await resolver.resolveCname(name)).toEqual(['abcdef.dcv.ca.test']);
    await deleteRecord(config, name);
    await expect(resolver.resolveCname(name)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('is rejected with BADSIG when the secret is wrong, and changes nothing', async () => {
    const wrong = { ...config, secret: randomBytes(32).toString('base64') };
    await expectUpdateError(upsertTxt(wrong, `_dnsauth.www.${ZONE}`, 'forged'), 'BADSIG', /shared secret is wrong/);
    expect(await txt(primary, `_dnsauth.www.${ZONE}`)).toEqual(['value-two']);
  });

  it('is rejected with BADKEY for an unknown key name', async () => {
    await expectUpdateError(upsertTxt({ ...config, keyName: 'nobody' }, `_dnsauth.www.${ZONE}`, 'x'), 'BADKEY', /does not know this TSIG key/);
  });

  it('is rejected with NOTAUTH for a zone the server does not serve', async () => {
    await expectUpdateError(upsertTxt({ ...config, zone: 'other.test' }, '_dnsauth.other.test', 'x'), 'NOTAUTH', /not authoritative/);
  });

  it('is REFUSED when the key is valid but not allowed to update the zone', async () => {
    await expectUpdateError(upsertTxt({ ...config, zone: 'readonly.test' }, '_dnsauth.readonly.test', 'x'), 'REFUSED', /not allowed/);
    expect(await txt(primary, '_dnsauth.readonly.test')).toEqual([]);
  });

  it('is rejected with BADKEY by a server that does not know the key', async () => {
    await expectUpdateError(upsertTxt({ ...config, port: lagging.port }, `_dnsauth.www.${ZONE}`, 'x'), 'BADKEY', /BADKEY/);
    expect(await txt(lagging, `_dnsauth.www.${ZONE}`)).toEqual([]);
  });

  it('refuses names outside the zone and weak algorithms before sending anything', async () => {
    await expectUpdateError(upsertTxt(config, '_dnsauth.example.org', 'x'), 'NOTZONE', /not inside the zone/);
    await expect(upsertTxt({ ...config, algorithm: 'hmac-md5' as never }, `_dnsauth.www.${ZONE}`, 'x')).rejects.toThrow(/hmac-sha256/);
    await expect(upsertTxt({ ...config, algorithm: 'hmac-sha1' as never }, `_dnsauth.www.${ZONE}`, 'x')).rejects.toThrow(/not accepted/);
  });

  it('does not trust an unsigned success answer', async () => {
    // A fake server that answers every update with NOERROR and no TSIG, as an attacker on the path could.
    const fake = createSocket('udp4');
    fake.on('message', (msg, peer) => {
      const answer = Buffer.from(msg.subarray(0, 12));
      answer.writeUInt16BE(0x8000 | (5 << 11), 2); // QR, opcode UPDATE, NOERROR
      answer.writeUInt16BE(0, 4);
      answer.writeUInt16BE(0, 6);
      answer.writeUInt16BE(0, 8);
      answer.writeUInt16BE(0, 10);
      fake.send(answer, peer.port, peer.address);
    });
    await new Promise<void>((resolve) => fake.bind(0, '127.0.0.1', resolve));
    try {
      const port = fake.address().port;
      await expectUpdateError(upsertTxt({ ...config, port, transport: 'udp' }, `_dnsauth.www.${ZONE}`, 'x'), 'BADSIG', /not signed/);
    } finally {
      fake.close();
    }
  });

  it('works with hmac-sha512 keys', async () => {
    const key512 = { name: 'key512', algorithm: 'hmac-sha512' as const, secret: randomBytes(64).toString('base64') };
    const server = await startBind9({ zones: [{ name: ZONE }], tsigKey: key512 });
    try {
      await upsertTxt({ ...config, port: server.port, keyName: key512.name, algorithm: key512.algorithm, secret: key512.secret }, `a.${ZONE}`, 'v512');
      expect(await txt(server, `a.${ZONE}`)).toEqual(['v512']);
    } finally {
      await server.stop();
    }
  });
});

describe('authoritative pre-check', () => {
  it('finds the zone name servers through a resolver', async () => {
    const servers = await authoritativeServers(ZONE, { resolvers: [primary.server], port: primary.port });
    expect(servers).toEqual([{ name: `ns1.${ZONE}`, address: '127.0.0.1', port: primary.port }]);
  });

  it('is satisfied only when every server has the value', async () => {
    const name = `_dnsauth.precheck.${ZONE}`;
    await upsertTxt(config, name, 'fresh-value');
    const both = [
      { name: 'primary', address: '127.0.0.1', port: primary.port },
      { name: 'lagging', address: '127.0.0.1', port: lagging.port },
    ];
    const partial = await checkAllAuthoritative(both, name, 'fresh-value', LOOPBACK);
    expect(partial.allPresent).toBe(false);
    expect(partial.results.map((r) => [r.server.name, r.present, r.observed])).toEqual([
      ['primary', true, ['fresh-value']],
      ['lagging', false, []],
    ]);

    await lagging.addRecord(name, 'TXT', '"fresh-value"');
    const full = await checkAllAuthoritative(both, name, 'fresh-value', LOOPBACK);
    expect(full.allPresent).toBe(true);
  });

  it('reports a server error (REFUSED for a zone it does not serve) and an empty list as not present', async () => {
    const r = await checkAllAuthoritative([{ name: 'primary', address: '127.0.0.1', port: primary.port }], '_dnsauth.example.org', 'v', LOOPBACK);
    expect(r.allPresent).toBe(false);
    expect(r.results[0].error).toBe('REFUSED');
    expect((await checkAllAuthoritative([], 'x', 'v', LOOPBACK)).allPresent).toBe(false);
  });
});

describe('authoritative servers at addresses the guard refuses', () => {
  // The customer's zone names a second name server on 127.0.0.77, where a UDP socket counts what arrives.
  const seen: Buffer[] = [];
  const trap = createSocket('udp4');
  beforeAll(async () => {
    await new Promise<void>((resolve) => trap.bind(primary.port, '127.0.0.77', resolve));
    trap.on('message', (message) => seen.push(message));
    await primary.addRecord(`ns2.${ZONE}`, 'A', '127.0.0.77');
    await primary.addRecord(ZONE, 'NS', `ns2.${ZONE}.`);
  });
  afterAll(async () => {
    await primary.deleteRecord(ZONE, 'NS', `ns2.${ZONE}.`);
    await new Promise<void>((resolve) => trap.close(() => resolve()));
  });
  beforeEach(() => (seen.length = 0));

  const name = `_dnsauth.guarded.${ZONE}`;
  const servers = () => authoritativeServers(ZONE, { resolvers: [primary.server], port: primary.port });

  it('are not queried: the result names the registry entry, the others are asked', async () => {
    await upsertTxt(config, name, 'guarded-value');
    const found = await servers();
    expect(found.map((s) => s.address)).toEqual(['127.0.0.1', '127.0.0.77']);
    const check = await checkAllAuthoritative(found, name, 'guarded-value', { ...LOOPBACK, timeoutMs: 1_000 });
    expect(check.allPresent).toBe(false);
    expect(check.results).toEqual([
      expect.objectContaining({ server: expect.objectContaining({ address: '127.0.0.1' }), present: true }),
      {
        server: expect.objectContaining({ name: `ns2.${ZONE}`, address: '127.0.0.77' }),
        present: false,
        observed: [],
        refused: expect.stringMatching(/^127\.0\.0\.77 is in 127\.0\.0\.0\/8 \(Loopback, RFC 1122 §3\.2\.1\.3\), not a public unicast address/),
      },
    ]);
    expect(seen).toEqual([]);
  });

  it('with the allowance off, no server at all is queried', async () => {
    const check = await checkAllAuthoritative(await servers(), name, 'guarded-value', { timeoutMs: 1_000 });
    expect(check.results.map((r) => [r.server.address, r.present, Boolean(r.refused), r.error])).toEqual([
      ['127.0.0.1', false, true, undefined],
      ['127.0.0.77', false, true, undefined],
    ]);
    expect(seen).toEqual([]);
  });

  it('(control: when allowed, the query does reach 127.0.0.77)', async () => {
    const check = await checkAllAuthoritative(await servers(), name, 'guarded-value', { allowance: { allowPrivate: true }, timeoutMs: 500 });
    expect(check.results[1]).toMatchObject({ present: false, error: expect.stringMatching(/ETIMEOUT/) });
    expect(seen).toHaveLength(1);
  });
});
