/**
 * SSRF guard (RFC 8555 §10.4, Boulder `iana/ip.go`): validation traffic may only go to public
 * unicast addresses. Anything ipaddr.js does not classify as plain `unicast` is refused:
 * private, loopback, link-local, CGNAT, multicast, documentation, benchmarking, reserved,
 * unique-local, 6to4/Teredo/NAT64 and friends. IPv4-mapped IPv6 is judged by its IPv4 part.
 */
import ipaddr from 'ipaddr.js';

export type AddressClass = { allowed: true; address: string; range: 'unicast' | string } | { allowed: false; address: string; range: string; reason: string };

export interface SsrfGuardOptions {
  /** Tests only: also allow non-public addresses (loopback servers). Invalid input is still refused. */
  allowPrivate?: boolean;
  /** Tests only: non-public ranges to let through (CIDR, e.g. `127.0.0.0/8`), everything else stays blocked. */
  allowCidrs?: readonly string[];
}

function inAllowedCidr(address: ipaddr.IPv4 | ipaddr.IPv6, cidrs: readonly string[]): boolean {
  return cidrs.some((cidr) => {
    const [range, bits] = ipaddr.parseCIDR(cidr);
    return range.kind() === address.kind() && address.match(range, bits);
  });
}

export function classifyAddress(address: string, options: SsrfGuardOptions = {}): AddressClass {
  const input = address.replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(input)) {
    return { allowed: false, address, range: 'invalid', reason: `"${address}" is not an IP address.` };
  }
  let parsed = ipaddr.parse(input);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  const normalized = parsed.toString();
  if (range === 'unicast') return { allowed: true, address: normalized, range };
  if (options.allowPrivate || (options.allowCidrs && inAllowedCidr(parsed, options.allowCidrs))) {
    return { allowed: true, address: normalized, range };
  }
  return {
    allowed: false,
    address: normalized,
    range,
    reason: `${normalized} is a non-public address (${range}); validation requests go only to public addresses.`,
  };
}

export function isAddressAllowed(address: string, options: SsrfGuardOptions = {}): boolean {
  return classifyAddress(address, options).allowed;
}
