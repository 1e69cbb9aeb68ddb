import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { loadConfig } from '../../src/config';
import { codecKeysOf, derivedCodecKey, formatCodecKeys, parseCodecKeys, payloadCodecOf } from '../../src/temporal/codec-keys';
import { type CodecKey, ENCRYPTED_ENCODING, EncryptionCodec, KEY_ID_METADATA, PayloadDecryptionError } from '../../src/temporal/payload-codec';

const utf8 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const key = (id: string): CodecKey => ({ id, key: randomBytes(32) });
const PERSON = { firstName: 'Zhenyuan', email: 'zhenyuan.quokka@acme.cn', phone: '+8613800138000' };

describe('EncryptionCodec (AES-256-GCM, key id in the metadata)', () => {
  const plain = defaultPayloadConverter.toPayload(PERSON);

  test('a round trip gives back the payload, metadata included; the sealed form shows none of it', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const [sealed] = await codec.encode([plain]);
    expect(utf8(sealed.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(utf8(sealed.metadata![KEY_ID_METADATA])).toBe('k1');
    expect(Object.keys(sealed.metadata!).sort()).toEqual(['encoding', KEY_ID_METADATA]);
    const raw = Buffer.from(sealed.data!).toString('latin1');
    for (const value of [...Object.values(PERSON), 'json/plain']) expect(raw).not.toContain(value);
    // 12-byte IV + ciphertext + 16-byte tag
    expect(sealed.data!.length).toBeGreaterThan(plain.data!.length + 28);

    const [opened] = await codec.decode([sealed]);
    expect(utf8(opened.metadata!.encoding)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(opened)).toEqual(PERSON);
  });

  test('each encoding draws a fresh IV: the same payload never seals to the same bytes', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const [a, b] = await codec.encode([plain, plain]);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
  });

  test('empty lists and payloads without data survive', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    expect(await codec.encode([])).toEqual([]);
    const empty = defaultPayloadConverter.toPayload(undefined); // binary/null, no data
    const [opened] = await codec.decode(await codec.encode([empty]));
    expect(defaultPayloadConverter.fromPayload(opened)).toBeUndefined();
  });

  test('rotation: the first key seals, every configured key opens', async () => {
    const old = key('2025-01');
    const current = key('2026-06');
    const before = new EncryptionCodec([old]);
    const after = new EncryptionCodec([current, old]);
    const [sealedBefore] = await before.encode([plain]);
    const [sealedAfter] = await after.encode([plain]);
    expect(utf8(sealedAfter.metadata![KEY_ID_METADATA])).toBe('2026-06');
    expect(after.currentKeyId).toBe('2026-06');
    expect(defaultPayloadConverter.fromPayload((await after.decode([sealedBefore]))[0])).toEqual(PERSON);
    expect(defaultPayloadConverter.fromPayload((await after.decode([sealedAfter]))[0])).toEqual(PERSON);
  });

  test('a payload sealed with a key that is not configured is a clear error naming the key', async () => {
    const [sealed] = await new EncryptionCodec([key('retired')]).encode([plain]);
    const codec = new EncryptionCodec([key('2026-06'), key('2025-01')]);
    await expect(codec.decode([sealed])).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.decode([sealed])).rejects.toThrow('payload encrypted with key "retired", which is not configured (configured: 2026-06, 2025-01)');
  });

  test('an encrypted payload without its key id is refused', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const [sealed] = await codec.encode([plain]);
    const { [KEY_ID_METADATA]: _dropped, ...metadata } = sealed.metadata!;
    await expect(codec.decode([{ ...sealed, metadata }])).rejects.toThrow(`an encrypted payload has no "${KEY_ID_METADATA}" metadata`);
  });

  test('tampering is detected: a flipped bit anywhere, a truncated payload, or another key id', async () => {
    const k1 = key('k1');
    const k2 = key('k2');
    const codec = new EncryptionCodec([k1, k2]);
    const [sealed] = await codec.encode([plain]);
    const data = Buffer.from(sealed.data!);
    for (const at of [0, 12, data.length - 1]) {
      const altered = Buffer.from(data);
      altered[at] ^= 0x01;
      await expect(codec.decode([{ ...sealed, data: altered }])).rejects.toThrow('payload encrypted with key "k1" failed authentication');
    }
    await expect(codec.decode([{ ...sealed, data: data.subarray(0, 20) }])).rejects.toThrow('is too short to be AES-256-GCM');
    // The key id is authenticated data: relabelling a payload fails even though k2 is configured.
    const relabelled: Payload = { ...sealed, metadata: { ...sealed.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow('payload encrypted with key "k2" failed authentication');
    // A different key under the same id (a changed SECRET_KEY) fails the same way, never yields garbage.
    await expect(new EncryptionCodec([key('k1')]).decode([sealed])).rejects.toThrow('failed authentication');
  });

  test('payloads that are not encrypted pass through unchanged (histories recorded before encryption)', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const raw = defaultPayloadConverter.toPayload('Administrator zhenyuan.quokka@acme.cn');
    const binary = defaultPayloadConverter.toPayload(new Uint8Array([1, 2, 3]));
    const [a, b] = await codec.decode([raw, binary]);
    expect(a).toBe(raw);
    expect(b).toBe(binary);
  });

  test('bad key sets are refused when the codec is built', () => {
    expect(() => new EncryptionCodec([])).toThrow('at least one key');
    expect(() => new EncryptionCodec([{ id: 'k1', key: randomBytes(16) }])).toThrow('payload codec key "k1" must be 32 bytes (AES-256), not 16');
    expect(() => new EncryptionCodec([key('k1'), key('k1')])).toThrow('payload codec key id "k1" is configured twice');
    expect(() => new EncryptionCodec([key('bad id')])).toThrow('payload codec key id "bad id" must be 1-64 of');
  });
});

describe('codec keys from configuration', () => {
  test('TEMPORAL_CODEC_KEYS: id=base64 entries, the first one seals', () => {
    const [a, b] = [randomBytes(32), randomBytes(32)];
    const keys = parseCodecKeys(` 2026-06=${a.toString('base64')}, 2025-01=${b.toString('base64')} `);
    expect(keys.map((k) => k.id)).toEqual(['2026-06', '2025-01']);
    expect(keys[0].key.equals(a)).toBe(true);
    expect(parseCodecKeys(formatCodecKeys(keys))).toEqual(keys);
    expect(parseCodecKeys(undefined)).toEqual([]);
    expect(parseCodecKeys('')).toEqual([]);
    expect(loadConfig({ TEMPORAL_CODEC_KEYS: `k=${a.toString('base64')}` }).temporal.codecKeys).toEqual([{ id: 'k', key: a }]);
  });

  test('each bad TEMPORAL_CODEC_KEYS entry is named', () => {
    const good = randomBytes(32).toString('base64');
    expect(() => loadConfig({ TEMPORAL_CODEC_KEYS: `k1=${randomBytes(16).toString('base64')}` })).toThrow(
      /^TEMPORAL_CODEC_KEYS: "k1" is not id=<32 bytes, base64>/,
    );
    // A key given without its id is never echoed (the message held all of it but its padding).
    for (const keyOnly of [good, good.replace(/=+$/, ''), `k=${good},${good}`]) {
      expect(() => parseCodecKeys(keyOnly)).toThrow(/^TEMPORAL_CODEC_KEYS: entry \d is not id=/);
      expect(() => parseCodecKeys(keyOnly)).not.toThrow(good.slice(0, 8));
    }
    expect(() => parseCodecKeys(`=${good}`)).toThrow(/^TEMPORAL_CODEC_KEYS:/);
    expect(() => parseCodecKeys(`bad id=${good}`)).toThrow('TEMPORAL_CODEC_KEYS: entry 1 is not');
  });

  test('the key derived from SECRET_KEY (HKDF-SHA256) is stable, differs per SECRET_KEY and is not the SECRET_KEY', () => {
    const secret = randomBytes(32);
    const derived = derivedCodecKey(secret);
    expect(derived).toEqual(derivedCodecKey(Buffer.from(secret)));
    expect(derived.id).toMatch(/^sk-[0-9a-f]{12}$/);
    expect(derived.key).toHaveLength(32);
    expect(derived.key.equals(secret)).toBe(false);
    const other = derivedCodecKey(randomBytes(32));
    expect(other.id).not.toBe(derived.id);
    expect(other.key.equals(derived.key)).toBe(false);
  });

  test('configured keys come first; the derived key seals only without them, and always still opens', async () => {
    const secret = randomBytes(32);
    const configured = [key('2026-06')];
    expect(codecKeysOf([], secret).map((k) => k.id)).toEqual([derivedCodecKey(secret).id]);
    expect(codecKeysOf(configured, secret).map((k) => k.id)).toEqual(['2026-06', derivedCodecKey(secret).id]);
    expect(codecKeysOf(configured, undefined).map((k) => k.id)).toEqual(['2026-06']);
    expect(() => codecKeysOf([], undefined)).toThrow('set TEMPORAL_CODEC_KEYS, or SECRET_KEY');

    // Moving from the derived key to dedicated keys: what the derived key sealed still opens.
    const [sealed] = await payloadCodecOf([], secret).encode([defaultPayloadConverter.toPayload(PERSON)]);
    const [opened] = await payloadCodecOf(configured, secret).decode([sealed]);
    expect(defaultPayloadConverter.fromPayload(opened)).toEqual(PERSON);
  });

  test('TEMPORAL_UI_ORIGIN: exact origins, default the dev server UI on TEMPORAL_UI_PORT', () => {
    expect(loadConfig({}).temporal.uiOrigins).toEqual(['http://localhost:8233', 'http://127.0.0.1:8233']);
    expect(loadConfig({ TEMPORAL_UI_PORT: '9000' }).temporal.uiOrigins).toEqual(['http://localhost:9000', 'http://127.0.0.1:9000']);
    expect(loadConfig({ TEMPORAL_UI_ORIGIN: 'https://temporal.example.com, http://localhost:8080' }).temporal.uiOrigins).toEqual([
      'https://temporal.example.com',
      'http://localhost:8080',
    ]);
    for (const bad of ['https://temporal.example.com/', 'temporal.example.com', 'https://temporal.example.com/ui', 'ftp://x.example', '*']) {
      expect(() => loadConfig({ TEMPORAL_UI_ORIGIN: bad })).toThrow(/^TEMPORAL_UI_ORIGIN:/);
    }
  });
});
