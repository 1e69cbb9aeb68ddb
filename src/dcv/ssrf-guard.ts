/**
 * The address guard (RFC 8555 §10.4; BR §1.6.1 "Reserved IP Address"; Boulder `iana/ip.go`): the one
 * judge of every address the service contacts on a customer's word — the file method's hosts and
 * redirect targets, the authoritative servers of a customer's zone (their NS and A/AAAA, CNAMEs
 * followed by the resolver), a customer's RFC 2136 server, the DNS provider API. Public unicast only:
 * an address inside any block of `special-purpose-addresses.ts` is refused. ipaddr.js parses and
 * matches the CIDRs; the blocks are our own table, because ipaddr.js's range names miss some entries
 * (test/dcv/ssrf-guard.test.ts checks one against the other). Pure: resolving a name once and pinning
 * the connection to the judged address is `public-address.ts`.
 */
import ipaddr from 'ipaddr.js';
import { NON_PUBLIC_BLOCKS, type SpecialPurposeBlock } from './special-purpose-addresses';

/**
 * Tests only (DCV_ALLOW_PRIVATE_ADDRESSES): non-public addresses to let through, so the DCV tests can
 * run their servers on loopback. Production leaves both unset and everything non-public is refused.
 */
export interface AddressAllowance {
  /** Let every valid address through. */
  allowPrivate?: boolean;
  /** Let just these CIDRs through (e.g. `127.0.0.1/32`); the rest stays refused. */
  allowCidrs?: readonly string[];
}

/** The registry entry an address falls in, for evidence. */
export interface BlockMatch {
  block: string;
  name: string;
  rfc: string;
}

export type AddressClass =
  | { allowed: true; address: string; range: 'public' | 'allowed for tests'; block?: BlockMatch }
  | { allowed: false; address: string; range: string; reason: string; block?: BlockMatch };

export type RefusedAddress = Extract<AddressClass, { allowed: false }>;

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;

/** Most specific first, so the evidence names the narrowest entry (192.0.0.9/32 before 192.0.0.0/24). */
const TABLE: { entry: SpecialPurposeBlock; range: [Parsed, number] }[] = NON_PUBLIC_BLOCKS.map((entry) => ({
  entry,
  range: ipaddr.parseCIDR(entry.block),
})).sort((a, b) => b.range[1] - a.range[1]);

function blockOf(address: Parsed): SpecialPurposeBlock | undefined {
  return TABLE.find(({ range }) => range[0].kind() === address.kind() && address.match(range))?.entry;
}

function inAllowedCidr(address: Parsed, cidrs: readonly string[]): boolean {
  return cidrs.some((cidr) => {
    const range = ipaddr.parseCIDR(cidr);
    return range[0].kind() === address.kind() && address.match(range);
  });
}

/**
 * Judges one IP address (IPv4 dotted or IPv6, brackets allowed; what ipaddr.js parses). An IPv4-mapped
 * IPv6 address is judged, and returned, as its IPv4 address. Refused: anything that is not an IP
 * address, an IPv6 zone index (it names a local interface), and every address inside a non-public
 * block unless `allowance` lets it through. `address` in the answer is the normalized form to connect to.
 */
export function classifyAddress(address: string, allowance: AddressAllowance = {}): AddressClass {
  const input = address.trim().replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(input)) {
    return { allowed: false, address, range: 'invalid', reason: `"${address}" is not an IP address.` };
  }
  let parsed: Parsed = ipaddr.parse(input);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).zoneId !== undefined) {
    return { allowed: false, address, range: 'zone index', reason: `${address} names a local network interface (IPv6 zone index, RFC 6874).` };
  }
  let block = blockOf(parsed);
  if (block?.embeddedIpv4) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
    block = blockOf(parsed);
  }
  const normalized = parsed.toString();
  if (!block) return { allowed: true, address: normalized, range: 'public' };
  // The form written (`::ffff:10.0.0.1`, `0x7f.1`) next to the address judged, so the evidence explains itself.
  const shown = input.toLowerCase() === normalized ? normalized : `${normalized} (written ${input})`;
  const match: BlockMatch = { block: block.block, name: block.name, rfc: block.rfc };
  if (allowance.allowPrivate || (allowance.allowCidrs && inAllowedCidr(parsed, allowance.allowCidrs))) {
    return { allowed: true, address: normalized, range: 'allowed for tests', block: match };
  }
  return {
    allowed: false,
    address: normalized,
    range: block.name,
    block: match,
    reason: `${shown} is in ${block.block} (${block.name}, ${block.rfc}), not a public unicast address; the service does not contact it.`,
  };
}

export function isAddressAllowed(address: string, allowance: AddressAllowance = {}): boolean {
  return classifyAddress(address, allowance).allowed;
}

/** True for a string ipaddr.js reads as an IP address (`10.0.0.1`, `::1`, also `127.1` or `0x7f.1`): a literal, not a host name. */
export function isAddressLiteral(value: string): boolean {
  return ipaddr.isValid(value.trim().replace(/^\[(.*)\]$/, '$1'));
}

/**
 * The test-only allowance from DCV_ALLOW_PRIVATE_ADDRESSES: `true` lets every address through, a
 * comma-separated CIDR list just those, `false` or nothing none. Throws on anything else.
 */
export function parseAddressAllowance(text: string | undefined): AddressAllowance {
  const value = (text ?? '').trim();
  if (value === '' || value === 'false') return {};
  if (value === 'true') return { allowPrivate: true };
  const cidrs = value
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const cidr of cidrs) {
    if (!ipaddr.isValidCIDR(cidr)) throw new Error(`"${cidr}" is not true, false or a CIDR such as 127.0.0.1/32`);
  }
  return { allowCidrs: cidrs };
}
