import { open, seal } from '../domain/secret-box';
import type { Db } from './connect';

const PLAINTEXT = 'certificate-profiles: the SECRET_KEY of the processes that share this database';
/** The additional data of the sealed value (src/domain/secret-box.ts): no other sealed value opens as this one. */
const BOUND_TO = 'secret_key_check';

/** This process's SECRET_KEY is not the one the processes sharing its database use. */
export class SecretKeyMismatch extends Error {
  override name = 'SecretKeyMismatch';
}

/**
 * Whether `secretKey` (SECRET_KEY, 32 bytes) is the key of the other processes sharing this database.
 * It seals DNS provider and webhook secrets and, unless TEMPORAL_CODEC_KEYS is set, derives the key of
 * Temporal's payloads: a process with another one would fail every task that reads what the others
 * sealed. The first process to ask records a value sealed with its key (AES-256-GCM); every later one
 * must open it. Returns `recorded` (this process was the first) or `agrees`.
 * Errors: SecretKeyMismatch naming what to do; a database error as it came (down, not migrated).
 */
export async function checkSecretKey(db: Db, secretKey: Buffer): Promise<'recorded' | 'agrees'> {
  const inserted = await db
    .insertInto('secret_key_check')
    .values({ id: 1, sealed: seal(secretKey, PLAINTEXT, BOUND_TO) })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return 'recorded';
  const { sealed, created_at } = await db.selectFrom('secret_key_check').select(['sealed', 'created_at']).where('id', '=', 1).executeTakeFirstOrThrow();
  try {
    if (open(secretKey, sealed, BOUND_TO) === PLAINTEXT) return 'agrees';
  } catch {
    // another key: said below
  }
  throw new SecretKeyMismatch(
    `SECRET_KEY differs from the key of the processes that share this database (the first started on ${new Date(created_at).toISOString()}): ` +
      'give every api, worker and perspective process the same SECRET_KEY (or SECRET_KEY_FILE). ' +
      'Secrets sealed with the other key (DNS providers, webhooks) and workflows encrypted with it cannot be read with this one',
  );
}
