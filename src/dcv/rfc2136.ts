/**
 * Minimal RFC 2136 dynamic update client with TSIG (RFC 8945), for the "DNS provider" method
 * with a customer's own primary server. Plus direct, non-recursive queries to confirm a record
 * is on every authoritative server before asking for a scan (as lego and cert-manager do).
 */
import { promises as dnsPromises } from 'node:dns';
import * as dnsPacket from 'dns-packet';
import { CLASS_ANY, CLASS_IN, CLASS_NONE, TYPE, decodeHeader, encodeHeader, encodeName, encodeRecord, exchange, txtRdata } from './dns-wire';
import { type AddressAllowance, classifyAddress } from './ssrf-guard';
import { assertTsigAlgorithm, DEFAULT_FUDGE_SECONDS, parseTsig, randomMessageId, signMessage, TSIG_ERRORS, verifyResponse, type TsigAlgorithm } from './tsig';

export interface Rfc2136Config {
  /** Primary server address (IP). */
  server: string;
  port?: number;
  /** Zone apex the records live in, e.g. `example.com`. */
  zone: string;
  keyName: string;
  algorithm: TsigAlgorithm;
  /** Base64 TSIG secret. */
  secret: string;
  transport?: 'udp' | 'tcp';
  timeoutMs?: number;
}

export class DnsUpdateError extends Error {
  constructor(
    message: string,
    /** DNS RCODE name (NOTAUTH, REFUSED…) or TSIG error (BADSIG, BADKEY, BADTIME), when known. */
    readonly rcode: string,
  ) {
    super(message);
    this.name = 'DnsUpdateError';
  }
}

const OPCODE_UPDATE = 5;

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

const RCODE_MESSAGES: Record<string, string> = {
  FORMERR: 'the server could not parse the update (FORMERR)',
  SERVFAIL: 'the server failed to apply the update (SERVFAIL)',
  NOTIMP: 'the server does not support dynamic updates (NOTIMP)',
  REFUSED: 'the server refused the update: the key is not allowed to update this zone (REFUSED)',
  NOTAUTH: 'the server is not authoritative for the zone or did not accept the key (NOTAUTH)',
  NOTZONE: 'the record name is not inside the zone (NOTZONE)',
  YXRRSET: 'a prerequisite failed (YXRRSET)',
  NXRRSET: 'a prerequisite failed (NXRRSET)',
};

const TSIG_MESSAGES: Record<string, string> = {
  BADSIG: 'the server rejected the TSIG signature: the shared secret is wrong (BADSIG)',
  BADKEY: 'the server does not know this TSIG key name or algorithm (BADKEY)',
  BADTIME: 'the server rejected the TSIG time: check that both clocks are in sync (BADTIME)',
  BADTRUNC: 'the server rejected a truncated TSIG MAC (BADTRUNC)',
};

function fqdn(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** Is `name` the zone's apex or below it (RFC 2136 §3.1.1: every update record must be)? Case and a trailing dot do not count. */
export function isInZone(name: string, zone: string): boolean {
  const n = fqdn(name);
  const z = fqdn(zone);
  return n === z || n.endsWith(`.${z}`);
}

function assertInZone(name: string, zone: string): void {
  if (!isInZone(name, zone)) throw new DnsUpdateError(`"${name}" is not inside the zone "${zone}".`, 'NOTZONE');
}

/** One RR of the update section (RFC 2136 §2.5). */
interface UpdateRecord {
  name: string;
  type: number;
  klass: number;
  ttl: number;
  rdata: Buffer;
}

const add = (name: string, type: number, ttl: number, rdata: Buffer): UpdateRecord => ({ name, type, klass: CLASS_IN, ttl, rdata });
const deleteRrset = (name: string, type: number): UpdateRecord => ({ name, type, klass: CLASS_ANY, ttl: 0, rdata: Buffer.alloc(0) });
const deleteName = (name: string): UpdateRecord => ({ name, type: TYPE.ANY, klass: CLASS_ANY, ttl: 0, rdata: Buffer.alloc(0) });
const deleteOne = (name: string, type: number, rdata: Buffer): UpdateRecord => ({ name, type, klass: CLASS_NONE, ttl: 0, rdata });

/** Builds, signs, sends one UPDATE and checks the answer; all records apply atomically. */
async function sendUpdate(config: Rfc2136Config, records: UpdateRecord[]): Promise<void> {
  assertTsigAlgorithm(config.algorithm);
  for (const r of records) assertInZone(r.name, config.zone);
  const id = randomMessageId();
  // dns-packet encodes the header and the zone section (a question of type SOA); it has no
  // class NONE and no empty RDATA for most types, so update records are encoded by hand.
  const zoneSection = dnsPacket.encode({ id, type: 'query', questions: [{ name: fqdn(config.zone), type: 'SOA', class: 'IN' }] }).subarray(12);
  const header = encodeHeader({ id, flags: OPCODE_UPDATE << 11, qdcount: 1, ancount: 0, nscount: records.length, arcount: 0 });
  const unsigned = Buffer.concat([header, zoneSection, ...records.map((r) => encodeRecord(r.name, r.type, r.klass, r.ttl, r.rdata))]);
  const key = { name: config.keyName, algorithm: config.algorithm, secret: config.secret };
  const signed = signMessage(unsigned, key, new Date(), DEFAULT_FUDGE_SECONDS);

  let response: Buffer;
  try {
    response = await exchange(signed.message, {
      server: config.server,
      port: config.port ?? 53,
      transport: config.transport ?? 'tcp',
      timeoutMs: config.timeoutMs ?? 10_000,
    });
  } catch (err) {
    throw new DnsUpdateError(`The update could not be sent to ${config.server}: ${(err as Error).message}`, 'NETWORK');
  }
  const h = decodeHeader(response);
  if (h.id !== id) throw new DnsUpdateError('The answer does not match the update (wrong id).', 'FORMERR');
  const rcode = RCODE_NAMES[h.flags & 0xf] ?? `RCODE_${h.flags & 0xf}`;

  const tsig = parseTsig(response);
  const tsigError = tsig && tsig.error !== 0 ? (TSIG_ERRORS[tsig.error] ?? `TSIG_${tsig.error}`) : null;
  if (tsigError) throw new DnsUpdateError(`Update of ${config.zone} failed: ${TSIG_MESSAGES[tsigError] ?? tsigError}.`, tsigError);
  if (rcode !== 'NOERROR') {
    throw new DnsUpdateError(`Update of ${config.zone} failed: ${RCODE_MESSAGES[rcode] ?? rcode}.`, rcode);
  }
  // Success answers must be signed with our key: otherwise anyone on the path could fake them.
  const verified = verifyResponse(response, key, signed.requestMac);
  if (!verified.ok) throw new DnsUpdateError(`Update answer from ${config.server} not trusted: ${verified.reason}`, 'BADSIG');
}

/** Replaces every TXT record at `name` with this one value (clears stale values, like lego). */
export function upsertTxt(config: Rfc2136Config, name: string, value: string, ttl = 60): Promise<void> {
  return sendUpdate(config, [deleteRrset(name, TYPE.TXT), add(name, TYPE.TXT, ttl, txtRdata(value))]);
}

/**
 * Adds one TXT value and keeps the others (another CA's, a sibling wildcard's); `replacing`, a value
 * this writer published before, goes in the same atomic update.
 */
export function addTxt(config: Rfc2136Config, name: string, value: string, ttl = 60, replacing?: string): Promise<void> {
  const stale = replacing !== undefined && replacing !== value ? [deleteOne(name, TYPE.TXT, txtRdata(replacing))] : [];
  return sendUpdate(config, [...stale, add(name, TYPE.TXT, ttl, txtRdata(value))]);
}

/** Deletes the TXT record with this value, or every TXT record at `name` when no value is given. */
export function deleteTxt(config: Rfc2136Config, name: string, value?: string): Promise<void> {
  return sendUpdate(config, [value === undefined ? deleteRrset(name, TYPE.TXT) : deleteOne(name, TYPE.TXT, txtRdata(value))]);
}

/** Makes `name` a CNAME to `target`; other data at `name` is removed first (a CNAME must stand alone). */
export function upsertCname(config: Rfc2136Config, name: string, target: string, ttl = 60): Promise<void> {
  return sendUpdate(config, [deleteName(name), add(name, TYPE.CNAME, ttl, encodeName(target))]);
}

/** Deletes the RRset of `type` at `name`, or every record at `name` when no type is given. */
export function deleteRecord(config: Rfc2136Config, name: string, type?: 'TXT' | 'CNAME' | 'A' | 'AAAA'): Promise<void> {
  return sendUpdate(config, [type === undefined ? deleteName(name) : deleteRrset(name, TYPE[type])]);
}

export interface AuthoritativeServer {
  /** Name server host name (from the NS record). */
  name: string;
  address: string;
  port: number;
}

/**
 * The addresses of a zone's name servers, found through `resolvers` (NS, then A/AAAA; a CNAME on the
 * way is followed by the resolver). `port` is 53 except in tests. The addresses are the customer's
 * word: `checkAllAuthoritative` judges each before it queries it.
 */
export async function authoritativeServers(zone: string, options: { resolvers: string[]; port?: number; timeoutMs?: number }): Promise<AuthoritativeServer[]> {
  const resolver = new dnsPromises.Resolver({ timeout: options.timeoutMs ?? 5_000, tries: 2 });
  resolver.setServers(options.resolvers);
  const names = await resolver.resolveNs(fqdn(zone));
  const servers: AuthoritativeServer[] = [];
  for (const name of names.map(fqdn).sort()) {
    const [v4, v6] = await Promise.all([resolver.resolve4(name).catch(() => []), resolver.resolve6(name).catch(() => [])]);
    for (const address of [...v4, ...v6]) servers.push({ name, address, port: options.port ?? 53 });
  }
  return servers;
}

export interface AuthoritativeCheck {
  server: AuthoritativeServer;
  present: boolean;
  /** TXT values seen (character-strings joined). */
  observed: string[];
  error?: string;
  /** Set when the address guard refused the server's address: it was not queried. */
  refused?: string;
}

/** Asks one server directly, recursion not desired, for the TXT records at `name`. */
async function queryTxtDirect(server: AuthoritativeServer, name: string, timeoutMs: number): Promise<string[]> {
  const id = randomMessageId();
  const query = dnsPacket.encode({ id, type: 'query', flags: 0, questions: [{ name: fqdn(name), type: 'TXT', class: 'IN' }] });
  const response = await exchange(query, { server: server.address, port: server.port, transport: 'udp', timeoutMs });
  const decoded = dnsPacket.decode(response);
  if (decoded.id !== id) throw new Error('answer id mismatch');
  const rcode = (decoded as { rcode?: string }).rcode ?? 'NOERROR';
  if (rcode === 'NXDOMAIN') return [];
  if (rcode !== 'NOERROR') throw new Error(rcode);
  if (!decoded.flag_aa) throw new Error('the answer is not authoritative');
  return (decoded.answers ?? [])
    .filter((a) => a.type === 'TXT' && fqdn(a.name) === fqdn(name))
    .map((a) => {
      const data = (a as dnsPacket.TxtAnswer).data;
      const chunks = Array.isArray(data) ? data : [data];
      return chunks.map((c) => (Buffer.isBuffer(c) ? c.toString('utf8') : c)).join('');
    });
}

/**
 * True only when every given authoritative server already serves `expectedValue` at `name`:
 * checking before asking for a scan avoids failing on a server that is still behind. The customer's
 * zone names these servers, so each address goes through the address guard right before its query;
 * a refused one is not queried, is reported with the reason, and keeps the answer false.
 * `allowance` is the guard's test-only allowance; `timeoutMs` bounds each query.
 */
export async function checkAllAuthoritative(
  servers: AuthoritativeServer[],
  name: string,
  expectedValue: string,
  options: { allowance?: AddressAllowance; timeoutMs?: number } = {},
): Promise<{ allPresent: boolean; results: AuthoritativeCheck[] }> {
  const results = await Promise.all(
    servers.map(async (server): Promise<AuthoritativeCheck> => {
      const verdict = classifyAddress(server.address, options.allowance);
      if (!verdict.allowed) return { server, present: false, observed: [], refused: verdict.reason };
      try {
        const observed = await queryTxtDirect({ ...server, address: verdict.address }, name, options.timeoutMs ?? 5_000);
        return { server, present: observed.includes(expectedValue), observed };
      } catch (err) {
        return { server, present: false, observed: [], error: (err as Error).message };
      }
    }),
  );
  return { allPresent: servers.length > 0 && results.every((r) => r.present), results };
}
