import { freePort } from '../support/ports';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { runSetup } from '../../src/cli/setup';
import { loadConfig } from '../../src/config';
import { connectDatabase, type Db } from '../../src/db/connect';
import { pendingMigrations } from '../../src/db/migrate';
import { readinessProbe } from '../../src/readiness';
import { ensureNamespace, inspectNamespace } from '../../src/temporal/namespace-setup';
import { SEARCH_ATTRIBUTES, searchAttributeSpec } from '../../src/temporal/search-attributes';
import { createTestDatabase } from '../support/database';
import { eventually } from '../support/harness';

/**
 * `npm run setup` on real parts: a fresh PostgreSQL database and a namespace of its own on the run's
 * Temporal dev server (which lacks the service's search attributes, as a fresh cluster does), and the
 * CLI refusing to write keys into a database the service does not use.
 */
const ROOT = path.resolve(__dirname, '..', '..');
/** As the npm scripts run the service: Node with tsx's loader (no tsx parent process to relay signals). */
const TSX = ['--import', 'tsx'];
const address = process.env.TEST_TEMPORAL_ADDRESS!;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
let connection: Connection;
let client: Client;
const namespace = `setup-${randomBytes(4).toString('hex')}`;
const config = () => loadConfig({ DATABASE_URL: database.url, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace });

beforeAll(async () => {
  database = await createTestDatabase();
  db = await connectDatabase({ databaseUrl: database.url, dataDir: os.tmpdir() });
  connection = await Connection.connect({ address });
  client = new Client({ connection, namespace });
});
afterAll(async () => {
  await connection?.close();
  await db?.destroy();
  await database?.drop();
});

async function cli(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...TSX, 'src/cli/index.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test('before setup /readyz names the pending migrations and the missing namespace; setup fixes both, and a second run changes nothing', async () => {
  const ready = readinessProbe(db, client, namespace, 2_000);
  const before = await ready();
  const migrations = await pendingMigrations(db);
  expect(migrations.length).toBeGreaterThan(0);
  expect(before).toEqual({
    database: true,
    migrations: false,
    temporal: true,
    searchAttributes: false,
    details: {
      migrations: `${migrations.length} pending (${migrations.join(', ')}): run npm run setup (the setup service of docker-compose.yml)`,
      searchAttributes: `namespace ${namespace} does not exist: run npm run setup (the setup service of docker-compose.yml)`,
    },
  });

  const first = await runSetup(config());
  expect(first).toEqual({
    database: `PostgreSQL 127.0.0.1:5432${new URL(database.url).pathname} (user postgres)`,
    migrationsApplied: migrations,
    temporal: address,
    namespace,
    namespaceCreated: true,
    searchAttributesAdded: SEARCH_ATTRIBUTES.map(searchAttributeSpec),
  });
  expect(await ready()).toEqual({ database: true, migrations: true, temporal: true, searchAttributes: true });
  // The namespace got the configured retention (TEMPORAL_NAMESPACE_RETENTION, default 30 days).
  const described = await connection.workflowService.describeNamespace({ namespace });
  expect(Number(described.config?.workflowExecutionRetentionTtl?.seconds)).toBe(30 * 86_400);

  const second = await runSetup(config());
  expect(second).toMatchObject({ migrationsApplied: [], namespaceCreated: false, searchAttributesAdded: [] });
}, 120_000);

/** Registers one attribute in a namespace created a moment ago (NOT_FOUND until the frontend's namespace cache has it). */
async function registerDirectly(target: string, name: string, type: SearchAttributeType) {
  await ensureNamespace(connection, target, 86_400_000);
  await eventually(
    () =>
      connection.operatorService
        .addSearchAttributes({ namespace: target, searchAttributes: { [name]: encodeSearchAttributeIndexedValueType(type)! } })
        .then(() => true),
    30_000,
    `${name} registered in ${target}`,
  );
}

test('a namespace lacking some attributes gets only those; one holding an attribute under another type is refused by name', async () => {
  const partial = `setup-${randomBytes(4).toString('hex')}`;
  const [first, ...rest] = SEARCH_ATTRIBUTES;
  await registerDirectly(partial, first.name, first.type);
  const report = await runSetup(loadConfig({ DATABASE_URL: database.url, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: partial }));
  expect(report.searchAttributesAdded).toEqual(rest.map(searchAttributeSpec));

  const clashing = `setup-${randomBytes(4).toString('hex')}`;
  await registerDirectly(clashing, first.name, 'TEXT');
  await expect(runSetup(loadConfig({ DATABASE_URL: database.url, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: clashing }))).rejects.toThrow(
    `namespace ${clashing} holds ${first.name} as Text, not Keyword: give the attribute another name in src/temporal/search-attributes.ts`,
  );
  // Readiness says the same, so /readyz stays 503 until it is resolved.
  const gaps = await inspectNamespace(connection, clashing);
  expect(gaps.conflicting).toEqual([{ key: first, registered: 'Text' }]);
  const readiness = await readinessProbe(db, new Client({ connection, namespace: clashing }), clashing, 2_000)();
  expect(readiness.searchAttributes).toBe(false);
}, 120_000);

describe('the CLI writes keys only into the database the service uses, and says which', () => {
  test('npm run setup needs TEMPORAL_ADDRESS', async () => {
    const result = await cli(['setup'], { DATABASE_URL: database.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('TEMPORAL_ADDRESS is required');
  });

  test('a database that cannot be reached is named as such, for setup and the CLI alike', async () => {
    const unreachable = `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`;
    for (const args of [['setup'], ['account', 'create', '--name', 'Acme']]) {
      const result = await cli(args, { DATABASE_URL: unreachable, TEMPORAL_ADDRESS: '127.0.0.1:7233' });
      expect([result.code, result.stdout]).toEqual([1, '']);
      expect(result.stderr).toMatch(/^the database cannot be reached \(DATABASE_URL\): connect ECONNREFUSED 127\.0\.0\.1:\d+/);
    }
  });

  test('PostgreSQL: a database that is not set up is refused; the service database is written to and named', async () => {
    const empty = await createTestDatabase();
    try {
      const refused = await cli(['account', 'create', '--name', 'Acme'], { DATABASE_URL: empty.url });
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(
        /^PostgreSQL 127\.0\.0\.1:5432\/cps_test_\w+ \(user postgres\) is not set up \(\d+ migrations pending\): run npm run setup/,
      );
      const emptyDb = await connectDatabase({ databaseUrl: empty.url, dataDir: os.tmpdir() });
      expect((await pendingMigrations(emptyDb)).length).toBeGreaterThan(0); // nothing was created there
      await emptyDb.destroy();
    } finally {
      await empty.drop();
    }
    const written = await cli(['account', 'create', '--name', 'Acme'], { DATABASE_URL: database.url });
    expect(written.code).toBe(0);
    expect(JSON.parse(written.stdout)).toEqual({ accountId: expect.any(String), apiKey: expect.stringMatching(/^cps_ck_/) });
    expect(written.stderr.trim()).toBe(`[certificate-profiles] wrote to PostgreSQL 127.0.0.1:5432${new URL(database.url).pathname} (user postgres)`);
    const row = await db.selectFrom('accounts').select('name').where('id', '=', JSON.parse(written.stdout).accountId).executeTakeFirst();
    expect(row?.name).toBe('Acme');
  });

  test('embedded: a DATA_DIR where the service never ran is refused, nothing is created there', async () => {
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'cps-cli-'));
    const refused = await cli(['reviewer', 'create', '--name', 'Desk'], { DATA_DIR: elsewhere });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`no database at ${path.join(elsewhere, 'pglite')}: the service has not run with DATA_DIR=${elsewhere}`);
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});
