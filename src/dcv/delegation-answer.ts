/**
 * The answers of the service's own authoritative server for its delegation zone (like acme-dns):
 * one DNS message in, one out, wire format by dns-packet. SOA and NS at the apex, the name server's
 * address when it lies inside the zone, TXT at `<label>.<zone>` with the current random value
 * behind the label; everything else in the zone is NODATA or NXDOMAIN with the SOA in the authority
 * section (RFC 2308 §2), anything outside it and zone transfers REFUSED. Authoritative only: AA set in the zone, RA
 * never (RFC 1035 §4.1.1). UDP answers that do not fit are truncated (RFC 1035 §4.2.1, RFC 6891 §7).
 */
import { isIPv4, isIPv6 } from 'node:net';
import * as dnsPacket from 'dns-packet';
import { DELEGATION_LABEL } from './instructions';

/** RCODE values, RFC 1035 §4.1.1. */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** TXT answers live one second, as acme-dns's: a rotated value must reach the CA's next check, not a cached old one. */
export const TXT_TTL_SECONDS = 1;
/** SOA TTL and MINIMUM: how long resolvers keep a negative answer (RFC 2308 §5). */
export const NEGATIVE_TTL_SECONDS = 60;
const NS_TTL_SECONDS = 3600;

/** Without EDNS a UDP answer holds 512 bytes (RFC 1035 §4.2.1); with it at most 1232 (DNS flag day 2020). */
const UDP_PLAIN_LIMIT = 512;
const UDP_EDNS_LIMIT = 1232;
const HEADER_BYTES = 12;

export interface DelegationZone {
  /** The zone apex, lowercase, no trailing dot, e.g. `dcv.example-ca.com`. */
  zone: string;
  /** The name server the parent zone delegates to (SOA MNAME, the apex NS); `address` is answered when the name is inside the zone. */
  nameServer: { name: string; address?: string };
  /**
   * The TXT values at `<label>.<zone>` now: the random value of the automatic DNS domain with that
   * delegation label, `[]` when there is none. A rejection answers SERVFAIL.
   */
  txt(label: string): Promise<string[]>;
  /** Clock of the SOA serial (seconds since 1970, RFC 1982 arithmetic); tests pin it. */
  now?: () => Date;
}

export type Transport = 'udp' | 'tcp';

type Section = dnsPacket.Answer[];
interface Reply {
  rcode: number;
  authoritative: boolean;
  answers?: Section;
  authorities?: Section;
  additionals?: Section;
}

const lower = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** TXT character-strings hold 255 bytes each (RFC 1035 §3.3.14); dns-packet does not split them. */
function characterStrings(value: string): Buffer[] {
  const bytes = Buffer.from(value, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 255) chunks.push(bytes.subarray(i, i + 255));
  return chunks;
}

function soa(zone: DelegationZone): dnsPacket.Answer {
  const serial = Math.floor((zone.now?.() ?? new Date()).getTime() / 1000) >>> 0;
  return {
    name: zone.zone,
    type: 'SOA',
    class: 'IN',
    ttl: NEGATIVE_TTL_SECONDS,
    data: {
      mname: zone.nameServer.name,
      rname: `hostmaster.${zone.zone}`,
      serial,
      refresh: 3600,
      retry: 600,
      expire: 86400,
      minimum: NEGATIVE_TTL_SECONDS,
    },
  };
}

/** The A or AAAA record of the in-zone name server, when its address is known and of that type. */
function nameServerAddress(zone: DelegationZone, type: string): dnsPacket.Answer | undefined {
  const address = zone.nameServer.address;
  if (!address) return undefined;
  if (type === 'A' && isIPv4(address)) return { name: zone.nameServer.name, type: 'A', class: 'IN', ttl: NS_TTL_SECONDS, data: address };
  if (type === 'AAAA' && isIPv6(address)) return { name: zone.nameServer.name, type: 'AAAA', class: 'IN', ttl: NS_TTL_SECONDS, data: address };
  return undefined;
}

const inZone = (name: string, zone: string) => name === zone || name.endsWith(`.${zone}`);

/** What the zone holds at `qname` (lowercase) for `qtype`, as sections and RCODE; answers carry the name as `asked`. */
async function resolve(qname: string, asked: string, qtype: string, zone: DelegationZone): Promise<Reply> {
  const apex = zone.zone;
  if (!inZone(qname, apex)) return { rcode: RCODE.REFUSED, authoritative: false };
  // No zone transfers: the zone lives in the database, with no secondaries (RFC 5936 §2.2.1, RFC 1995 §2).
  if (qtype === 'AXFR' || qtype === 'IXFR') return { rcode: RCODE.REFUSED, authoritative: false };
  const negative = (rcode: number): Reply => ({ rcode, authoritative: true, authorities: [soa(zone)] });
  const nsName = lower(zone.nameServer.name);
  const glue = inZone(nsName, apex) ? (['A', 'AAAA'].map((t) => nameServerAddress(zone, t)).filter(Boolean) as Section) : [];

  if (qname === apex) {
    const ns: dnsPacket.Answer = { name: asked, type: 'NS', class: 'IN', ttl: NS_TTL_SECONDS, data: zone.nameServer.name };
    const answers: Record<string, Section> = { SOA: [{ ...soa(zone), name: asked }], NS: [ns], ANY: [{ ...soa(zone), name: asked }, ns] };
    if (!answers[qtype]) return negative(RCODE.NOERROR);
    return { rcode: RCODE.NOERROR, authoritative: true, answers: answers[qtype], additionals: qtype === 'SOA' ? [] : glue };
  }
  if (qname === nsName) {
    const record = nameServerAddress(zone, qtype);
    return record ? { rcode: RCODE.NOERROR, authoritative: true, answers: [{ ...record, name: asked }] } : negative(RCODE.NOERROR);
  }
  const label = qname.slice(0, -apex.length - 1);
  // Only a well-formed delegation label can exist: other names are answered without a database read.
  const values = DELEGATION_LABEL.test(label) ? await zone.txt(label) : [];
  if (values.length === 0) return negative(nsName.endsWith(`.${qname}`) ? RCODE.NOERROR : RCODE.NXDOMAIN);
  if (qtype !== 'TXT' && qtype !== 'ANY') return negative(RCODE.NOERROR);
  return {
    rcode: RCODE.NOERROR,
    authoritative: true,
    answers: values.map((value) => ({ name: asked, type: 'TXT', class: 'IN', ttl: TXT_TTL_SECONDS, data: characterStrings(value) })),
  };
}

/** A reply with only the 12-byte header (RFC 1035 §4.1.1), for queries dns-packet cannot read back. */
function bareHeader(id: number, requestFlags: number, rcode: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(id, 0);
  // QR, the request's opcode and RD, the RCODE.
  header.writeUInt16BE(0x8000 | (requestFlags & 0x7900) | rcode, 2);
  return header;
}

/**
 * The answer to one DNS message, or `undefined` when none is due (a response, or fewer than 12
 * bytes: answering those would let spoofed packets bounce between servers).
 *
 * @param query the message as received (UDP payload, or a TCP message without its length prefix)
 * @param zone the zone and where its TXT values come from
 * @param transport `udp` answers are cut to 512 bytes, or to the EDNS size the query offers (at most
 *   1232), and carry TC when their records do not fit (RFC 2181 §9: then none are sent); `tcp` answers
 *   are whole (RFC 7766)
 */
export async function answerQuery(query: Buffer, zone: DelegationZone, transport: Transport): Promise<Buffer | undefined> {
  if (query.length < HEADER_BYTES || (query.readUInt16BE(2) & 0x8000) !== 0) return undefined;
  const id = query.readUInt16BE(0);
  const requestFlags = query.readUInt16BE(2);
  let request: dnsPacket.DecodedPacket;
  try {
    request = dnsPacket.decode(query);
  } catch {
    return bareHeader(id, requestFlags, RCODE.FORMERR);
  }
  const opts = (request.additionals ?? []).filter((a): a is dnsPacket.OptAnswer => a.type === 'OPT');
  // More than one OPT record: FORMERR (RFC 6891 §6.1.1), answered without EDNS.
  const opt = opts.length === 1 ? opts[0] : undefined;
  const questions = request.questions ?? [];
  // BADVERS (16) for an EDNS version this server does not speak: its upper bits go in the OPT record (RFC 6891 §6.1.3).
  const badVersion = opt !== undefined && opt.ednsVersion > 0;
  let reply: Reply;
  if (badVersion) reply = { rcode: RCODE.NOERROR, authoritative: false };
  else if (opts.length > 1) reply = { rcode: RCODE.FORMERR, authoritative: false };
  else if ((requestFlags >> 11) & 0xf) reply = { rcode: RCODE.NOTIMP, authoritative: false };
  else if (questions.length !== 1) reply = { rcode: RCODE.FORMERR, authoritative: false };
  else if (questions[0].class !== 'IN') reply = { rcode: RCODE.REFUSED, authoritative: false };
  else {
    try {
      reply = await resolve(lower(questions[0].name), questions[0].name, questions[0].type, zone);
    } catch {
      reply = { rcode: RCODE.SERVFAIL, authoritative: false };
    }
  }
  // The OPT record is answered when the query had one (RFC 6891 §7), with the size this server accepts.
  const edns: Section = opt
    ? [{ name: '.', type: 'OPT', udpPayloadSize: UDP_EDNS_LIMIT, extendedRcode: badVersion ? 1 : 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
    : [];
  const limit = transport === 'tcp' ? 65_535 : opt ? Math.min(Math.max(opt.udpPayloadSize, UDP_PLAIN_LIMIT), UDP_EDNS_LIMIT) : UDP_PLAIN_LIMIT;
  const flags =
    (requestFlags & (dnsPacket.RECURSION_DESIRED | dnsPacket.CHECKING_DISABLED | 0x7800)) |
    (reply.authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) |
    reply.rcode;
  const packet = (truncated: boolean): dnsPacket.Packet => ({
    type: 'response',
    id,
    flags: flags | (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0),
    questions: request.questions,
    answers: truncated ? [] : (reply.answers ?? []),
    authorities: truncated ? [] : (reply.authorities ?? []),
    additionals: [...(truncated ? [] : (reply.additionals ?? [])), ...edns],
  });
  try {
    const whole = dnsPacket.encode(packet(false));
    return whole.length <= limit ? whole : dnsPacket.encode(packet(true));
  } catch {
    // A question dns-packet reads but cannot write back (a label with a dot in it, say).
    return bareHeader(id, requestFlags, RCODE.FORMERR);
  }
}
