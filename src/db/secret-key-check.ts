import { open, seal } from '../domain/secret-box';
import { webhookSecretBinding } from '../notify/webhook-secrets';
import type { Db } from './connect';

const PLAINTEXT = 'certificate-profiles: the SECRET_KEY of the processes that share this database';
/** The additional data of the sealed value (src/domain/secret-box.ts): no other sealed value opens as this one. */
const BOUND_TO = 'secret_key_check';

const ADVICE =
  'give every api and worker process the same SECRET_KEY (or SECRET_KEY_FILE; `npm start` keeps its own in data/secret.key). ' +
  'Secrets sealed with the other key (DNS providers, webhooks) cannot be opened with this one, nor, unless TEMPORAL_CODEC_KEYS is set, the payloads of workflows they started';

/** This process's SECRET_KEY is not the one the processes sharing its database use. */
export class SecretKeyMismatch extends Error {
  override name = 'SecretKeyMismatch';
}

/**
 * Whether `secretKey` (SECRET_KEY, 32 bytes) is the key of the other processes sharing this database.
 * It seals DNS provider and webhook secrets and, unless TEMPORAL_CODEC_KEYS is set, derives the key of
 * Temporal's payloads: a process with another one would fail every task that reads what the others
 * sealed. The first process of a release with the check records a value sealed with its key (AES-256-GCM),
 * once its key opens a secret the database already holds (a database from before the check keeps its key
 * in those); every later one must open the record. Returns `recorded` (this process was the first) or
 * `agrees`. Errors: SecretKeyMismatch saying what to do; a database error as it came (down, not migrated).
 */
export async function checkSecretKey(db: Db, secretKey: Buffer): Promise<'recorded' | 'agrees'> {
  const recorded = await db.selectFrom('secret_key_check').select(['sealed', 'created_at']).where('id', '=', 1).executeTakeFirst();
  if (!recorded) {
    const stored = await aStoredSecret(db);
    if (stored && !opens(secretKey, stored.sealed, stored.boundTo)) {
      throw new SecretKeyMismatch(`SECRET_KEY does not open the ${stored.what} this database already holds: ${ADVICE}`);
    }
    const inserted = await db
      .insertInto('secret_key_check')
      .values({ id: 1, sealed: seal(secretKey, PLAINTEXT, BOUND_TO) })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return 'recorded';
    // Another process recorded its key meanwhile: compared below.
    return checkSecretKey(db, secretKey);
  }
  if (opens(secretKey, recorded.sealed, BOUND_TO)) return 'agrees';
  throw new SecretKeyMismatch(
    `SECRET_KEY differs from the key recorded in this database on ${new Date(recorded.created_at).toISOString()} by the first process that ran with it: ${ADVICE}`,
  );
}

function opens(key: Buffer, sealed: string, boundTo: string): boolean {
  try {
    open(key, sealed, boundTo);
    return true;
  } catch {
    return false;
  }
}

/** One secret sealed with the SECRET_KEY of the processes before the check (a DNS provider's or a webhook's), if there is any. */
async function aStoredSecret(db: Db): Promise<{ what: string; sealed: string; boundTo: string } | undefined> {
  const provider = await db.selectFrom('dns_providers').select(['id', 'secret_ciphertext']).limit(1).executeTakeFirst();
  if (provider) return { what: `secret of DNS provider ${provider.id}`, sealed: provider.secret_ciphertext, boundTo: provider.id };
  const webhook = await db.selectFrom('webhook_secrets').select(['id', 'endpoint_id', 'ciphertext']).limit(1).executeTakeFirst();
  if (webhook)
    return {
      what: `secret of webhook endpoint ${webhook.endpoint_id}`,
      sealed: webhook.ciphertext,
      boundTo: webhookSecretBinding(webhook.endpoint_id, webhook.id),
    };
  return undefined;
}
