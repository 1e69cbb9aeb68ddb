/**
 * TSIG (RFC 8945) signing and verification, HMAC-SHA-2 only: hmac-md5 is "MUST NOT" and
 * hmac-sha1 "NOT RECOMMENDED" (RFC 8945 §6), so both are refused.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { CLASS_ANY, TYPE, decodeHeader, encodeName, encodeRecord, lastAdditionalOffset, readName, skipName } from './dns-wire';

export const TSIG_ALGORITHMS = { 'hmac-sha256': 'sha256', 'hmac-sha384': 'sha384', 'hmac-sha512': 'sha512' } as const;
export type TsigAlgorithm = keyof typeof TSIG_ALGORITHMS;

export interface TsigKey {
  name: string;
  algorithm: TsigAlgorithm;
  /** Base64 shared secret, as in BIND's `key { secret "…"; }`. */
  secret: string;
}

/** RFC 8945 §5.2.3: 300 s recommended. */
export const DEFAULT_FUDGE_SECONDS = 300;

export const TSIG_ERRORS: Record<number, string> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };

export function assertTsigAlgorithm(algorithm: string): asserts algorithm is TsigAlgorithm {
  if (!(algorithm in TSIG_ALGORITHMS)) {
    throw new Error(`TSIG algorithm "${algorithm}" is not accepted; use hmac-sha256, hmac-sha384 or hmac-sha512.`);
  }
}

function uint48(seconds: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt16BE(Math.floor(seconds / 2 ** 32), 0);
  b.writeUInt32BE(seconds % 2 ** 32, 2);
  return b;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** The "TSIG variables" that are MACed after the message (RFC 8945 §4.3.3). */
function tsigVariables(key: TsigKey, timeSigned: number, fudge: number, error: number, other: Buffer): Buffer {
  const classTtl = Buffer.alloc(6);
  classTtl.writeUInt16BE(CLASS_ANY, 0);
  classTtl.writeUInt32BE(0, 2);
  return Buffer.concat([encodeName(key.name), classTtl, encodeName(key.algorithm), uint48(timeSigned), u16(fudge), u16(error), u16(other.length), other]);
}

function mac(key: TsigKey, data: Buffer): Buffer {
  return createHmac(TSIG_ALGORITHMS[key.algorithm], Buffer.from(key.secret, 'base64')).update(data).digest();
}

export interface SignedRequest {
  message: Buffer;
  requestMac: Buffer;
  id: number;
}

/** Appends a TSIG record to `message` (whose ARCOUNT must not count it yet). */
export function signMessage(message: Buffer, key: TsigKey, now: Date = new Date(), fudge = DEFAULT_FUDGE_SECONDS): SignedRequest {
  assertTsigAlgorithm(key.algorithm);
  const timeSigned = Math.floor(now.getTime() / 1000);
  const requestMac = mac(key, Buffer.concat([message, tsigVariables(key, timeSigned, fudge, 0, Buffer.alloc(0))]));
  const id = message.readUInt16BE(0);
  const rdata = Buffer.concat([encodeName(key.algorithm), uint48(timeSigned), u16(fudge), u16(requestMac.length), requestMac, u16(id), u16(0), u16(0)]);
  const withCount = Buffer.from(message);
  withCount.writeUInt16BE(withCount.readUInt16BE(10) + 1, 10);
  return { message: Buffer.concat([withCount, encodeRecord(key.name, TYPE.TSIG, CLASS_ANY, 0, rdata)]), requestMac, id };
}

export interface ParsedTsig {
  keyName: string;
  algorithm: string;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  other: Buffer;
  /** Offset of the TSIG record in the message. */
  offset: number;
}

/** The TSIG record of a message (it must be the last additional record), or null. */
export function parseTsig(msg: Buffer): ParsedTsig | null {
  const offset = lastAdditionalOffset(msg);
  if (offset === null) return null;
  const keyName = readName(msg, offset);
  let p = skipName(msg, offset);
  if (msg.readUInt16BE(p) !== TYPE.TSIG) return null;
  p += 10; // type, class, ttl, rdlength
  const algorithm = readName(msg, p);
  p = skipName(msg, p);
  const timeSigned = msg.readUInt16BE(p) * 2 ** 32 + msg.readUInt32BE(p + 2);
  const fudge = msg.readUInt16BE(p + 6);
  const macSize = msg.readUInt16BE(p + 8);
  const macBytes = msg.subarray(p + 10, p + 10 + macSize);
  p += 10 + macSize;
  const originalId = msg.readUInt16BE(p);
  const error = msg.readUInt16BE(p + 2);
  const otherLen = msg.readUInt16BE(p + 4);
  const other = msg.subarray(p + 6, p + 6 + otherLen);
  return { keyName, algorithm, timeSigned, fudge, mac: Buffer.from(macBytes), originalId, error, other: Buffer.from(other), offset };
}

export type TsigVerification = { ok: true } | { ok: false; reason: string };

/**
 * Verifies a signed response to a request we signed (RFC 8945 §5.3): MAC over the request MAC,
 * the response without its TSIG (ARCOUNT − 1, original id) and the TSIG variables.
 */
export function verifyResponse(response: Buffer, key: TsigKey, requestMac: Buffer, now: Date = new Date()): TsigVerification {
  const tsig = parseTsig(response);
  if (!tsig) return { ok: false, reason: 'The response is not signed (no TSIG record).' };
  if (tsig.keyName !== key.name.toLowerCase().replace(/\.$/, '')) return { ok: false, reason: 'The response is signed with another key.' };
  if (tsig.algorithm !== key.algorithm) return { ok: false, reason: 'The response is signed with another algorithm.' };
  if (tsig.error !== 0) return { ok: false, reason: `The server reported TSIG error ${TSIG_ERRORS[tsig.error] ?? tsig.error}.` };
  const stripped = Buffer.from(response.subarray(0, tsig.offset));
  stripped.writeUInt16BE(tsig.originalId, 0);
  stripped.writeUInt16BE(decodeHeader(stripped).arcount - 1, 10);
  const expected = mac(
    key,
    Buffer.concat([u16(requestMac.length), requestMac, stripped, tsigVariables(key, tsig.timeSigned, tsig.fudge, tsig.error, tsig.other)]),
  );
  if (tsig.mac.length !== expected.length || !timingSafeEqual(tsig.mac, expected)) {
    return { ok: false, reason: 'The response TSIG signature does not verify.' };
  }
  if (Math.abs(Math.floor(now.getTime() / 1000) - tsig.timeSigned) > tsig.fudge) {
    return { ok: false, reason: 'The response TSIG time is outside the allowed clock skew.' };
  }
  return { ok: true };
}

export function randomMessageId(): number {
  return randomInt(0, 0x10000);
}
