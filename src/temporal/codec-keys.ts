import { hkdfSync } from 'node:crypto';
import { type CodecKey, EncryptionCodec, KEY_ID_PATTERN } from './payload-codec';

/** RFC 5869 `info` strings: the codec key and its id are derived from SECRET_KEY apart from its other uses. */
const KEY_INFO = 'certificate-profiles/temporal-payload-codec/key/v1';
const ID_INFO = 'certificate-profiles/temporal-payload-codec/key-id/v1';

/**
 * TEMPORAL_CODEC_KEYS: `id=base64key[,id=base64key...]`, each key 32 bytes (`openssl rand -base64 32`).
 * The first seals new payloads, the others only open old ones (rotation: put the new key first, keep the
 * old ones while histories sealed with them are retained). Unset or empty: none. Throws naming the entry.
 */
export function parseCodecKeys(text: string | undefined): CodecKey[] {
  if (!text?.trim()) return [];
  return text.split(',').map((entry, n) => {
    const at = entry.indexOf('=');
    const id = at < 0 ? '' : entry.slice(0, at).trim();
    const encoded = at < 0 ? '' : entry.slice(at + 1).trim();
    const key = Buffer.from(encoded, 'base64');
    if (!KEY_ID_PATTERN.test(id) || key.length !== 32) {
      // Named by its id only when it has one and a key after it: an entry without (`<key>`, `<key>=` with base64's
      // padding read as the separator) may be the key itself, which is never echoed.
      const which = KEY_ID_PATTERN.test(id) && encoded !== '' ? `"${id}"` : `entry ${n + 1}`;
      throw new Error(`TEMPORAL_CODEC_KEYS: ${which} is not id=<32 bytes, base64> (id: 1-64 of A-Z a-z 0-9 . _ -)`);
    }
    return { id, key };
  });
}

/**
 * The codec key derived from SECRET_KEY with HKDF-SHA256 (RFC 5869, no salt: the input is already a
 * uniformly random 32-byte key), and an id derived the same way (`sk-` + 12 hex digits), so a different
 * SECRET_KEY names a different key and never opens the wrong payloads silently.
 */
export function derivedCodecKey(secretKey: Buffer): CodecKey {
  const key = Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), KEY_INFO, 32));
  const id = `sk-${Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), ID_INFO, 6)).toString('hex')}`;
  return { id, key };
}

/**
 * The keys of this process: TEMPORAL_CODEC_KEYS when set (its first key seals), then the key derived
 * from SECRET_KEY (which seals when TEMPORAL_CODEC_KEYS is unset, and otherwise still opens what it
 * sealed before). Throws when there is neither: payloads are never written in clear.
 */
export function codecKeysOf(configured: readonly CodecKey[], secretKey: Buffer | undefined): CodecKey[] {
  const derived = secretKey ? [derivedCodecKey(secretKey)] : [];
  const keys = [...configured, ...derived.filter((d) => !configured.some((c) => c.id === d.id))];
  if (keys.length === 0) throw new Error('Temporal payloads are encrypted: set TEMPORAL_CODEC_KEYS, or SECRET_KEY (or SECRET_KEY_FILE) to derive the key from');
  return keys;
}

/** The codec of this process (see {@link codecKeysOf}). */
export function payloadCodecOf(configured: readonly CodecKey[], secretKey: Buffer | undefined): EncryptionCodec {
  return new EncryptionCodec(codecKeysOf(configured, secretKey));
}

/** `keys` in the TEMPORAL_CODEC_KEYS format, to hand them to another process (the replay tests). */
export function formatCodecKeys(keys: readonly CodecKey[]): string {
  return keys.map(({ id, key }) => `${id}=${key.toString('base64')}`).join(',');
}
