import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import http from 'node:http';
import { createServer, type Server } from 'node:net';
import { workflowIdFor } from '../../src/temporal/ids';
import { startDcvLab, type DcvLab } from '../support/dcv-lab';
import { startReceiver } from '../support/webhook-receiver';
import { customerWithApprovedAdministrator, domainWatcher, eventually, startHarness, type Api, type Harness } from '../support/harness';

/**
 * The address guard with real parts: BIND9 zones that name 127.0.0.77, and traps listening there
 * (UDP for DNS queries, TCP for DNS updates and HTTP) that count what reaches them. The service runs
 * with the test-only allowance narrowed to 127.0.0.1/32, where the lab's servers are: everything
 * else non-public, 127.0.0.77 included, is refused as production refuses it.
 */
const TRAP = '127.0.0.77';
let lab: DcvLab;
let harness: Harness;
let customer: Api;
let administratorId: string;
let udpTrap: { socket: UdpSocket; seen: number };
let tcpTraps: { servers: Server[]; seen: number };

async function trapUdp(port: number) {
  const trap = { socket: createSocket('udp4'), seen: 0 };
  trap.socket.on('message', () => trap.seen++);
  await new Promise<void>((resolve) => trap.socket.bind(port, TRAP, resolve));
  return trap;
}

async function trapTcp(ports: number[]) {
  const trap = { servers: [] as Server[], seen: 0 };
  for (const port of ports) {
    const server = createServer((socket) => {
      trap.seen++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(port, TRAP, resolve));
    trap.servers.push(server);
  }
  return trap;
}

const rfc2136 = (server: string) => ({
  kind: 'rfc2136',
  name: `Server ${server}`,
  server,
  port: lab.a.port,
  zone: 'example.com',
  tsigKeyName: lab.tsig.name,
  tsigAlgorithm: 'hmac-sha256',
  tsigSecret: lab.tsig.secret,
});

const addDomain = async (body: Record<string, unknown>) => {
  const response = await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { autoValidation: false, ...body });
  expect(response.status).toBe(201);
  return response.body;
};

beforeAll(async () => {
  lab = await startDcvLab();
  udpTrap = await trapUdp(lab.a.port);
  tcpTraps = await trapTcp([lab.a.port, lab.webPort]);
  harness = await startHarness({
    env: lab.env('east=A;west=A', {
      DCV_ALLOW_PRIVATE_ADDRESSES: '127.0.0.1/32',
      WEBHOOK_ALLOW_PRIVATE_ADDRESSES: '127.0.0.1/32',
      WEBHOOK_DISPATCH_INTERVAL: '200ms',
    }),
  });
  ({ customer, administratorId } = await customerWithApprovedAdministrator(harness));
});
afterAll(async () => {
  await harness?.stop();
  udpTrap?.socket.close();
  for (const server of tcpTraps?.servers ?? []) await new Promise((resolve) => server.close(resolve));
  await lab?.stop();
});

describe('a DNS provider whose server is a literal address', () => {
  test.each([
    ['10.0.0.1', '10.0.0.0/8 (Private-Use, RFC 1918)'],
    ['127.0.0.77', '127.0.0.0/8 (Loopback, RFC 1122 §3.2.1.3)'],
    ['169.254.169.254', '169.254.0.0/16 (Link Local, RFC 3927)'],
    ['100.64.0.1', '100.64.0.0/10 (Shared Address Space, RFC 6598)'],
    ['192.0.0.9', '192.0.0.9/32 (Port Control Protocol Anycast, RFC 7723)'],
    ['0x7f.0.0.77', '127.0.0.0/8 (Loopback'],
    ['127.0.0.77.', '127.0.0.0/8 (Loopback'],
    ['::1', '::1/128 (Loopback Address, RFC 4291)'],
    ['::ffff:10.0.0.1', '10.0.0.0/8 (Private-Use, RFC 1918)'],
    ['64:ff9b::a00:1', '64:ff9b::/96 (IPv4-IPv6 Translation, RFC 6052)'],
    ['fd00::53', 'fc00::/7 (Unique-Local, RFC 4193, RFC 8190)'],
  ])('%s is refused at creation with 422 naming server and the registry entry (as a webhook URL is); nothing is stored', async (server, entry) => {
    const before = await harness.db.selectFrom('dns_providers').select('id').where('account_id', '=', customer.id).execute();
    const response = await customer.request('POST', '/v1/dns-providers', rfc2136(server));
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body.errors).toEqual([{ field: 'server', message: expect.stringContaining(`is in ${entry}`), rule: 'public-address' }]);
    expect(response.body.errors[0].message).toMatch(/not a public unicast address/);
    const after = await harness.db.selectFrom('dns_providers').select('id').where('account_id', '=', customer.id).execute();
    expect(after).toEqual(before);
  });

  test('a public address, a host name (judged when used) and the allowance of the tests are accepted', async () => {
    for (const server of ['192.0.3.53', 'ns1.example.com', '127.0.0.1']) {
      expect((await customer.request('POST', '/v1/dns-providers', rfc2136(server))).status).toBe(201);
    }
  });
});

describe('a DNS provider server named by host name, judged when it is used', () => {
  beforeAll(() => lab.a.addRecord('ns-trap.example.com', 'A', TRAP));

  test('resolving only to a non-public address fails the domain once, without retries, with the evidence in lastCheck', async () => {
    const provider = await customer.request('POST', '/v1/dns-providers', rfc2136('ns-trap.example.com'));
    expect(provider.status).toBe(201);
    const updatesBefore = tcpTraps.seen;
    const domain = await addDomain({ domain: 'trapped.example.com', method: 'dns_provider', dnsProviderId: provider.body.id });
    const failed = await domainWatcher(customer).until(domain.id, (d) => d.status === 'failed', 'domain failed');
    const reason =
      /the DNS provider's server ns-trap\.example\.com has no public address: 127\.0\.0\.77 is in 127\.0\.0\.0\/8 \(Loopback, RFC 1122 §3\.2\.1\.3\)/;
    expect(failed.failureReason).toMatch(reason);
    expect(failed.lastCheck).toMatchObject({
      kind: 'publish',
      passed: false,
      code: 'blocked_address',
      faultSide: 'customer',
      reason: expect.stringMatching(reason),
      refusedAddresses: [{ address: TRAP, block: '127.0.0.0/8', name: 'Loopback', rfc: 'RFC 1122 §3.2.1.3' }],
    });
    expect(tcpTraps.seen).toBe(updatesBefore);
    expect(await lab.txtAt('_dnsauth.trapped.example.com')).toEqual([]);

    // One attempt of publishRecord, failed as non-retryable: not the five attempts of a transient failure.
    const history = await harness.client.workflow.getHandle(workflowIdFor('domain', domain.id)).fetchHistory();
    const events = history.events ?? [];
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'publishRecord');
    expect(scheduled).toHaveLength(1);
    const started = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled[0].eventId));
    expect(started?.activityTaskStartedEventAttributes?.attempt).toBe(1);
    const failedTask = events.find((e) => String(e.activityTaskFailedEventAttributes?.scheduledEventId) === String(scheduled[0].eventId));
    expect(failedTask?.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo).toMatchObject({ type: 'DnsWriteRefused', nonRetryable: true });
  });
});

describe("an authoritative name server of the customer's zone at a non-public address", () => {
  afterAll(() => lab.a.deleteRecord('example.com', 'NS', 'ns2.example.com.').catch(() => undefined));

  test('is never queried; the domain waits, flagged with the reason, and validates once the zone names public servers only', async () => {
    await lab.a.addRecord('ns2.example.com', 'A', TRAP);
    await lab.a.addRecord('example.com', 'NS', 'ns2.example.com.');
    const provider = (await customer.request('POST', '/v1/dns-providers', rfc2136('127.0.0.1'))).body;
    const watch = domainWatcher(customer, 30_000);
    const domain = await addDomain({ domain: 'nsguard.example.com', method: 'dns_provider', dnsProviderId: provider.id });

    const flagged = await watch.until(domain.id, (d) => d.needsAttention, 'needs attention');
    expect(flagged.status).toBe('pending');
    expect(flagged.attentionReason).toMatch(
      /^customer side: ns2\.example\.com \(127\.0\.0\.77\) was not queried: 127\.0\.0\.77 is in 127\.0\.0\.0\/8 \(Loopback, RFC 1122 §3\.2\.1\.3\)/,
    );
    expect(flagged.lastCheck).toMatchObject({
      kind: 'authoritative',
      passed: false,
      code: 'blocked_address',
      faultSide: 'customer',
      servers: expect.arrayContaining([
        expect.objectContaining({ server: 'ns1.example.com', address: '127.0.0.1', present: true }),
        expect.objectContaining({ server: 'ns2.example.com', address: TRAP, present: false, refused: expect.stringMatching(/Loopback/) }),
      ]),
    });
    // Checked again on the schedule, never asked.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(udpTrap.seen).toBe(0);

    await lab.a.deleteRecord('example.com', 'NS', 'ns2.example.com.');
    const done = await watch.until(domain.id, (d) => d.status === 'validated', 'validated once only public servers are named');
    expect(done).toMatchObject({ needsAttention: false, attentionReason: null });
    expect(udpTrap.seen).toBe(0);
  });
});

describe("the file method's redirects", () => {
  let web: http.Server;
  beforeAll(async () => {
    await lab.a.addRecord('internal.trap.example.com', 'A', TRAP);
    // The customer's web server (127.0.0.1, allowed here) redirects by host name or literal to 127.0.0.77.
    web = http.createServer((req, res) => {
      const host = String(req.headers.host).split(':')[0];
      const target = host === 'byname.example.com' ? 'internal.trap.example.com' : TRAP;
      res.writeHead(302, { Location: `http://${target}:${lab.webPort}/.well-known/pki-validation/fileauth.txt` }).end();
    });
    await new Promise<void>((resolve) => web.listen(lab.webPort, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => web.close(resolve)));

  test.each(['byname.example.com', 'byliteral.example.com'])('a redirect of %s to a non-public address is refused before connecting', async (name) => {
    const before = tcpTraps.seen;
    const domain = await addDomain({ domain: name, method: 'file' });
    const outcome = await eventually(async () => {
      const response = await customer.request('POST', `/v1/domains/${domain.id}/validate`);
      return response.status === 200 ? response.body : undefined;
    });
    expect(outcome).toMatchObject({ passed: false, code: 'blocked_address' });
    const fileChecks = outcome.perspectives.filter((r: { hops?: unknown }) => r.hops);
    expect(fileChecks.map((r: { perspective: string }) => r.perspective).sort()).toEqual(['east', 'west']);
    for (const perspective of fileChecks) {
      expect(perspective).toMatchObject({ code: 'blocked_address', observed: [TRAP], faultSide: 'customer' });
      expect(perspective.detail).toMatch(/127\.0\.0\.77 is in 127\.0\.0\.0\/8 \(Loopback, RFC 1122 §3\.2\.1\.3\)/);
      expect(perspective.hops.map((h: { status?: number; address?: string }) => [h.status, h.address])).toEqual([
        [302, '127.0.0.1'],
        [undefined, undefined],
      ]);
    }
    expect(tcpTraps.seen).toBe(before);
  });
});

describe('a webhook endpoint named by host name', () => {
  test("is resolved through the CA's resolvers at each delivery: a name rebound to a non-public address is refused before connecting", async () => {
    const receiver = await startReceiver();
    const port = new URL(receiver.url).port;
    const trap = await trapTcp([Number(port)]);
    try {
      // `*.example.com` is 127.0.0.1 in the lab's zone (allowed here), where the receiver listens.
      const created = await customer.request('POST', '/v1/webhooks', { url: `http://rebind.example.com:${port}/hooks` });
      expect(created.status).toBe(201);
      receiver.secrets = [created.body.secret];
      const sendTest = async () => {
        const queued = await customer.request('POST', `/v1/webhooks/${created.body.id}/test`);
        expect(queued.status).toBe(202);
        return eventually(async () => {
          const delivery = (await customer.request('GET', `/v1/webhooks/${created.body.id}/deliveries/${queued.body.id}`)).body;
          return delivery.status === 'pending' ? undefined : delivery;
        }, 20_000);
      };
      expect(await sendTest()).toMatchObject({ status: 'delivered' });
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0].verifiedWith).toEqual(receiver.secrets);

      // The name now points at 127.0.0.77 (DNS rebinding): the next delivery resolves it again and stops there.
      await lab.a.addRecord('rebind.example.com', 'A', TRAP);
      const refused = await sendTest();
      expect(refused.status).toBe('failed');
      expect(refused.attempts).toHaveLength(1);
      expect(refused.attempts[0]).toMatchObject({ statusCode: null });
      expect(refused.attempts[0].error).toMatch(/rebind\.example\.com:\d+ has no public address: 127\.0\.0\.77 is in 127\.0\.0\.0\/8 \(Loopback/);
      expect(trap.seen).toBe(0);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await lab.a.deleteRecord('rebind.example.com', 'A', TRAP).catch(() => undefined);
      for (const server of trap.servers) await new Promise((resolve) => server.close(resolve));
      await receiver.close();
    }
  });

  test('a redirect is an answer, never followed: a 302 to a non-public address fails the message and nothing connects there', async () => {
    const receiver = await startReceiver();
    const port = new URL(receiver.url).port;
    const trap = await trapTcp([Number(port)]);
    receiver.answer = () => ({ status: 302, headers: { Location: `http://${TRAP}:${port}/hooks` } });
    try {
      const created = (await customer.request('POST', '/v1/webhooks', { url: receiver.url })).body;
      const queued = (await customer.request('POST', `/v1/webhooks/${created.id}/test`)).body;
      const delivery = await eventually(async () => {
        const got = (await customer.request('GET', `/v1/webhooks/${created.id}/deliveries/${queued.id}`)).body;
        return got.status === 'pending' ? undefined : got;
      }, 20_000);
      expect(delivery).toMatchObject({ status: 'failed', attempts: [expect.objectContaining({ statusCode: 302, error: null })] });
      expect(receiver.received).toHaveLength(1);
      expect(trap.seen).toBe(0);
    } finally {
      for (const server of trap.servers) await new Promise((resolve) => server.close(resolve));
      await receiver.close();
    }
  });
});
