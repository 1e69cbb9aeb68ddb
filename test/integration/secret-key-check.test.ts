import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectDatabase, type Db } from '../../src/db/connect';
import { migrateToLatest } from '../../src/db/migrate';
import { createAccount } from '../../src/db/principals';
import { seal } from '../../src/domain/secret-box';
import { checkSecretKey, SecretKeyMismatch } from '../../src/db/secret-key-check';
import { createTestDatabase } from '../support/database';

/** The SECRET_KEY check (src/db/secret-key-check.ts) on PostgreSQL and on the embedded PGlite. */
describe.each(['PostgreSQL', 'PGlite'])('on %s', (engine) => {
  let db: Db;
  let cleanUp: () => Promise<void>;
  beforeEach(async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cps-secret-key-check-'));
    const database = engine === 'PostgreSQL' ? await createTestDatabase() : undefined;
    db = await connectDatabase({ databaseUrl: database?.url, dataDir });
    await migrateToLatest(db);
    cleanUp = async () => {
      await db.destroy();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  });
  afterEach(() => cleanUp());

  test('the first key is recorded, the same key agrees, another key is refused and changes nothing', async () => {
    const key = randomBytes(32);
    expect(await checkSecretKey(db, key)).toBe('recorded');
    const recorded = await db.selectFrom('secret_key_check').selectAll().execute();
    expect(await checkSecretKey(db, Buffer.from(key))).toBe('agrees');
    const other = checkSecretKey(db, randomBytes(32));
    await expect(other).rejects.toBeInstanceOf(SecretKeyMismatch);
    await expect(other).rejects.toThrow(
      /SECRET_KEY differs from the key recorded in this database on .* by the first process that ran with it: give every api and worker process the same SECRET_KEY \(or SECRET_KEY_FILE/,
    );
    expect(await db.selectFrom('secret_key_check').selectAll().execute()).toEqual(recorded);
    expect(await checkSecretKey(db, key)).toBe('agrees');
  });

  test('on a database from before the check, the first key recorded must open the secrets it already holds', async () => {
    const [before, other] = [randomBytes(32), randomBytes(32)];
    const { accountId } = await createAccount(db, 'Upgraded');
    const id = randomUUID();
    await db
      .insertInto('dns_providers')
      .values({ id, account_id: accountId, kind: 'dnspod', name: 'DNSPod', settings: '{}', secret_ciphertext: seal(before, 'token', id) })
      .execute();
    await expect(checkSecretKey(db, other)).rejects.toThrow(
      new RegExp(`SECRET_KEY does not open the secret of DNS provider ${id} this database already holds`),
    );
    expect(await db.selectFrom('secret_key_check').selectAll().execute()).toEqual([]);
    expect(await checkSecretKey(db, before)).toBe('recorded');
    await expect(checkSecretKey(db, other)).rejects.toBeInstanceOf(SecretKeyMismatch);
  });

  test('processes starting at once with one key: one records it, the others agree', async () => {
    const key = randomBytes(32);
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => checkSecretKey(db, key)));
    expect(outcomes.sort()).toEqual(['agrees', 'agrees', 'agrees', 'recorded']);
  });
});

test('a database without the check (its migrations pending) is an error the caller can retry, not a mismatch', async () => {
  const database = await createTestDatabase();
  const db = await connectDatabase({ databaseUrl: database.url, dataDir: os.tmpdir() });
  try {
    const attempt = checkSecretKey(db, randomBytes(32));
    await expect(attempt).rejects.toThrow(/secret_key_check/);
    await expect(attempt).rejects.not.toBeInstanceOf(SecretKeyMismatch);
  } finally {
    await db.destroy();
    await database.drop();
  }
});
