import { createServer, type Server, Socket } from 'node:net';
import { workflowIdFor } from '../../src/temporal/ids';
import { startDcvLab, type DcvLab } from '../support/dcv-lab';
import { customerWithApprovedAdministrator as approvedAdministrator, domainWatcher, eventually, startHarness, type Harness } from '../support/harness';
import { freePort } from '../support/ports';

/**
 * Whose side a fault is on, with real parts: the delegation zone's DNS server going away and coming
 * back, perspectives changed by a redeploy, and a customer zone with a name server that does not answer.
 */
let lab: DcvLab;
beforeAll(async () => (lab = await startDcvLab()));
afterAll(async () => lab?.stop());

/** A TCP relay to server A that can be taken down and brought back on the same port: the delegation zone's DNS server (RFC 2136 goes over TCP). */
async function relayTo(target: { address: string; port: number }) {
  const port = await freePort();
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  return {
    server: `127.0.0.1:${port}`,
    async up() {
      server = createServer((client) => {
        const upstream = new Socket();
        sockets.add(client).add(upstream);
        upstream.connect(target.port, target.address, () => client.pipe(upstream).pipe(client));
        const close = () => (client.destroy(), upstream.destroy());
        client.on('error', close).on('close', close);
        upstream.on('error', close).on('close', close);
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    },
    async down() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
    },
  };
}

async function needsAttentionInTemporal(harness: Harness, name: string): Promise<boolean> {
  const ids: string[] = [];
  for await (const w of harness.client.workflow.list({ query: `DomainName = "${name}" AND NeedsAttention = true` })) ids.push(w.workflowId);
  return ids.length > 0;
}

describe("the delegation zone's DNS server is down: the CA's side, never the customer's", () => {
  let harness: Harness;
  let relay: Awaited<ReturnType<typeof relayTo>>;
  beforeAll(async () => {
    relay = await relayTo({ address: lab.a.address, port: lab.a.port });
    harness = await startHarness({ env: lab.env('east=A;west=A', { DCV_DELEGATION_SERVER: relay.server }) });
  });
  afterAll(async () => {
    await harness?.stop();
    await relay?.down();
  });

  test('the domain waits flagged with a CA-side reason, visible to operators, and validates once the server is back', async () => {
    const { customer, administratorId } = await approvedAdministrator(harness);
    const watch = domainWatcher(customer, 30_000);
    const domain = (await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: 'down.example.com' })).body;
    await lab.a.addRecord('_dnsauth.down.example.com', 'CNAME', `${domain.instructions.record.value}.`);

    const flagged = await watch.until(domain.id, (d) => d.needsAttention, 'needs attention', 40_000);
    expect(flagged.status).toBe('pending');
    expect(flagged.attentionReason).toMatch(/^CA side: the delegation zone's DNS server \(127\.0\.0\.1:\d+\) could not publish the record: .*ECONNREFUSED/);
    await eventually(async () => ((await needsAttentionInTemporal(harness, 'down.example.com')) ? true : undefined), 10_000, 'NeedsAttention search attribute');
    const events = await watch.events(domain.id);
    expect(events.find((e) => e.action === 'needs_attention')?.note).toMatch(/^CA side: /);

    // Well past the 16 s in which it used to fail for good: still waiting, with the reason.
    await new Promise((r) => setTimeout(r, 8_000));
    const later = await watch.get(domain.id);
    expect(later).toMatchObject({ status: 'pending', needsAttention: true, failureReason: null });
    expect((await watch.events(domain.id)).map((e) => e.action)).not.toContain('failed');

    await relay.up();
    const done = await watch.until(domain.id, (d) => d.status === 'validated', 'validated once the server is back', 60_000);
    expect(done).toMatchObject({ needsAttention: false, attentionReason: null });
    expect(await lab.txtAt(domain.instructions.record.value)).toEqual([done.instructions.randomValue]);
    expect((await watch.events(domain.id)).map((e) => e.action)).toEqual(expect.arrayContaining(['needs_attention', 'attention_cleared', 'validated']));
    await eventually(async () => ((await needsAttentionInTemporal(harness, 'down.example.com')) ? undefined : true), 10_000, 'NeedsAttention cleared');
  });
});

describe('perspectives are read when used: a redeploy with other perspectives reaches running domains', () => {
  let harness: Harness;
  beforeAll(async () => (harness = await startHarness({ env: lab.env('east=A;west=A;gone=A') })));
  afterAll(async () => harness?.stop());

  test('a removed perspective is never waited on again and a new one is used', async () => {
    const { customer, administratorId } = await approvedAdministrator(harness);
    const watch = domainWatcher(customer, 30_000);
    const domain = (
      await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: 'moved.example.com', autoValidation: false, method: 'dns' })
    ).body;
    const before = await customer.request('POST', `/v1/domains/${domain.id}/validate`);
    expect(before.body.perspectives.map((r: { perspective: string }) => r.perspective).sort()).toEqual(['east', 'east', 'gone', 'gone', 'west', 'west']);
    const { runId } = await harness.client.workflow.getHandle(workflowIdFor('domain', domain.id)).describe();

    // Redeployed: `gone` and `west` removed (nobody polls their task queues any more), `fresh` added.
    await harness.restartWorkers(lab.env('east=A;fresh=A'));
    await new Promise((r) => setTimeout(r, 1_100)); // the pre-check's rate limit
    const started = Date.now();
    const after = await customer.request('POST', `/v1/domains/${domain.id}/validate`);
    expect(after.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(after.body.perspectives.map((r: { perspective: string }) => r.perspective).sort()).toEqual(['east', 'east', 'fresh', 'fresh']);

    await lab.a.addRecord('_dnsauth.moved.example.com', 'TXT', `"${domain.instructions.randomValue}"`);
    const done = await watch.until(domain.id, (d) => d.status === 'validated', 'validated by the current perspectives');
    expect(done.lastCheck.quorum).toMatchObject({ summary: '2/2', passedPerspectives: ['east', 'fresh'] });
    // The same run: nothing had to restart for the configuration to arrive.
    expect((await harness.client.workflow.getHandle(workflowIdFor('domain', domain.id)).describe()).runId).toBe(runId);
  });
});

describe('a DNS provider zone with a name server that does not answer', () => {
  let harness: Harness;
  beforeAll(async () => (harness = await startHarness({ env: lab.env('east=A;west=A;north=A') })));
  afterAll(async () => {
    await lab.a.deleteRecord('example.com', 'NS', 'ns2.example.com.').catch(() => undefined);
    await harness?.stop();
  });

  test('lastCheck, needsAttention and the audit trail name the server and why; it proceeds once the zone is fixed', async () => {
    await lab.a.addRecord('ns2.example.com', 'A', '127.0.0.2');
    await lab.a.addRecord('example.com', 'NS', 'ns2.example.com.');
    const { customer, administratorId } = await approvedAdministrator(harness);
    const watch = domainWatcher(customer, 30_000);
    const provider = (await customer.request('POST', '/v1/dns-providers', lab.rfc2136Provider('Half broken'))).body;
    const domain = (
      await customer.request('POST', `/v1/administrators/${administratorId}/domains`, {
        domain: 'halfway.example.com',
        autoValidation: false,
        method: 'dns_provider',
        dnsProviderId: provider.id,
      })
    ).body;

    const flagged = await watch.until(domain.id, (d) => d.needsAttention, 'needs attention');
    expect(flagged.status).toBe('pending');
    expect(flagged.attentionReason).toMatch(/^customer side: ns2\.example\.com \(127\.0\.0\.2\) did not answer: .*ETIMEOUT/);
    expect(flagged.lastCheck).toMatchObject({
      kind: 'authoritative',
      passed: false,
      faultSide: 'customer',
      servers: expect.arrayContaining([
        expect.objectContaining({ server: 'ns1.example.com', address: '127.0.0.1', present: true }),
        expect.objectContaining({ server: 'ns2.example.com', address: '127.0.0.2', present: false, error: expect.stringMatching(/ETIMEOUT/) }),
      ]),
    });
    // The record itself is there: the pre-check passes 3/3, and the wait says why it still waits.
    const precheck = await customer.request('POST', `/v1/domains/${domain.id}/validate`);
    expect(precheck.body).toMatchObject({ passed: true, quorum: { summary: '3/3' } });
    const events = await watch.events(domain.id);
    expect(events.find((e) => e.action === 'needs_attention')?.note).toMatch(/ns2\.example\.com \(127\.0\.0\.2\) did not answer/);
    expect((await watch.get(domain.id)).status).toBe('pending');

    await lab.a.deleteRecord('example.com', 'NS', 'ns2.example.com.');
    const done = await watch.until(domain.id, (d) => d.status === 'validated', 'validated once every name server answers');
    expect(done).toMatchObject({ needsAttention: false, attentionReason: null });
    expect((await watch.events(domain.id)).map((e) => e.action)).toEqual(
      expect.arrayContaining(['needs_attention', 'attention_cleared', 'record_on_all_authoritative', 'validated']),
    );
  });
});

describe("the CA's resolvers fail while a DNS provider's server name is looked up: the CA's side, never the customer's", () => {
  let harness: Harness;
  beforeAll(async () => {
    // Nothing listens there: every lookup through the CA's resolvers is refused (no verdict on the name).
    const deadResolver = `127.0.0.1:${await freePort()}`;
    harness = await startHarness({ env: lab.env('east=A;west=A', { DCV_RESOLVERS: deadResolver }) });
  });
  afterAll(async () => harness?.stop());

  test('after the write is retried the domain waits flagged with a CA-side reason; it is not failed', async () => {
    const { customer, administratorId } = await approvedAdministrator(harness);
    const watch = domainWatcher(customer, 60_000);
    const provider = await customer.request('POST', '/v1/dns-providers', { ...lab.rfc2136Provider('By name'), server: 'dns-update.example.com' });
    expect(provider.status).toBe(201);
    const domain = (
      await customer.request('POST', `/v1/administrators/${administratorId}/domains`, {
        domain: 'by-name.example.com',
        autoValidation: false,
        method: 'dns_provider',
        dnsProviderId: provider.body.id,
      })
    ).body;
    const flagged = await watch.until(domain.id, (d) => d.needsAttention || d.status === 'failed', 'flagged or failed');
    expect(flagged).toMatchObject({ status: 'pending', needsAttention: true });
    expect(flagged.attentionReason).toMatch(
      /^CA side: the service \(its resolvers.*\) could not publish the record: .*dns-update\.example\.com does not resolve \(ECONNREFUSED/,
    );
    // Temporal's visibility store follows the workflow's upsert a moment later.
    expect(
      await eventually(async () => (await needsAttentionInTemporal(harness, 'by-name.example.com')) || undefined, 10_000, 'NeedsAttention in Temporal'),
    ).toBe(true);
  });
});
