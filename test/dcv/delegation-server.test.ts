import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer, Socket } from 'node:net';
import { promisify } from 'node:util';
import * as dnsPacket from 'dns-packet';
import { connectDatabase, DATABASE_POOL_SIZE } from '../../src/db/connect';
import type { DelegationZone } from '../../src/dcv/delegation-answer';
import { type DelegationServer, startDelegationServer } from '../../src/dcv/delegation-server';
import { exchange } from '../../src/dcv/dns-wire';
import { delegationLabel } from '../../src/dcv/instructions';
import { databaseZone, MAX_ZONE_READS, nameServerConcern } from '../../src/dcv/served-zone';
import { loadConfig } from '../../src/config';
import { eventually } from '../support/harness';
import { findBinary } from '../support/binaries';

/**
 * The service's own DNS server for its delegation zone, asked directly over UDP and TCP by dig
 * (Debian bind9-dnsutils) and by dns-packet. The zone's values come from a map here; the database
 * behind them is proven in test/integration/delegation-dns.test.ts.
 */
const ZONE = 'dcv.example.net';
const LABEL = delegationLabel('domain-a');
const MEDIUM = delegationLabel('domain-medium');
const LARGE = delegationLabel('domain-large');
const VALUE = 'hRj8Xo0wYb1Zq0mVbq7mB2b1cT2yZ1Jk8vB3mCqvV9s';
const values: Record<string, string[]> = { [LABEL]: [VALUE], [MEDIUM]: ['m'.repeat(700)], [LARGE]: ['l'.repeat(1500)] };
const asked: string[] = [];
const zone: DelegationZone = {
  zone: ZONE,
  nameServer: { name: `ns1.${ZONE}`, address: '127.0.0.1' },
  async txt(label) {
    asked.push(label);
    return values[label] ?? [];
  },
};

let server: DelegationServer;
beforeAll(async () => (server = await startDelegationServer({ host: '127.0.0.1', port: 0 }, zone)));
afterAll(async () => server?.close());

const DIG = findBinary('dig', 'bind9-dnsutils');
async function dig(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(DIG, ['@127.0.0.1', '-p', String(server.port), '+time=2', '+tries=1', ...args]);
  return stdout;
}
const status = (out: string) => /status: (\w+)/.exec(out)?.[1];
const flags = (out: string) => /;; flags: ([a-z ]+);/.exec(out)?.[1].trim().split(' ');
const section = (out: string, name: string) => (new RegExp(`;; ${name} SECTION:\\n([\\s\\S]*?)\\n\\n`).exec(out)?.[1] ?? '').split('\n').filter(Boolean);

/** One UDP datagram out, the answer back (undefined when none comes within 1 s). */
function udp(message: Buffer, port = server.port): Promise<Buffer | undefined> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => (socket.close(), resolve(undefined)), 1000);
    socket.on('message', (answer) => {
      clearTimeout(timer);
      socket.close();
      resolve(answer);
    });
    socket.send(message, port, '127.0.0.1');
  });
}
const query = (name: string, type: string, extra: Partial<dnsPacket.Packet> = {}) =>
  dnsPacket.encode({ type: 'query', id: 4711, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'TXT', class: 'IN' }], ...extra });
const rcodeOf = (answer: Buffer) => answer.readUInt16BE(2) & 0xf;
const EDNS = (size: number): Partial<dnsPacket.Packet> => ({
  additionals: [{ name: '.', type: 'OPT', udpPayloadSize: size, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
});

test('SOA and NS at the apex, authoritative, never recursive, with the name server address as glue', async () => {
  const soa = await dig(ZONE, 'SOA');
  expect(status(soa)).toBe('NOERROR');
  expect(flags(soa)).toEqual(expect.arrayContaining(['qr', 'aa', 'rd']));
  expect(flags(soa)).not.toContain('ra');
  expect(section(soa, 'ANSWER')).toEqual([
    expect.stringMatching(new RegExp(`^${ZONE}\\.\\s+60\\s+IN\\s+SOA\\s+ns1\\.${ZONE}\\. hostmaster\\.${ZONE}\\. \\d+ 3600 600 86400 60$`)),
  ]);

  const ns = await dig(ZONE, 'NS');
  expect(section(ns, 'ANSWER')).toEqual([expect.stringMatching(new RegExp(`^${ZONE}\\.\\s+3600\\s+IN\\s+NS\\s+ns1\\.${ZONE}\\.$`))]);
  expect(section(ns, 'ADDITIONAL')).toContainEqual(expect.stringMatching(new RegExp(`^ns1\\.${ZONE}\\.\\s+3600\\s+IN\\s+A\\s+127\\.0\\.0\\.1$`)));
  expect(await dig(`ns1.${ZONE}`, 'A', '+short')).toBe('127.0.0.1\n');
});

test('TXT at a delegation label holds the current value, over UDP and over TCP, with a one-second TTL', async () => {
  for (const transport of ['+notcp', '+tcp']) {
    const out = await dig(`${LABEL}.${ZONE}`, 'TXT', transport);
    expect(status(out)).toBe('NOERROR');
    expect(flags(out)).toContain('aa');
    expect(section(out, 'ANSWER')).toEqual([`${LABEL}.${ZONE}. 1 IN TXT "${VALUE}"`]);
  }
  // The question's case comes back as asked (resolvers using 0x20 randomization check it).
  const mixed = `${LABEL.toUpperCase()}.Dcv.Example.NET`;
  const answer = dnsPacket.decode(await exchange(query(mixed, 'TXT'), { server: '127.0.0.1', port: server.port, transport: 'tcp', timeoutMs: 2000 }));
  expect(answer.answers).toEqual([expect.objectContaining({ name: mixed, type: 'TXT', data: [Buffer.from(VALUE)] })]);
});

test('unknown names are NXDOMAIN with the SOA in the authority section; other types at a label are NODATA', async () => {
  asked.length = 0;
  for (const name of [`${delegationLabel('nobody')}.${ZONE}`, `www.${ZONE}`, `x.${LABEL}.${ZONE}`]) {
    const out = await dig(name, 'TXT');
    expect(status(out)).toBe('NXDOMAIN');
    expect(flags(out)).toContain('aa');
    expect(section(out, 'ANSWER')).toEqual([]);
    expect(section(out, 'AUTHORITY')).toEqual([expect.stringMatching(new RegExp(`^${ZONE}\\.\\s+60\\s+IN\\s+SOA\\s`))]);
  }
  // Only a name shaped like a delegation label is looked up.
  expect(asked).toEqual([delegationLabel('nobody')]);

  for (const [name, type] of [
    [`${LABEL}.${ZONE}`, 'A'],
    [ZONE, 'TXT'],
    [`ns1.${ZONE}`, 'AAAA'],
  ]) {
    const out = await dig(name, type);
    expect(status(out)).toBe('NOERROR');
    expect(section(out, 'ANSWER')).toEqual([]);
    expect(section(out, 'AUTHORITY')).toEqual([expect.stringMatching(/\sIN\s+SOA\s/)]);
  }
});

test('names outside the zone are REFUSED, not authoritative, not recursed', async () => {
  for (const name of ['www.example.com', 'example.net', `${ZONE}.evil.test`]) {
    const out = await dig(name, 'A');
    expect(status(out)).toBe('REFUSED');
    expect(flags(out)).not.toContain('aa');
    expect(flags(out)).not.toContain('ra');
    expect(section(out, 'ANSWER')).toEqual([]);
  }
});

test('UDP answers that do not fit are truncated (TC, no records) and come whole over TCP', async () => {
  const name = `${LARGE}.${ZONE}`;
  const plain = (await udp(query(`${MEDIUM}.${ZONE}`, 'TXT')))!;
  expect(plain.readUInt16BE(2) & dnsPacket.TRUNCATED_RESPONSE).toBeTruthy();
  expect(dnsPacket.decode(plain)).toMatchObject({ answers: [], questions: [{ name: `${MEDIUM}.${ZONE}` }] });
  // 700 bytes fit once the query offers EDNS (RFC 6891); 1500 bytes exceed the 1232 the server accepts.
  const offered = (await udp(query(`${MEDIUM}.${ZONE}`, 'TXT', EDNS(4096))))!;
  expect(offered.readUInt16BE(2) & dnsPacket.TRUNCATED_RESPONSE).toBe(0);
  expect(dnsPacket.decode(offered).answers![0]).toMatchObject({
    type: 'TXT',
    data: [Buffer.from('m'.repeat(255)), Buffer.from('m'.repeat(255)), Buffer.from('m'.repeat(190))],
  });
  expect(dnsPacket.decode(offered).additionals).toEqual([expect.objectContaining({ type: 'OPT', udpPayloadSize: 1232 })]);
  const large = (await udp(query(name, 'TXT', EDNS(4096))))!;
  expect(large.length).toBeLessThanOrEqual(1232);
  expect(large.readUInt16BE(2) & dnsPacket.TRUNCATED_RESPONSE).toBeTruthy();

  expect(flags(await dig(name, 'TXT', '+ignore'))).toContain('tc');
  // dig, as a resolver does, asks again over TCP on TC and gets every byte.
  const whole = await dig(name, 'TXT', '+short');
  expect(whole.replace(/[" \n]/g, '')).toBe('l'.repeat(1500));
});

test('one TCP connection carries several queries, each answered with its own length prefix (RFC 7766)', async () => {
  const socket = new Socket();
  const answers: dnsPacket.DecodedPacket[] = [];
  await new Promise<void>((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        answers.push(dnsPacket.decode(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
      }
      if (answers.length === 2) resolve();
    });
    socket.connect(server.port, '127.0.0.1', () => {
      // Both in one write, the second split across two more: the server reassembles the stream.
      const both = Buffer.concat([
        dnsPacket.streamEncode({ ...dnsPacket.decode(query(ZONE, 'SOA')), id: 1 }),
        dnsPacket.streamEncode({ ...dnsPacket.decode(query(`${LABEL}.${ZONE}`, 'TXT')), id: 2 }),
      ]);
      socket.write(both.subarray(0, both.length - 5));
      setTimeout(() => socket.write(both.subarray(both.length - 5)), 50);
    });
  });
  socket.destroy();
  expect(answers.map((a) => [a.id, a.answers?.[0]?.type]).sort()).toEqual([
    [1, 'SOA'],
    [2, 'TXT'],
  ]);
});

test('a TCP client that sends queries without reading the answers is not read either: the server buffers a bounded amount', async () => {
  // Large answers (a 700-byte TXT) fill the socket buffers quickly; the client writes until they are full.
  const flood = Buffer.concat(Array.from({ length: 500 }, () => dnsPacket.streamEncode(dnsPacket.decode(query(`${MEDIUM}.${ZONE}`, 'TXT')))));
  const socket = new Socket();
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.connect(server.port, '127.0.0.1', resolve));
  socket.pause();
  const before = asked.length;
  let writing = true;
  const writer = (async () => {
    while (writing) if (!socket.write(flood)) await new Promise((resolve) => setTimeout(resolve, 20));
  })();
  const answeredAfter = async (ms: number) => (await new Promise((resolve) => setTimeout(resolve, ms)), asked.length - before);
  try {
    // The kernel grows the sockets' buffers for a while (TCP autotuning); once they are full the server
    // stops reading: no more queries are taken up, however long the client pushes.
    let settled = await answeredAfter(1_000);
    for (let second = 0; second < 20; second++) {
      const next = await answeredAfter(1_000);
      if (next === settled) break;
      settled = next;
    }
    expect(await answeredAfter(1_000)).toBe(settled);
    expect(settled).toBeGreaterThan(0);
    // Bounded by what the kernel's buffers hold (a few MB of 700-byte answers), not by what the client sends.
    expect(settled).toBeLessThan(50_000);
  } finally {
    writing = false;
    socket.destroy();
    await writer;
  }
});

test('what is not a plain query gets its RCODE (RFC 1035, RFC 6891), and responses get nothing', async () => {
  // Another opcode (NOTIFY, 4): NOTIMP.
  const notify = query(ZONE, 'SOA');
  notify.writeUInt16BE(notify.readUInt16BE(2) | (4 << 11), 2);
  expect(rcodeOf((await udp(notify))!)).toBe(4);
  // Two questions: FORMERR; the CHAOS class (version.bind): REFUSED.
  const two = dnsPacket.encode({
    type: 'query',
    id: 7,
    questions: [
      { name: ZONE, type: 'SOA' },
      { name: ZONE, type: 'NS' },
    ],
  });
  expect(rcodeOf((await udp(two))!)).toBe(1);
  expect(rcodeOf((await udp(query('version.bind', 'TXT', { questions: [{ name: 'version.bind', type: 'TXT', class: 'CH' }] })))!)).toBe(5);
  // An EDNS version other than 0: BADVERS, 16, whose upper eight bits ride in the OPT record (RFC 6891 §6.1.3).
  const future = await dig(ZONE, 'SOA', '+edns=1', '+noednsneg');
  expect([status(future), section(future, 'ANSWER')]).toEqual(['BADVERS', []]);
  // Two OPT records: FORMERR (RFC 6891 §6.1.1).
  const twoOpts = query(ZONE, 'SOA', { additionals: [...EDNS(1232).additionals!, ...EDNS(512).additionals!] });
  expect(rcodeOf((await udp(twoOpts))!)).toBe(1);
  // Zone transfers are refused, over TCP as a secondary asks and over UDP (RFC 5936 §2.2.1, RFC 1995).
  for (const transfer of [['AXFR'], ['IXFR=1'], ['AXFR', '+notcp']]) {
    const out = await dig(ZONE, ...transfer).catch((error: { stdout: string }) => error.stdout);
    expect({ transfer, refused: /Transfer failed|status: REFUSED/.test(out), records: /\sIN\s+SOA\s/.test(out) }).toEqual({
      transfer,
      refused: true,
      records: false,
    });
  }
  // Bytes that do not parse: FORMERR with the query's id.
  const garbage = Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]), Buffer.from([0x3f, 0x61])]);
  const formerr = (await udp(garbage))!;
  expect([formerr.readUInt16BE(0), rcodeOf(formerr)]).toEqual([0x1234, 1]);
  // A response (QR set) and a runt are never answered: no reflection between servers.
  const response = query(ZONE, 'SOA');
  response.writeUInt16BE(response.readUInt16BE(2) | 0x8000, 2);
  expect(await udp(response)).toBeUndefined();
  expect(await udp(Buffer.from([1, 2, 3]))).toBeUndefined();
});

test('a database that does not answer makes SERVFAIL, logged; the server keeps serving', async () => {
  const unreachable = await connectDatabase({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none', dataDir: '/nonexistent', deadlineMs: 500 });
  const logged: string[] = [];
  const failing = await startDelegationServer(
    { host: '127.0.0.1', port: 0 },
    databaseZone(unreachable, { delegationZone: ZONE, nameServer: { name: `ns1.${ZONE}` } }, (line) => logged.push(line)),
  );
  try {
    const answer = (await udp(query(`${LABEL}.${ZONE}`, 'TXT'), failing.port))!;
    expect(rcodeOf(answer)).toBe(2);
    expect(logged).toEqual([expect.stringMatching(new RegExp(`^delegation DNS: reading ${LABEL}\\.${ZONE} failed, answered SERVFAIL: .*ECONNREFUSED`))]);
    // Names that need no database still answer.
    expect(rcodeOf((await udp(query(ZONE, 'SOA'), failing.port))!)).toBe(0);
  } finally {
    await failing.close();
    await unreachable.destroy();
  }
});

test("a flood of queries for unknown labels takes at most MAX_ZONE_READS of the pool's connections; the rest are SERVFAIL at once, logged once", async () => {
  // PostgreSQL that accepts connections and never answers: each read holds its connection until the pool gives up.
  const sockets: Socket[] = [];
  const silent = createServer((socket) => void sockets.push(socket.on('error', () => undefined)));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const pool = await connectDatabase({
    databaseUrl: `postgres://nobody@127.0.0.1:${(silent.address() as { port: number }).port}/none`,
    dataDir: '/nonexistent',
    deadlineMs: 3_000,
  });
  const logged: string[] = [];
  const flooded = await startDelegationServer(
    { host: '127.0.0.1', port: 0 },
    databaseZone(pool, { delegationZone: ZONE, nameServer: { name: `ns1.${ZONE}` } }, (line) => logged.push(line)),
  );
  const client = createSocket('udp4');
  const rcodes: number[] = [];
  client.on('message', (answer) => rcodes.push(rcodeOf(answer)));
  try {
    for (let i = 0; i < 100; i++) client.send(query(`${delegationLabel(`flood-${i}`)}.${ZONE}`, 'TXT'), flooded.port, '127.0.0.1');
    await eventually(async () => (rcodes.length >= 100 - MAX_ZONE_READS - 32 ? true : undefined), 2_000, 'the refused queries answered');
    expect(new Set(rcodes)).toEqual(new Set([2]));
    // The pool (DATABASE_POOL_SIZE connections, shared with the API in its process) keeps the rest for the API.
    expect(sockets.length).toBe(MAX_ZONE_READS);
    expect(sockets.length).toBeLessThan(DATABASE_POOL_SIZE);
    expect(logged).toEqual([expect.stringMatching(/^delegation DNS: reading \w+\.dcv\.example\.net failed, answered SERVFAIL: 4 reads in progress/)]);
    // Names that need no database still answer at once.
    expect(rcodeOf((await udp(query(ZONE, 'SOA'), flooded.port))!)).toBe(0);
  } finally {
    client.close();
    await flooded.close();
    for (const socket of sockets) socket.destroy();
    await pool.destroy().catch(() => undefined);
    await new Promise((resolve) => silent.close(resolve));
  }
}, 20_000);

test('an answer that completes after the server closed (a slow read at shutdown) is dropped, and the process lives on', async () => {
  let answered = 0;
  const slow: DelegationZone = { ...zone, txt: () => new Promise((resolve) => setTimeout(() => (answered++, resolve([VALUE])), 200)) };
  const closing = await startDelegationServer({ host: '127.0.0.1', port: 0 }, slow);
  const client = createSocket('udp4');
  client.send(query(`${LABEL}.${ZONE}`, 'TXT'), closing.port, '127.0.0.1');
  await new Promise((resolve) => setTimeout(resolve, 50));
  await closing.close();
  await new Promise((resolve) => setTimeout(resolve, 400));
  client.close();
  expect(answered).toBe(1);
});

test('listening on every interface without DCV_DNS_NS_ADDRESS is named at start: the in-zone name server would have no address', () => {
  const dcv = (env: Record<string, string>) => loadConfig({ DCV_DELEGATION_ZONE: ZONE, ...env }).dcv;
  // docker-compose.yml's api: DCV_DNS_LISTEN=:53, the glue address from .env.
  expect(nameServerConcern(dcv({ DCV_DNS_LISTEN: ':53' }))).toBe(
    `DCV_DNS_NS_ADDRESS is not set: the delegation zone's name server ns1.${ZONE} lies inside the zone but has no address there; set it to the address of the parent zone's glue record`,
  );
  expect(nameServerConcern(dcv({ DCV_DNS_LISTEN: '[::]:53' }))).toMatch(/^DCV_DNS_NS_ADDRESS is not set/);
  expect(nameServerConcern(dcv({ DCV_DNS_LISTEN: ':53', DCV_DNS_NS_ADDRESS: '203.0.113.53' }))).toBeUndefined();
  // npm start: one address, answered for ns1 itself.
  expect(nameServerConcern(dcv({ DCV_DNS_LISTEN: '127.0.0.1:5353' }))).toBeUndefined();
  // A name server outside the zone is found through its own zone.
  expect(nameServerConcern(dcv({ DCV_DNS_LISTEN: ':53', DCV_DNS_NS: 'ns1.example-ca.net' }))).toBeUndefined();
  expect(nameServerConcern(dcv({}))).toBeUndefined();
});

test('an address already in use fails the start with the address and transport', async () => {
  await expect(startDelegationServer({ host: '127.0.0.1', port: server.port }, zone)).rejects.toThrow(
    new RegExp(`^the delegation zone's DNS server cannot listen on 127\\.0\\.0\\.1:${server.port}/udp: .*EADDRINUSE`),
  );
});
