import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** `encoding` of a payload this codec sealed (the value Temporal's samples and codec servers use). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata key naming the key that sealed a payload, so keys rotate (Temporal's data-encryption guide). */
export const KEY_ID_METADATA = 'encryption-key-id';

/** One AES-256 key with the id written into what it seals. */
export interface CodecKey {
  /** 1–64 of `A-Z a-z 0-9 . _ -`; stored in every payload the key seals. */
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const IV_BYTES = 12; // NIST SP 800-38D §8.2: 96-bit IVs, random per message
const TAG_BYTES = 16;
const utf8 = (text: string) => Buffer.from(text, 'utf8');
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/** A payload the codec cannot open: its key is not configured, or it was altered (GCM authentication failed). */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

/**
 * Temporal `PayloadCodec` sealing each whole serialized `Payload` (its metadata too) with AES-256-GCM
 * (NIST SP 800-38D): `data` = 12-byte random IV ‖ ciphertext ‖ 16-byte tag, metadata `encoding:
 * binary/encrypted` and `encryption-key-id: <id>`; the key id is also the GCM additional data, so it
 * cannot be swapped. `encode` seals with the first key; `decode` opens with whichever configured key the
 * payload names and passes payloads of any other encoding through unchanged (histories recorded before
 * encryption still replay). Decoding throws {@link PayloadDecryptionError} for an unknown key id or a
 * payload that fails authentication. Runs outside the workflow sandbox (worker, client, codec endpoint).
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  private readonly current: CodecKey;

  /** `keys[0]` encodes; every key decodes. Throws on no keys, a duplicate id, a bad id or a key that is not 32 bytes. */
  constructor(keys: readonly CodecKey[]) {
    if (keys.length === 0) throw new Error('the payload codec needs at least one key');
    this.keys = new Map();
    for (const { id, key } of keys) {
      if (!KEY_ID_PATTERN.test(id)) throw new Error(`payload codec key id "${id}" must be 1-64 of A-Z a-z 0-9 . _ -`);
      if (key.length !== 32) throw new Error(`payload codec key "${id}" must be 32 bytes (AES-256), not ${key.length}`);
      if (this.keys.has(id)) throw new Error(`payload codec key id "${id}" is configured twice`);
      this.keys.set(id, key);
    }
    this.current = keys[0];
  }

  /** The id of the key that seals new payloads. */
  get currentKeyId(): string {
    return this.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.seal(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (text(payload.metadata?.encoding) === ENCRYPTED_ENCODING ? this.open(payload) : payload));
  }

  private seal(payload: Payload): Payload {
    const { id, key } = this.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(utf8(id));
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id) }, data: sealed };
  }

  private open(payload: Payload): Payload {
    const id = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!id) throw new PayloadDecryptionError(`an encrypted payload has no "${KEY_ID_METADATA}" metadata`);
    const key = this.keys.get(id);
    if (!key) {
      throw new PayloadDecryptionError(`payload encrypted with key "${id}", which is not configured (configured: ${[...this.keys.keys()].join(', ')})`);
    }
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`payload encrypted with key "${id}" is too short to be AES-256-GCM`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES)).setAAD(utf8(id));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`payload encrypted with key "${id}" failed authentication: it was altered, or the key of that id changed`);
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

/** The data converter of every client, worker and replayer of the service: the SDK's JSON payloads, sealed by `codec`. */
export function dataConverterOf(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec] };
}
