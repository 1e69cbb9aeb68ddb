import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { formatCodecKeys } from '../../src/temporal/codec-keys';
import { workflowIdFor } from '../../src/temporal/ids';
import { startDcvLab, type DcvLab } from '../support/dcv-lab';
import { customerWithApprovedAdministrator as approvedAdministrator, domainWatcher, eventually, startHarness, type Harness } from '../support/harness';
import { exportHistory, replayHistories } from '../support/histories';
import { startNginx } from '../support/nginx';

/** Quorum failure, random-value expiry, SSRF refusal, continuous revalidation and expiry, with durations in seconds. */
let lab: DcvLab;
beforeAll(async () => (lab = await startDcvLab()));
afterAll(async () => lab?.stop());

describe('a quorum that fails when too many perspectives disagree', () => {
  let harness: Harness;
  beforeAll(async () => (harness = await startHarness({ env: lab.env('east=A;west=B;north=B', { DCV_MAX_SCANS: '1' }) })));
  afterAll(async () => harness?.stop());

  test('seen only from east: 1/3 corroborate, the scan fails for good; revalidate starts over and passes 3/3', async () => {
    const { customer, administratorId } = await approvedAdministrator(harness);
    const watch = domainWatcher(customer);
    const domain = (
      await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: 'split.example.com', autoValidation: false, method: 'dns' })
    ).body;
    await lab.a.addRecord('_dnsauth.split.example.com', 'TXT', `"${domain.instructions.randomValue}"`);
    const failed = await watch.until(domain.id, (d) => d.status === 'failed', 'failed scan');
    expect(failed.failureReason).toMatch(/the CA scan failed 1 times \(record_not_found\)/);
    expect(failed.lastCheck).toMatchObject({
      kind: 'scan',
      passed: false,
      quorum: { summary: '1/3', required: 2, passedPerspectives: ['east'], failedPerspectives: ['west', 'north'] },
    });
    expect(await watch.actions(domain.id)).toEqual(['added', 'scan_started', 'failed']);

    const restarted = await customer.request('POST', `/v1/domains/${domain.id}/revalidate`);
    expect(restarted.body).toMatchObject({ status: 'pending', failureReason: null });
    const value = restarted.body.instructions.randomValue;
    expect(value).not.toBe(domain.instructions.randomValue);
    for (const server of [lab.a, lab.b]) await server.addRecord('_dnsauth.split.example.com', 'TXT', `"${value}"`);
    const done = await watch.until(domain.id, (d) => d.status === 'validated', 'validated after revalidate');
    expect(done.lastCheck.quorum.summary).toBe('3/3');
  });
});

/** `npm run perspective` for `name`, asking server A, on the harness's task queue; resolves once it polls. */
async function remotePerspective(harness: Harness, name: string): Promise<ChildProcess> {
  const remote = spawn(process.execPath, [require.resolve('tsx/cli'), 'src/perspective.ts'], {
    cwd: path.join(__dirname, '..', '..'),
    env: {
      ...process.env,
      ...lab.env(`${name}=A`),
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS!,
      TEMPORAL_TASK_QUEUE: harness.taskQueue,
      // The service's codec keys and nothing else: a perspective does not need SECRET_KEY.
      TEMPORAL_CODEC_KEYS: formatCodecKeys(harness.codecKeys),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The worker's log goes to stderr: kept, and shown only if the process does not come up.
  let log = '';
  remote.stderr!.on('data', (chunk) => (log += chunk));
  await new Promise<void>((resolve, reject) => {
    remote.stdout!.on('data', (chunk) => String(chunk).includes('polling') && resolve());
    remote.once('exit', (code) => reject(new Error(`npm run perspective exited with ${code}:\n${log}`)));
  });
  return remote;
}

describe('a perspective in another process (another region on the same Temporal cluster)', () => {
  let harness: Harness;
  let remote: ChildProcess | undefined;
  beforeAll(async () => {
    harness = await startHarness({ env: lab.env('east=A', { DCV_REMOTE_PERSPECTIVES: 'south' }) });
    remote = await remotePerspective(harness, 'south');
  });
  afterAll(async () => {
    remote?.kill('SIGTERM');
    await harness?.stop();
  });

  test('`npm run perspective` serves its task queue and counts in the quorum', async () => {
    const { customer, administratorId } = await approvedAdministrator(harness);
    const domain = (
      await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: 'regions.example.com', autoValidation: false, method: 'dns' })
    ).body;
    await lab.a.addRecord('_dnsauth.regions.example.com', 'TXT', `"${domain.instructions.randomValue}"`);
    const done = await domainWatcher(customer).until(domain.id, (d) => d.status === 'validated', 'validated');
    expect(done.lastCheck.quorum).toMatchObject({ summary: '2/2', passedPerspectives: ['east', 'south'] });
  });
});

describe('a worker whose perspectives all run elsewhere (the shape of docker-compose.yml)', () => {
  let harness: Harness;
  let remote: ChildProcess | undefined;
  beforeAll(async () => {
    // No perspective in the worker's process: its own lookups (the address guard, the zone's name servers) use DCV_RESOLVERS.
    harness = await startHarness({ env: lab.env('', { DCV_PERSPECTIVES: '', DCV_REMOTE_PERSPECTIVES: 'east', DCV_RESOLVERS: lab.a.server }) });
    remote = await remotePerspective(harness, 'east');
  });
  afterAll(async () => {
    remote?.kill('SIGTERM');
    await harness?.stop();
  });

  test("the DNS provider method writes through the customer's RFC 2136 server and validates (it failed: no resolvers)", async () => {
    expect(harness.config.dcv.perspectives).toEqual([]);
    const { customer, administratorId } = await approvedAdministrator(harness);
    const provider = await customer.request('POST', '/v1/dns-providers', lab.rfc2136Provider('Customer BIND'));
    expect(provider.status).toBe(201);
    const domain = (
      await customer.request('POST', `/v1/administrators/${administratorId}/domains`, {
        domain: 'remote-only.example.com',
        autoValidation: false,
        method: 'dns_provider',
        dnsProviderId: provider.body.id,
      })
    ).body;
    const done = await domainWatcher(customer).until(domain.id, (d) => ['validated', 'failed'].includes(d.status), 'validated or failed');
    expect({ status: done.status, failureReason: done.failureReason }).toEqual({ status: 'validated', failureReason: null });
    expect(done.lastCheck.quorum).toMatchObject({ summary: '1/1', passedPerspectives: ['east'] });
  });
});

describe('random values expire', () => {
  let harness: Harness;
  beforeAll(async () => (harness = await startHarness({ env: lab.env('east=A', { RANDOM_VALUE_LIFETIME: '2s' }) })));
  afterAll(async () => harness?.stop());

  test('a domain whose record never appears fails when its random value expires', async () => {
    const { customer, administratorId } = await approvedAdministrator(harness);
    const domain = (
      await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: 'never.example.com', autoValidation: false, method: 'dns' })
    ).body;
    expect(Date.parse(domain.randomValueExpiresAt) - Date.parse(domain.createdAt)).toBeLessThan(3_000);
    const failed = await domainWatcher(customer).until(domain.id, (d) => d.status === 'failed', 'expired value');
    expect(failed.failureReason).toBe('the random value expired before the record was found');
  });
});

describe('HTTP fetches refuse private addresses unless a test setting allows them', () => {
  let harness: Harness;
  beforeAll(async () => (harness = await startHarness({ env: lab.env('east=A', { DCV_ALLOW_PRIVATE_ADDRESSES: 'false' }) })));
  afterAll(async () => harness?.stop());

  test('a name resolving to loopback is blocked before any connection', async () => {
    const { customer, administratorId } = await approvedAdministrator(harness);
    const domain = (
      await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: 'internal.example.com', autoValidation: false, method: 'file' })
    ).body;
    const outcome = await customer.request('POST', `/v1/domains/${domain.id}/validate`);
    expect(outcome.body.code).toBe('blocked_address');
    const east = outcome.body.perspectives.find((r: { code: string }) => r.code === 'blocked_address');
    expect(`${east.detail} ${east.observed.join(' ')}`).toContain('127.0.0.1');
  });
});

describe('continuous revalidation of the automatic methods', () => {
  let harness: Harness;
  beforeAll(async () => {
    // Valid 8 s, renewed 5 s before the end: a renewal about 3 s after each validation.
    harness = await startHarness({ env: lab.env('east=A;west=A', { DOMAIN_REUSE_PERIOD: '8s', DCV_REVALIDATE_BEFORE: '5s' }) });
  });
  afterAll(async () => harness?.stop());

  test('CNAME: the service rotates the value behind the delegation; without the CNAME it needs attention, then expires', async () => {
    const { customer, administratorId } = await approvedAdministrator(harness);
    const watch = domainWatcher(customer);
    const domain = (await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: 'auto.example.com' })).body;
    const target = domain.instructions.record.value;
    await lab.a.addRecord('_dnsauth.auto.example.com', 'CNAME', `${target}.`);
    const first = await watch.until(domain.id, (d) => d.status === 'validated', 'validated');

    const renewed = await watch.until(domain.id, (d) => d.validatedAt !== first.validatedAt, 'renewed', 15_000);
    expect(renewed.status).toBe('validated');
    expect(Date.parse(renewed.validUntil)).toBeGreaterThan(Date.parse(first.validUntil));
    expect(renewed.instructions.randomValue).not.toBe(first.instructions.randomValue);
    expect(await lab.txtAt(target)).toEqual([renewed.instructions.randomValue]);
    expect(await watch.actions(domain.id)).toEqual(expect.arrayContaining(['renewal_started', 'revalidated']));

    await lab.a.deleteRecord('_dnsauth.auto.example.com', 'CNAME');
    const attention = await watch.until(domain.id, (d) => d.needsAttention, 'needs attention', 15_000);
    expect(attention.status).toBe('validated');
    const events = (await customer.request('GET', `/v1/domains/${domain.id}/events?limit=100`)).body.items;
    expect(events.find((e: { action: string }) => e.action === 'needs_attention').note).toMatch(/cname_not_delegated.*CNAME delegation still in place/);
    const expired = await watch.until(domain.id, (d) => d.status === 'expired', 'expired', 15_000);
    expect(expired.usable).toBe(false);
  });

  test('reverse proxy: renewals need nothing from the customer while the proxy stays', async () => {
    const { customer, administratorId } = await approvedAdministrator(harness);
    const watch = domainWatcher(customer);
    const domain = (await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: 'edge.example.com', method: 'file' })).body;
    const web = await startNginx({
      sharedPort: true,
      port: lab.webPort,
      servers: [
        { kind: 'proxy', upstream: domain.instructions.proxy.upstream.replace(/^http:\/\/127\.0\.0\.1:\d+/, harness.baseUrl), serverName: 'edge.example.com' },
      ],
    });
    try {
      const first = await watch.until(domain.id, (d) => d.status === 'validated', 'validated');
      const renewed = await watch.until(domain.id, (d) => d.validatedAt !== first.validatedAt, 'renewed', 15_000);
      expect(renewed.instructions.randomValue).not.toBe(first.instructions.randomValue);
      expect(renewed.needsAttention).toBe(false);
    } finally {
      await web.stop();
    }
    await watch.until(domain.id, (d) => d.needsAttention, 'needs attention once the proxy is gone', 15_000);
  });

  test('domain workflow histories replay deterministically', async () => {
    const { customer, administratorId } = await approvedAdministrator(harness);
    const watch = domainWatcher(customer);
    const domain = (
      await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: 'replay.example.com', autoValidation: false, method: 'dns' })
    ).body;
    await customer.request('POST', `/v1/domains/${domain.id}/validate`);
    await lab.a.addRecord('_dnsauth.replay.example.com', 'TXT', `"${domain.instructions.randomValue}"`);
    await watch.until(domain.id, (d) => d.status === 'validated', 'validated');
    await watch.until(domain.id, (d) => d.status === 'expired', 'expired', 15_000);
    await customer.request('POST', `/v1/domains/${domain.id}/revalidate`);
    expect((await customer.request('DELETE', `/v1/domains/${domain.id}`)).status).toBe(204);
    const handle = harness.client.workflow.getHandle(workflowIdFor('domain', domain.id));
    await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined), 10_000, 'completed');

    const [replayed] = replayHistories([await exportHistory(handle.workflowId, 'domainValidationWorkflow', harness.codecKeys)], harness.codecKeys);
    expect(Number(/: (\d+) events/.exec(replayed)?.[1])).toBeGreaterThan(30);
  });
});
