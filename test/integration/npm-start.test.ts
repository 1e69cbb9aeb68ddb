import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ADMINISTRATOR, ORGANIZATION, eventually } from '../support/harness';
import { freePort } from '../support/ports';

/**
 * `npm start` as a newcomer runs it: embedded PGlite and a Temporal dev server launched by the service,
 * both under the data directory. Stopped with SIGINT and started again, it finds everything where it was.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const TSX = require.resolve('tsx/cli');
const run = promisify(execFile);

let env: NodeJS.ProcessEnv;
let baseUrl: string;

beforeAll(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  env = {
    ...process.env,
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'cps-start-')),
    PORT: String(port),
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    TEMPORAL_CLI_PATH: process.env.TEST_TEMPORAL_CLI,
    DATABASE_URL: '',
    TEMPORAL_ADDRESS: '',
  };
});

function start(): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [TSX, 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function cli(...args: string[]) {
  const { stdout } = await run(process.execPath, [TSX, 'src/cli/index.ts', ...args], { cwd: ROOT, env });
  return JSON.parse(stdout);
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
  expect(first.output()).toMatch(/API: +http:\/\/127\.0\.0\.1:\d+\/v1/);
  expect(first.output()).toMatch(/Temporal UI: http:\/\/127\.0\.0\.1:\d+/);
  expect((await fetch(first.output().match(/Temporal UI: (\S+)/)![1])).status).toBe(200);

  // The CLI works while the service runs (through the service, which owns the embedded database).
  const { accountId, apiKey } = await cli('account', 'create', '--name', 'Acme');
  expect(accountId).toMatch(/^[0-9a-f-]{36}$/);
  const created = await call('POST', '/v1/organizations', apiKey, { organization: ORGANIZATION, administrator: ADMINISTRATOR });
  expect(created.status).toBe(201);

  first.child.kill('SIGINT');
  expect(await first.exited).toBe(0);
  expect(first.output()).toMatch(/SIGINT: shutting down/);
  await expect(fetch(`${baseUrl}/healthz`)).rejects.toThrow();

  const second = start();
  try {
    await waitReady(second.output);
    const again = await call('GET', `/v1/organizations/${created.body.id}`, apiKey);
    expect(again.body).toMatchObject({ id: created.body.id, status: 'under_review', name: ORGANIZATION.name });
    // The workflow survived too: a decision reaches it.
    const { apiKey: reviewerKey } = await cli('reviewer', 'create', '--name', 'CA desk');
    const decided = await call('POST', `/v1/reviews/organizations/${created.body.id}/decision`, reviewerKey, { decision: 'approve' });
    expect(decided.body.status).toBe('approved');
  } finally {
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }

  // With the service stopped, the CLI opens the embedded database itself.
  const offline = await cli('reviewer', 'create', '--name', 'Offline desk');
  expect(offline.apiKey).toMatch(/^cps_rk_/);
}, 240_000);
