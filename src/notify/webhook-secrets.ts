import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { Webhook } from 'standardwebhooks';
import type { Db } from '../db/connect';
import type { Database } from '../db/schema';
import { open, seal } from '../domain/secret-box';

/**
 * A new signing secret: `whsec_` + base64 of 32 random bytes (Standard Webhooks, symmetric: 24 to 64
 * bytes). Shown to the customer once; stored sealed.
 */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Sealed secrets are bound to their endpoint and row: a ciphertext copied elsewhere does not open. */
/** The additional data a webhook secret is sealed with (src/domain/secret-box.ts). */
export const webhookSecretBinding = (endpointId: string, secretId: string) => `webhook:${endpointId}:${secretId}`;

/**
 * Stores a new current secret for the endpoint and returns it with its id. Any secret still current
 * stops being current and keeps signing until `previousExpiresAt` (rotation with overlap); secrets
 * rotated out earlier keep their own, shorter, expiry, and those already expired are deleted.
 */
export async function addWebhookSecret(
  trx: Transaction<Database>,
  key: Buffer,
  endpointId: string,
  previousExpiresAt?: Date,
): Promise<{ id: string; secret: string }> {
  // Secrets whose overlap has ended sign nothing again: dropped here, so rotations do not pile them up.
  await trx
    .deleteFrom('webhook_secrets')
    .where('endpoint_id', '=', endpointId)
    .where('expires_at', '<=', sql<Date>`now()`)
    .execute();
  if (previousExpiresAt) {
    await trx
      .updateTable('webhook_secrets')
      .set({ expires_at: previousExpiresAt })
      .where('endpoint_id', '=', endpointId)
      .where('expires_at', 'is', null)
      .execute();
  }
  const id = randomUUID();
  const secret = generateWebhookSecret();
  await trx
    .insertInto('webhook_secrets')
    .values({ id, endpoint_id: endpointId, ciphertext: seal(key, secret, webhookSecretBinding(endpointId, id)) })
    .execute();
  return { id, secret };
}

/**
 * One secret back in clear (a create or rotation retried with its Idempotency-Key answers it again);
 * undefined once gone or expired (rotated out and past its overlap: it signs nothing, so it is never shown again).
 */
export async function openWebhookSecret(db: Db, key: Buffer, endpointId: string, secretId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('webhook_secrets')
    .select('ciphertext')
    .where('id', '=', secretId)
    .where('endpoint_id', '=', endpointId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .executeTakeFirst();
  return row && open(key, row.ciphertext, webhookSecretBinding(endpointId, secretId));
}

/** The secrets that sign at `at`, newest first: the current one and those rotated out whose overlap has not ended. */
export async function signingSecrets(db: Db, key: Buffer, endpointId: string, at: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('webhook_secrets')
    .select(['id', 'ciphertext'])
    .where('endpoint_id', '=', endpointId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((row) => open(key, row.ciphertext, webhookSecretBinding(endpointId, row.id)));
}

/**
 * The Standard Webhooks headers of one message: `webhook-id`, `webhook-timestamp` (unix seconds) and
 * `webhook-signature`, one `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` per secret, space-separated
 * (a verifier accepts any), signed by the spec's own library over the exact bytes sent.
 */
export function signedHeaders(secrets: string[], messageId: string, timestamp: Date, body: string): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(messageId, timestamp, body)).join(' '),
  };
}
