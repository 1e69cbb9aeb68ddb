/**
 * The address blocks the service never contacts on a customer's word, as data: every entry of the IANA
 * IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890; snapshot of the registries as updated
 * 2025-04, with RFC 9780's dummy prefix and RFC 9665's SRP anycast), plus the multicast blocks and the
 * IPv6 space outside Global Unicast, which those two registries do not list.
 *
 * Presence in an entry is what counts, not its "Globally Reachable" column: the Baseline Requirements
 * (§1.6.1, "Reserved IP Address") call every address inside any entry reserved, and Boulder refuses
 * them all (`iana/ip.go`). That also settles the entries whose reachability is conditional: 6to4
 * (2002::/16, "N/A", RFC 3056) and Teredo (2001::/32, "N/A", RFC 4380) reach whatever IPv4 address they
 * embed, through a relay the service does not control; the NAT64 prefixes (RFC 6052, RFC 8215) reach
 * any IPv4 address behind a translator, private ones included (RFC 6052 §3.1 forbids that, nothing
 * enforces it). Only IPv4-mapped addresses (::ffff:0:0/96) are judged by the IPv4 address they carry:
 * a socket given one talks IPv4 to exactly that address (RFC 4291 §2.5.5.2).
 */

export type AddressRegistry = 'IANA IPv4 Special-Purpose' | 'IANA IPv6 Special-Purpose' | 'IANA IPv4 Multicast' | 'IANA IPv6 Address Space';

export interface SpecialPurposeBlock {
  /** CIDR, as the registry writes it. */
  block: string;
  /** The registry's name of the entry. */
  name: string;
  /** The RFC(s) the registry cites for the entry. */
  rfc: string;
  registry: AddressRegistry;
  /** Judge the IPv4 address in the last 32 bits instead (IPv4-mapped IPv6 addresses only). */
  embeddedIpv4?: true;
}

const v4 = (block: string, name: string, rfc: string): SpecialPurposeBlock => ({ block, name, rfc, registry: 'IANA IPv4 Special-Purpose' });
const v6 = (block: string, name: string, rfc: string): SpecialPurposeBlock => ({ block, name, rfc, registry: 'IANA IPv6 Special-Purpose' });

/** https://www.iana.org/assignments/iana-ipv4-special-registry/ */
export const IPV4_SPECIAL_PURPOSE: readonly SpecialPurposeBlock[] = [
  v4('0.0.0.0/8', '"This network"', 'RFC 791 §3.2'),
  v4('0.0.0.0/32', '"This host on this network"', 'RFC 1122 §3.2.1.3'),
  v4('10.0.0.0/8', 'Private-Use', 'RFC 1918'),
  v4('100.64.0.0/10', 'Shared Address Space', 'RFC 6598'),
  v4('127.0.0.0/8', 'Loopback', 'RFC 1122 §3.2.1.3'),
  v4('169.254.0.0/16', 'Link Local', 'RFC 3927'),
  v4('172.16.0.0/12', 'Private-Use', 'RFC 1918'),
  v4('192.0.0.0/24', 'IETF Protocol Assignments', 'RFC 6890 §2.1'),
  v4('192.0.0.0/29', 'IPv4 Service Continuity Prefix', 'RFC 7335'),
  v4('192.0.0.8/32', 'IPv4 dummy address', 'RFC 7600'),
  v4('192.0.0.9/32', 'Port Control Protocol Anycast', 'RFC 7723'),
  v4('192.0.0.10/32', 'Traversal Using Relays around NAT Anycast', 'RFC 8155'),
  v4('192.0.0.170/32', 'NAT64/DNS64 Discovery', 'RFC 8880, RFC 7050 §2.2'),
  v4('192.0.0.171/32', 'NAT64/DNS64 Discovery', 'RFC 8880, RFC 7050 §2.2'),
  v4('192.0.2.0/24', 'Documentation (TEST-NET-1)', 'RFC 5737'),
  v4('192.31.196.0/24', 'AS112-v4', 'RFC 7535'),
  v4('192.52.193.0/24', 'AMT', 'RFC 7450'),
  v4('192.88.99.0/24', 'Deprecated (6to4 Relay Anycast)', 'RFC 7526'),
  v4('192.168.0.0/16', 'Private-Use', 'RFC 1918'),
  v4('192.175.48.0/24', 'Direct Delegation AS112 Service', 'RFC 7534'),
  v4('198.18.0.0/15', 'Benchmarking', 'RFC 2544'),
  v4('198.51.100.0/24', 'Documentation (TEST-NET-2)', 'RFC 5737'),
  v4('203.0.113.0/24', 'Documentation (TEST-NET-3)', 'RFC 5737'),
  v4('240.0.0.0/4', 'Reserved', 'RFC 1112 §4'),
  v4('255.255.255.255/32', 'Limited Broadcast', 'RFC 8190, RFC 919 §7'),
];

/** https://www.iana.org/assignments/iana-ipv6-special-registry/ */
export const IPV6_SPECIAL_PURPOSE: readonly SpecialPurposeBlock[] = [
  v6('::1/128', 'Loopback Address', 'RFC 4291'),
  v6('::/128', 'Unspecified Address', 'RFC 4291'),
  { ...v6('::ffff:0:0/96', 'IPv4-mapped Address', 'RFC 4291'), embeddedIpv4: true },
  v6('64:ff9b::/96', 'IPv4-IPv6 Translation', 'RFC 6052'),
  v6('64:ff9b:1::/48', 'IPv4-IPv6 Translation', 'RFC 8215'),
  v6('100::/64', 'Discard-Only Address Block', 'RFC 6666'),
  v6('100:0:0:1::/64', 'Dummy IPv6 Prefix', 'RFC 9780'),
  v6('2001::/23', 'IETF Protocol Assignments', 'RFC 2928'),
  v6('2001::/32', 'TEREDO', 'RFC 4380, RFC 8190'),
  v6('2001:1::1/128', 'Port Control Protocol Anycast', 'RFC 7723'),
  v6('2001:1::2/128', 'Traversal Using Relays around NAT Anycast', 'RFC 8155'),
  v6('2001:1::3/128', 'DNS-SD Service Registration Protocol Anycast', 'RFC 9665'),
  v6('2001:2::/48', 'Benchmarking', 'RFC 5180, RFC Errata 1752'),
  v6('2001:3::/32', 'AMT', 'RFC 7450'),
  v6('2001:4:112::/48', 'AS112-v6', 'RFC 7535'),
  v6('2001:10::/28', 'Deprecated (previously ORCHID)', 'RFC 4843'),
  v6('2001:20::/28', 'ORCHIDv2', 'RFC 7343'),
  v6('2001:30::/28', 'Drone Remote ID Protocol Entity Tags (DETs) Prefix', 'RFC 9374'),
  v6('2001:db8::/32', 'Documentation', 'RFC 3849'),
  v6('2002::/16', '6to4', 'RFC 3056'),
  v6('2620:4f:8000::/48', 'Direct Delegation AS112 Service', 'RFC 7534'),
  v6('3fff::/20', 'Documentation', 'RFC 9637'),
  v6('5f00::/16', 'Segment Routing (SRv6) SIDs', 'RFC 9602'),
  v6('fc00::/7', 'Unique-Local', 'RFC 4193, RFC 8190'),
  v6('fe80::/10', 'Link-Local Unicast', 'RFC 4291'),
];

/**
 * Not in the special-purpose registries, not public unicast either: multicast (its own registries) and,
 * for IPv6, everything outside 2000::/3, the only block the IPv6 Address Space registry allocates as
 * Global Unicast (RFC 4291 §2.4): the IPv4-compatible ::/96 (deprecated, RFC 4291 §2.5.5.1), the
 * IPv4-translated ::ffff:0:0:0/96 (RFC 6145), site-local fec0::/10 (deprecated, RFC 3879), and the
 * blocks "Reserved by IETF".
 */
export const BEYOND_SPECIAL_PURPOSE: readonly SpecialPurposeBlock[] = [
  { block: '224.0.0.0/4', name: 'Multicast', rfc: 'RFC 5771', registry: 'IANA IPv4 Multicast' },
  { block: 'ff00::/8', name: 'Multicast', rfc: 'RFC 4291 §2.7', registry: 'IANA IPv6 Address Space' },
  { block: 'fec0::/10', name: 'Site-Local Unicast (deprecated)', rfc: 'RFC 3879', registry: 'IANA IPv6 Address Space' },
  { block: '::/3', name: 'Not Global Unicast (outside 2000::/3)', rfc: 'RFC 4291 §2.4', registry: 'IANA IPv6 Address Space' },
  { block: '4000::/2', name: 'Not Global Unicast (outside 2000::/3)', rfc: 'RFC 4291 §2.4', registry: 'IANA IPv6 Address Space' },
  { block: '8000::/1', name: 'Not Global Unicast (outside 2000::/3)', rfc: 'RFC 4291 §2.4', registry: 'IANA IPv6 Address Space' },
];

/** Every block, IPv4 and IPv6. */
export const NON_PUBLIC_BLOCKS: readonly SpecialPurposeBlock[] = [...IPV4_SPECIAL_PURPOSE, ...IPV6_SPECIAL_PURPOSE, ...BEYOND_SPECIAL_PURPOSE];
