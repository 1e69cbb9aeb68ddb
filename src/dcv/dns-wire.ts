/**
 * Low-level DNS wire helpers for what dns-packet cannot express: RFC 2136 update records
 * (class NONE, empty RDATA for any type) and byte offsets needed to verify a TSIG MAC.
 * Also one request/response exchange over UDP or TCP.
 */
import { createSocket } from 'node:dgram';
import { Socket } from 'node:net';
import { isIP } from 'node:net';

export const CLASS_IN = 1;
export const CLASS_NONE = 254;
export const CLASS_ANY = 255;

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, TXT: 16, AAAA: 28, TSIG: 250, ANY: 255 } as const;

/** Uncompressed, lowercase wire form of a name (the canonical form TSIG requires). */
export function encodeName(name: string): Buffer {
  const trimmed = name.replace(/\.$/, '').toLowerCase();
  if (trimmed === '') return Buffer.from([0]);
  const parts: Buffer[] = [];
  for (const label of trimmed.split('.')) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length === 0 || bytes.length > 63) throw new Error(`Invalid DNS label in "${name}"`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  const wire = Buffer.concat(parts);
  if (wire.length > 255) throw new Error(`DNS name too long: "${name}"`);
  return wire;
}

/** TXT RDATA: the value split into ≤255-byte character-strings (RFC 1035 §3.3.14). */
export function txtRdata(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 255) {
    const chunk = bytes.subarray(i, i + 255);
    parts.push(Buffer.from([chunk.length]), chunk);
  }
  return Buffer.concat(parts);
}

export function encodeRecord(name: string, type: number, klass: number, ttl: number, rdata: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(klass, 2);
  fixed.writeUInt32BE(ttl, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([encodeName(name), fixed, rdata]);
}

export interface Header {
  id: number;
  flags: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

export function encodeHeader(h: Header): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(h.id, 0);
  b.writeUInt16BE(h.flags, 2);
  b.writeUInt16BE(h.qdcount, 4);
  b.writeUInt16BE(h.ancount, 6);
  b.writeUInt16BE(h.nscount, 8);
  b.writeUInt16BE(h.arcount, 10);
  return b;
}

export function decodeHeader(msg: Buffer): Header {
  if (msg.length < 12) throw new Error('DNS message shorter than its header');
  return {
    id: msg.readUInt16BE(0),
    flags: msg.readUInt16BE(2),
    qdcount: msg.readUInt16BE(4),
    ancount: msg.readUInt16BE(6),
    nscount: msg.readUInt16BE(8),
    arcount: msg.readUInt16BE(10),
  };
}

/** Offset just past a (possibly compressed) name starting at `offset`. */
export function skipName(msg: Buffer, offset: number): number {
  for (let guard = 0; guard < 128; guard++) {
    if (offset >= msg.length) throw new Error('Truncated DNS name');
    const len = msg[offset];
    if (len === 0) return offset + 1;
    if ((len & 0xc0) === 0xc0) return offset + 2;
    offset += 1 + len;
  }
  throw new Error('DNS name has too many labels');
}

/** Reads an uncompressed or compressed name (for TSIG fields we only need the text). */
export function readName(msg: Buffer, offset: number): string {
  const labels: string[] = [];
  for (let guard = 0; guard < 128; guard++) {
    const len = msg[offset];
    if (len === undefined) throw new Error('Truncated DNS name');
    if (len === 0) return labels.join('.').toLowerCase();
    if ((len & 0xc0) === 0xc0) {
      offset = msg.readUInt16BE(offset) & 0x3fff;
      continue;
    }
    labels.push(msg.toString('ascii', offset + 1, offset + 1 + len));
    offset += 1 + len;
  }
  throw new Error('DNS name loops');
}

/** Byte offset where the last additional record starts (where a TSIG record must be), or null. */
export function lastAdditionalOffset(msg: Buffer): number | null {
  const h = decodeHeader(msg);
  if (h.arcount === 0) return null;
  let offset = 12;
  for (let i = 0; i < h.qdcount; i++) offset = skipName(msg, offset) + 4;
  const records = h.ancount + h.nscount + h.arcount;
  let last = offset;
  for (let i = 0; i < records; i++) {
    last = offset;
    offset = skipName(msg, offset);
    const rdlength = msg.readUInt16BE(offset + 8);
    offset += 10 + rdlength;
    if (offset > msg.length) throw new Error('Truncated DNS record');
  }
  return last;
}

export interface ExchangeOptions {
  server: string;
  port: number;
  transport: 'udp' | 'tcp';
  timeoutMs: number;
}

/** The one way an exchange ends: an answer, an error, or the deadline; whichever comes first, once. */
function settleOnce(o: ExchangeOptions, cleanup: () => void, resolve: (msg: Buffer) => void, reject: (err: Error) => void) {
  let settled = false;
  const finish = (err: Error | null, msg?: Buffer) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    cleanup();
    if (err) reject(err);
    else resolve(msg as Buffer);
  };
  const timer = setTimeout(() => finish(new Error(`No answer from ${o.server}:${o.port} within ${o.timeoutMs} ms (ETIMEOUT)`)), o.timeoutMs);
  return finish;
}

function udpExchange(message: Buffer, o: ExchangeOptions): Promise<Buffer> {
  const socket = createSocket(isIP(o.server) === 6 ? 'udp6' : 'udp4');
  const id = message.readUInt16BE(0);
  return new Promise<Buffer>((resolve, reject) => {
    const finish = settleOnce(o, () => socket.close(), resolve, reject);
    socket.on('message', (msg) => {
      // Ignore stray datagrams; only an answer with our id counts.
      if (msg.length >= 12 && msg.readUInt16BE(0) === id) finish(null, msg);
    });
    socket.on('error', (err) => finish(err));
    socket.send(message, o.port, o.server);
  });
}

function tcpExchange(message: Buffer, o: ExchangeOptions): Promise<Buffer> {
  const socket = new Socket();
  return new Promise<Buffer>((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const finish = settleOnce(o, () => socket.destroy(), resolve, reject);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2) {
        const len = buffered.readUInt16BE(0);
        if (buffered.length >= 2 + len) finish(null, buffered.subarray(2, 2 + len));
      }
    });
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error(`${o.server}:${o.port} closed the connection without an answer`)));
    socket.connect(o.port, o.server, () => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(message.length);
      socket.write(Buffer.concat([prefix, message]));
    });
  });
}

/** Sends one DNS message and returns the raw answer; UDP answers with TC set are retried over TCP. */
export async function exchange(message: Buffer, o: ExchangeOptions): Promise<Buffer> {
  if (o.transport === 'tcp') return tcpExchange(message, o);
  const answer = await udpExchange(message, o);
  const truncated = (answer.readUInt16BE(2) & 0x0200) !== 0;
  return truncated ? tcpExchange(message, o) : answer;
}
