import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ADMINISTRATOR, ORGANIZATION, eventually } from '../support/harness';
import { freeDnsPort, freePort } from '../support/ports';
import { administratorApproval, organizationApproval } from '../support/review-records';
import { Client as PgClient } from 'pg';
import { ADMIN_URL, createTestDatabase } from '../support/database';
import { expectExit, logLines, spawnService } from '../support/service-process';
import { startDevServer } from '../../src/temporal/dev-server';
import { SEARCH_ATTRIBUTES, searchAttributeSpec } from '../../src/temporal/search-attributes';
import { randomBytes } from 'node:crypto';
import * as dnsPacket from 'dns-packet';
import { exchange } from '../../src/dcv/dns-wire';

/**
 * `npm start` as a newcomer runs it: embedded PGlite and a Temporal dev server launched by the service,
 * both under the data directory. Stopped with SIGINT and started again, it finds everything where it was.
 */
const ROOT = path.resolve(__dirname, '..', '..');
/** As the npm scripts run the service: Node with tsx's loader (no tsx parent process to relay signals). */
const TSX = ['--import', 'tsx'];
const run = promisify(execFile);

let env: NodeJS.ProcessEnv;
let baseUrl: string;
let dnsPort: number;

beforeAll(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  env = {
    ...process.env,
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'cps-start-')),
    PORT: String(port),
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    // The delegation zone's DNS server, off its 127.0.0.1:5353 default so runs in parallel do not collide.
    DCV_DNS_LISTEN: `127.0.0.1:${(dnsPort = await freeDnsPort())}`,
    TEMPORAL_CLI_PATH: process.env.TEST_TEMPORAL_CLI,
    DATABASE_URL: '',
    TEMPORAL_ADDRESS: '',
    // The caller's own (tcsh exports the machine's name as HOST) would move the API.
    HOST: '',
  };
});

function start(): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [...TSX, 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Runs the CLI with the service's environment; `wrote` is the line that names the database it wrote to. */
async function cli(...args: string[]) {
  const { stdout, stderr } = await run(process.execPath, [...TSX, 'src/cli/index.ts', ...args], { cwd: ROOT, env });
  return { ...JSON.parse(stdout), wrote: stderr.trim() };
}

async function call(method: string, route: string, key: string, body?: unknown) {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function waitReady(output: () => string) {
  await eventually(async () => ((await fetch(`${baseUrl}/readyz`)).status === 200 ? true : undefined), 90_000, `readyz (output so far:\n${output()})`);
}

test('npm start serves the API with embedded parts, shuts down cleanly and resumes after a restart', async () => {
  const first = start();
  await waitReady(first.output);
  // Every line is a JSON object (the service's log); the start-up lines say where things are.
  const messages = logLines(first.output()).map((line) => line.msg);
  expect(messages).toContainEqual(expect.stringMatching(/^API: +http:\/\/127\.0\.0\.1:\d+\/v1$/));
  // On this machine only (HOST unset), as its dev server and UI: another address of the machine is refused.
  await expect(fetch(`http://127.0.0.2:${env.PORT}/healthz`)).rejects.toThrow();
  const ui = messages.find((msg) => msg.startsWith('Temporal UI: '))!;
  expect(ui).toMatch(/^Temporal UI: http:\/\/127\.0\.0\.1:\d+$/);
  expect((await fetch(ui.slice('Temporal UI: '.length))).status).toBe(200);
  expect(messages).toContain(`DNS:         127.0.0.1:${dnsPort} (UDP and TCP), authoritative for dcv.certificate-profiles.invalid`);
  // The default DCV_PUBLIC_URL is loopback: one line says the automatic file method cannot pass with it, and
  // it is the only warning (no "No workflows registered" per perspective, nothing else).
  expect(logLines(first.output()).filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([
    expect.objectContaining({
      level: 'warn',
      msg: `DCV_PUBLIC_URL (${baseUrl}) is not a public address (Loopback): customers' reverse proxies cannot reach it, so the automatic file method cannot pass until it names the service's public address`,
    }),
  ]);

  // The dev server's SQLite file is in write-ahead-log mode (header bytes 18–19 are 2 for WAL; 1 is the rollback journal).
  const header = readFileSync(path.join(env.DATA_DIR!, 'temporal', 'temporal.sqlite')).subarray(18, 20);
  expect([...header]).toEqual([2, 2]);

  // The CLI works while the service runs (through the service, which owns the embedded database).
  const { accountId, apiKey, wrote } = await cli('account', 'create', '--name', 'Acme');
  expect(accountId).toMatch(/^[0-9a-f-]{36}$/);
  expect(wrote).toBe(`[certificate-profiles] wrote to embedded PGlite in ${path.join(env.DATA_DIR!, 'pglite')}, through the running service`);
  const created = await call('POST', '/v1/organizations', apiKey, { organization: ORGANIZATION, administrator: ADMINISTRATOR });
  expect(created.status).toBe(201);

  // The console: its address is printed, and the CLI invites its first user through the running service.
  expect(first.output()).toContain(`Console:     ${baseUrl}/console/`);
  const owner = await cli('user', 'create', '--email', 'owner@acme.cn', '--name', 'Owner', '--account-name', 'Acme console');
  expect(owner.invitationUrl).toMatch(new RegExp(`^${baseUrl}/console/invitations/[A-Za-z0-9_-]{43}$`));
  expect((await fetch(owner.invitationUrl)).status).toBe(200);

  first.child.kill('SIGINT');
  await expectExit(first, 0);
  expect(first.output()).toMatch(/SIGINT: shutting down/);
  await expect(fetch(`${baseUrl}/healthz`)).rejects.toThrow();

  const second = start();
  try {
    await waitReady(second.output);
    const again = await call('GET', `/v1/organizations/${created.body.id}`, apiKey);
    expect(again.body).toMatchObject({ id: created.body.id, status: 'under_review', name: ORGANIZATION.name });
    // The workflow survived too: a decision reaches it.
    const { apiKey: reviewerKey } = await cli('reviewer', 'create', '--name', 'CA desk');
    const decided = await call('POST', `/v1/reviews/organizations/${created.body.id}/decision`, reviewerKey, organizationApproval());
    expect(decided.body.status).toBe('approved');

    // The default domain method works out of the box: the service serves its delegation zone itself.
    const administratorId = created.body.administrators[0].id;
    await call('POST', `/v1/reviews/administrators/${administratorId}/decision`, reviewerKey, administratorApproval());
    const domain = await call('POST', `/v1/administrators/${administratorId}/domains`, apiKey, { domain: 'www.example.com' });
    expect(domain.status).toBe(201);
    const query = dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: domain.body.instructions.record.value, type: 'TXT' }] });
    const answer = dnsPacket.decode(await exchange(query, { server: '127.0.0.1', port: dnsPort, transport: 'udp', timeoutMs: 2000 }));
    expect(answer.answers).toEqual([expect.objectContaining({ type: 'TXT', data: [Buffer.from(domain.body.instructions.randomValue)] })]);
  } finally {
    second.child.kill('SIGTERM');
    await expectExit(second, 0);
  }

  // With the service stopped, the CLI opens the embedded database itself.
  const offline = await cli('reviewer', 'create', '--name', 'Offline desk');
  expect(offline.apiKey).toMatch(/^cps_rk_/);
  expect(offline.wrote).toBe(`[certificate-profiles] wrote to embedded PGlite in ${path.join(env.DATA_DIR!, 'pglite')}`);

  // Killed outright, the service leaves its dev server behind; the next start ends it and carries on.
  const killed = start();
  await waitReady(killed.output);
  // The service itself (node runs it, no wrapper: the npm script execs node), so its dev server is orphaned.
  killed.child.kill('SIGKILL');
  await killed.exited;
  const afterCrash = start();
  try {
    await waitReady(afterCrash.output);
    expect((await call('GET', `/v1/organizations/${created.body.id}`, apiKey)).body.status).toBe('approved');
    // Its dev server dying under it, the service says so and stops (not 503s forever).
    process.kill(Number(readFileSync(path.join(env.DATA_DIR!, 'temporal', 'dev-server.pid'), 'utf8')), 'SIGKILL');
    await expectExit(afterCrash, 1);
    expect(logLines(afterCrash.output())).toContainEqual(
      expect.objectContaining({ level: 'error', msg: expect.stringMatching(/^the embedded Temporal dev server exited \(SIGKILL\); see .*temporal\.log/) }),
    );
  } finally {
    afterCrash.child.kill('SIGINT');
    await afterCrash.exited;
  }

  // What the service wrote is its user's only (the database, the dev server's history, the secret key).
  for (const file of [path.join('temporal', 'temporal.sqlite'), 'pglite', 'secret.key']) {
    expect([file, statSync(path.join(env.DATA_DIR!, file)).mode & 0o077]).toEqual([file, 0]);
  }
}, 240_000);

test('npm run setup, then npm run api and npm run worker run the two halves as separate processes on external Temporal and PostgreSQL', async () => {
  const database = await createTestDatabase();
  const port = await freePort();
  const splitEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS!,
    TEMPORAL_TASK_QUEUE: `split-${port}`,
    SECRET_KEY: randomBytes(32).toString('base64'),
    PORT: String(port),
    HOST: '',
  };
  const spawnPart = (entry: string) => spawnService(entry, splitEnv);
  // An API started before the release's setup (migrations pending): 503 with Retry-After, never a 500 for a missing table.
  const api = spawnPart('src/api.ts');
  let worker: ReturnType<typeof spawnPart> | undefined;
  const url = `http://127.0.0.1:${port}`;
  try {
    const early = await eventually(
      async () => {
        const answer = await fetch(`${url}/v1/organizations`, { headers: { authorization: 'Bearer cps_live_before_setup' } }).catch(() => undefined);
        return answer && { status: answer.status, retryAfter: answer.headers.get('retry-after'), body: (await answer.json()) as { detail?: string } };
      },
      60_000,
      `api start:\n${api.output()}`,
    );
    expect([early.status, early.retryAfter, early.body.detail]).toEqual([503, '5', expect.stringMatching(/schema is behind this release .*npm run setup/)]);
    // The one-shot step before the halves start (the setup service of docker-compose.yml).
    const { stdout: setup } = await run(process.execPath, [...TSX, 'src/cli/index.ts', 'setup'], { cwd: ROOT, env: splitEnv });
    expect(JSON.parse(setup).migrationsApplied.length).toBeGreaterThan(0);
    const started = spawnPart('src/worker.ts');
    worker = started;
    await eventually(async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), 60_000, `api readiness:\n${api.output()}`);
    // `npm run api` (HOST unset) listens on every interface, as a container's port mapping needs.
    expect((await fetch(`http://127.0.0.2:${port}/healthz`)).status).toBe(200);
    await eventually(async () => (started.output().includes('DCV perspectives') ? true : undefined), 90_000, `worker start:\n${started.output()}`);
    const { stdout } = await run(process.execPath, [...TSX, 'src/cli/index.ts', 'account', 'create', '--name', 'Split'], { cwd: ROOT, env: splitEnv });
    const { apiKey } = JSON.parse(stdout);
    const { stdout: reviewerOut } = await run(process.execPath, [...TSX, 'src/cli/index.ts', 'reviewer', 'create', '--name', 'Desk'], {
      cwd: ROOT,
      env: splitEnv,
    });
    const reviewerKey = JSON.parse(reviewerOut).apiKey;
    const headers = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
    const created = (await (
      await fetch(`${url}/v1/organizations`, {
        method: 'POST',
        headers: headers(apiKey),
        body: JSON.stringify({ organization: ORGANIZATION, administrator: ADMINISTRATOR }),
      })
    ).json()) as any;
    const decided = (await (
      await fetch(`${url}/v1/reviews/organizations/${created.id}/decision`, {
        method: 'POST',
        headers: headers(reviewerKey),
        body: JSON.stringify(organizationApproval()),
      })
    ).json()) as any;
    expect(decided.status).toBe('approved');

    // A second API on the same port: taken, so it says so and exits, never claiming to serve there.
    const second = spawnPart('src/api.ts');
    await expectExit(second, 1);
    expect(second.output()).toMatch(new RegExp(`the API cannot listen on port ${port}: .*EADDRINUSE`));
    expect(second.output()).not.toMatch(/API: +http/);

    // A worker with another SECRET_KEY than the processes already on this database refuses to start, saying why.
    const otherKey = spawnService('src/worker.ts', { ...splitEnv, SECRET_KEY: randomBytes(32).toString('base64') });
    setTimeout(() => otherKey.kill('SIGKILL'), 60_000).unref();
    await expectExit(otherKey, 1);
    expect(otherKey.output()).toMatch(/failed to start: SECRET_KEY differs from the key recorded in this database/);
    expect(otherKey.output()).not.toMatch(/DCV perspectives/);

    // The database refusing connections (ALLOW_CONNECTIONS false, its sessions ended) is an outage: 503 with
    // Retry-After, never a 500; allowed again, the API serves again by itself.
    const name = new URL(database.url).pathname.slice(1);
    const admin = new PgClient({ connectionString: ADMIN_URL });
    await admin.connect();
    let lateOtherKey: ReturnType<typeof spawnPart> | undefined;
    try {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      // A worker with another SECRET_KEY that starts while the database is away checks its key once it is back.
      const started = spawnService('src/worker.ts', { ...splitEnv, SECRET_KEY: randomBytes(32).toString('base64') });
      lateOtherKey = started;
      await eventually(
        async () => (logLines(started.output()).some((line) => line.msg.includes('does not answer yet (DATABASE_URL)')) ? true : undefined),
        60_000,
        `worker start:\n${started.output()}`,
      );
      // Away past its first retry: it waits (its worker part not started) and tries again.
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(logLines(started.output()).filter((line) => line.msg.includes('SECRET_KEY not checked yet'))).toHaveLength(1);
      expect(started.output()).not.toMatch(/DCV perspectives/);
      for (const [method, route, body] of [
        ['GET', '/v1/organizations', undefined],
        ['POST', '/v1/organizations', { organization: { ...ORGANIZATION, name: 'Refused Ltd.' }, administrator: ADMINISTRATOR }],
      ] as const) {
        const refused = await fetch(`${url}${route}`, { method, headers: headers(apiKey), body: body && JSON.stringify(body) });
        expect([refused.status, refused.headers.get('content-type'), refused.headers.get('retry-after')]).toEqual([
          503,
          'application/problem+json; charset=utf-8',
          '5',
        ]);
      }
    } finally {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      await admin.end();
      const late = lateOtherKey;
      // Its check comes within SECRET_KEY_CHECK_RETRY_MS; a process that never stops is ended for the test's sake.
      if (late) setTimeout(() => late.kill('SIGKILL'), 30_000).unref();
    }
    if (lateOtherKey) {
      await expectExit(lateOtherKey, 1);
      expect(lateOtherKey.output()).toMatch(
        /SECRET_KEY differs from the key recorded in this database.*Stopping: set the right key, then start the service again/,
      );
      expect(lateOtherKey.output()).not.toMatch(/DCV perspectives/);
    }
    await eventually(
      async () => ((await fetch(`${url}/v1/organizations`, { headers: headers(apiKey) })).status === 200 ? true : undefined),
      30_000,
      'the API back',
    );
  } finally {
    api.kill('SIGTERM');
    worker?.kill('SIGTERM');
    await expectExit(api, 0);
    if (worker) await expectExit(worker, 0);
    await database.drop();
  }
}, 180_000);

test('npm start on a data directory from before a search attribute existed registers what its dev server lacks', async () => {
  // A dev server file without the service's search attributes, as one recorded by an older version.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cps-upgrade-'));
  const [devPort, port] = [await freePort(), await freePort()];
  const old = await startDevServer({
    cliPath: process.env.TEST_TEMPORAL_CLI!,
    dataDir: path.join(dataDir, 'temporal'),
    port: devPort,
    uiPort: 0,
    namespace: 'default',
    headless: true,
    searchAttributes: false,
  });
  await old.stop();
  const upgraded = spawnService('src/main.ts', {
    ...env,
    DATA_DIR: dataDir,
    PORT: String(port),
    TEMPORAL_DEV_PORT: String(devPort),
    TEMPORAL_UI_PORT: String(await freePort()),
    DCV_DNS_LISTEN: `127.0.0.1:${await freeDnsPort()}`,
    // HOST moves the API, and the address it prints, to that address only.
    HOST: '127.0.0.3',
  });
  try {
    await eventually(async () => ((await fetch(`http://127.0.0.3:${port}/readyz`)).status === 200 ? true : undefined), 90_000, `readyz:\n${upgraded.output()}`);
    const messages = logLines(upgraded.output()).map((line) => line.msg);
    expect(messages).toContain(`API:         http://127.0.0.3:${port}/v1`);
    // The console's address (and its invitation links) and the file method's default URL follow.
    expect(messages).toContainEqual(expect.stringMatching(new RegExp(`^Console: +http://127\\.0\\.0\\.3:${port}/console/ `)));
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    expect(logLines(upgraded.output()).map((line) => line.msg)).toContain(
      `search attributes registered: ${SEARCH_ATTRIBUTES.map(searchAttributeSpec).join(', ')}`,
    );
  } finally {
    upgraded.kill('SIGINT');
    await expectExit(upgraded, 0);
  }
}, 180_000);

test('npm start with a HOST this machine does not have says so and exits before it starts anything', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cps-host-'));
  // 192.0.2.1 (TEST-NET-1, RFC 5737) is no address of this machine.
  const refused = spawnService('src/main.ts', { ...env, DATA_DIR: dataDir, HOST: '192.0.2.1' });
  await expectExit(refused, 1);
  expect(refused.output()).toMatch(/the API cannot listen on 192\.0\.2\.1 port \d+: .*EADDRNOTAVAIL.* \(set PORT or HOST to move it\)/);
  // No database, no dev server: nothing was started.
  expect(readdirSync(dataDir).filter((entry) => entry === 'pglite' || entry === 'temporal')).toEqual([]);
}, 60_000);

test('a worker whose PostgreSQL does not answer says so at start (it keeps running: the passes retry), and stops cleanly', async () => {
  const port = await freePort(); // nothing listens there
  const worker = spawnService('src/worker.ts', {
    ...process.env,
    DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nowhere`,
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS!,
    TEMPORAL_TASK_QUEUE: `no-database-${port}`,
    SECRET_KEY: randomBytes(32).toString('base64'),
    HOST: '',
  });
  try {
    const warned = await eventually(
      async () => logLines(worker.output()).find((line) => line.msg.includes('does not answer yet (DATABASE_URL)')),
      60_000,
      `the warning:\n${worker.output()}`,
    );
    expect(warned).toMatchObject({
      level: 'warn',
      msg: `PostgreSQL 127.0.0.1:${port}/nowhere (user postgres) does not answer yet (DATABASE_URL): until it does, requests answer 503 and background passes retry`,
    });
  } finally {
    worker.kill('SIGTERM');
    await expectExit(worker, 0);
  }
}, 90_000);
