/**
 * The address guard's table against the IANA special-purpose registries, and ipaddr.js's range names
 * against the table: ipaddr.js parses and matches, but its names are not the rule (some registry
 * entries are plain "unicast" to it), so every sample states both, and the gaps are listed.
 */
import ipaddr from 'ipaddr.js';
import { classifyAddress, isAddressAllowed, isAddressLiteral, parseAddressAllowance } from '../../src/dcv/ssrf-guard';
import { BEYOND_SPECIAL_PURPOSE, IPV4_SPECIAL_PURPOSE, IPV6_SPECIAL_PURPOSE, NON_PUBLIC_BLOCKS } from '../../src/dcv/special-purpose-addresses';

/** [address, the most specific block of our table it is in, the name ipaddr.js 2.5.0 gives it]. */
const SAMPLES: [string, string, string][] = [
  // IPv4 Special-Purpose Address Registry
  ['0.0.0.1', '0.0.0.0/8', 'unspecified'],
  ['0.255.255.255', '0.0.0.0/8', 'unspecified'],
  ['0.0.0.0', '0.0.0.0/32', 'unspecified'],
  ['10.0.0.0', '10.0.0.0/8', 'private'],
  ['10.255.255.255', '10.0.0.0/8', 'private'],
  ['100.64.0.0', '100.64.0.0/10', 'carrierGradeNat'],
  ['100.127.255.255', '100.64.0.0/10', 'carrierGradeNat'],
  ['127.0.0.1', '127.0.0.0/8', 'loopback'],
  ['127.0.0.77', '127.0.0.0/8', 'loopback'],
  ['127.255.255.255', '127.0.0.0/8', 'loopback'],
  ['169.254.0.0', '169.254.0.0/16', 'linkLocal'],
  ['169.254.169.254', '169.254.0.0/16', 'linkLocal'],
  ['169.254.255.255', '169.254.0.0/16', 'linkLocal'],
  ['172.16.0.0', '172.16.0.0/12', 'private'],
  ['172.31.255.255', '172.16.0.0/12', 'private'],
  ['192.0.0.0', '192.0.0.0/29', 'reserved'],
  ['192.0.0.7', '192.0.0.0/29', 'reserved'],
  ['192.0.0.8', '192.0.0.8/32', 'reserved'],
  ['192.0.0.9', '192.0.0.9/32', 'reserved'],
  ['192.0.0.10', '192.0.0.10/32', 'reserved'],
  ['192.0.0.11', '192.0.0.0/24', 'reserved'],
  ['192.0.0.170', '192.0.0.170/32', 'reserved'],
  ['192.0.0.171', '192.0.0.171/32', 'reserved'],
  ['192.0.0.255', '192.0.0.0/24', 'reserved'],
  ['192.0.2.0', '192.0.2.0/24', 'reserved'],
  ['192.0.2.255', '192.0.2.0/24', 'reserved'],
  ['192.31.196.1', '192.31.196.0/24', 'as112'],
  ['192.52.193.1', '192.52.193.0/24', 'amt'],
  ['192.88.99.1', '192.88.99.0/24', 'reserved'],
  ['192.168.0.0', '192.168.0.0/16', 'private'],
  ['192.168.255.255', '192.168.0.0/16', 'private'],
  ['192.175.48.1', '192.175.48.0/24', 'as112'],
  ['198.18.0.0', '198.18.0.0/15', 'reserved'],
  ['198.19.255.255', '198.18.0.0/15', 'reserved'],
  ['198.51.100.7', '198.51.100.0/24', 'reserved'],
  ['203.0.113.9', '203.0.113.0/24', 'reserved'],
  ['240.0.0.0', '240.0.0.0/4', 'reserved'],
  ['255.255.255.254', '240.0.0.0/4', 'reserved'],
  ['255.255.255.255', '255.255.255.255/32', 'broadcast'],
  // IPv4 multicast (not in the special-purpose registry)
  ['224.0.0.1', '224.0.0.0/4', 'multicast'],
  ['239.255.255.255', '224.0.0.0/4', 'multicast'],
  // IPv6 Special-Purpose Address Registry
  ['::1', '::1/128', 'loopback'],
  ['::', '::/128', 'unspecified'],
  ['64:ff9b::808:808', '64:ff9b::/96', 'rfc6052'], // NAT64 of 8.8.8.8: refused all the same
  ['64:ff9b::a00:1', '64:ff9b::/96', 'rfc6052'], // NAT64 of 10.0.0.1
  ['64:ff9b:1::1', '64:ff9b:1::/48', 'rfc6052'],
  ['64:ff9b:1:ffff:ffff:ffff:ffff:ffff', '64:ff9b:1::/48', 'rfc6052'],
  ['100::1', '100::/64', 'discard'],
  ['100:0:0:1::1', '100:0:0:1::/64', 'unicast'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001::/32', 'teredo'],
  ['2001:1::1', '2001:1::1/128', 'reserved'],
  ['2001:1::2', '2001:1::2/128', 'reserved'],
  ['2001:1::3', '2001:1::3/128', 'reserved'],
  ['2001:1::4', '2001::/23', 'reserved'],
  ['2001:2::1', '2001:2::/48', 'benchmarking'],
  ['2001:3::1', '2001:3::/32', 'amt'],
  ['2001:4:112::1', '2001:4:112::/48', 'as112v6'],
  ['2001:10::1', '2001:10::/28', 'deprecatedOrchid'],
  ['2001:20::1', '2001:20::/28', 'orchid2'],
  ['2001:30::1', '2001:30::/28', 'droneRemoteIdProtocolEntityTags'],
  ['2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff', '2001::/23', 'reserved'],
  ['2001:db8::1', '2001:db8::/32', 'reserved'],
  ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db8::/32', 'reserved'],
  ['2002:808:808::1', '2002::/16', '6to4'], // 6to4 of 8.8.8.8: refused, a relay carries it (see the table)
  ['2002:a00:1::1', '2002::/16', '6to4'], // 6to4 of 10.0.0.1
  ['2620:4f:8000::1', '2620:4f:8000::/48', 'as112v6'],
  ['3fff::1', '3fff::/20', 'reserved'],
  ['3fff:fff:ffff::1', '3fff::/20', 'reserved'],
  ['5f00::1', '5f00::/16', 'segmentRouting'],
  ['fc00::1', 'fc00::/7', 'uniqueLocal'],
  ['fd12:3456::1', 'fc00::/7', 'uniqueLocal'],
  ['fe80::1', 'fe80::/10', 'linkLocal'],
  ['febf:ffff::1', 'fe80::/10', 'linkLocal'],
  // IPv6 outside Global Unicast
  ['ff02::1', 'ff00::/8', 'multicast'],
  ['ff0e::1', 'ff00::/8', 'multicast'],
  ['fec0::1', 'fec0::/10', 'deprecatedSiteLocal'],
  ['::808:808', '::/3', 'unicast'], // IPv4-compatible (deprecated)
  ['::ffff:0:808:808', '::/3', 'rfc6145'], // IPv4-translated
  ['1fff:ffff::1', '::/3', 'unicast'],
  ['4000::1', '4000::/2', 'unicast'],
  ['8000::1', '8000::/1', 'unicast'],
];

/** Where ipaddr.js alone would have let an address through: why the table is ours. */
const IPADDR_GAPS = ['100:0:0:1::1', '::808:808', '1fff:ffff::1', '4000::1', '8000::1'];

/** Neighbours just outside the blocks: public. */
const PUBLIC = [
  '1.1.1.1',
  '8.8.8.8',
  '9.255.255.255',
  '11.0.0.0',
  '100.63.255.255',
  '100.128.0.0',
  '126.255.255.255',
  '128.0.0.0',
  '169.253.255.255',
  '169.255.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '191.255.255.255',
  '192.0.1.0',
  '192.0.3.0',
  '192.31.195.255',
  '192.88.98.255',
  '192.88.100.0',
  '192.167.255.255',
  '192.169.0.0',
  '198.17.255.255',
  '198.20.0.0',
  '198.51.99.255',
  '198.51.101.0',
  '203.0.112.255',
  '203.0.114.0',
  '223.255.255.255',
  '2000::1',
  '2001:200::1',
  '2001:4860:4860::8888',
  '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff',
  '2001:db9::1',
  '2003::1',
  '2606:4700:4700::1111',
  '2620:4f:7fff:ffff::1',
  '2620:4f:8001::1',
  '3ffe:ffff::1',
  '3fff:1000::1',
];

describe('the table', () => {
  it('carries every entry with its RFC, in the registry it comes from', () => {
    for (const entry of NON_PUBLIC_BLOCKS) {
      expect(ipaddr.isValidCIDR(entry.block)).toBe(true);
      expect(entry.rfc).toMatch(/^RFC \d+/);
    }
    expect(IPV4_SPECIAL_PURPOSE.every((e) => ipaddr.parseCIDR(e.block)[0].kind() === 'ipv4')).toBe(true);
    expect(IPV6_SPECIAL_PURPOSE.every((e) => ipaddr.parseCIDR(e.block)[0].kind() === 'ipv6')).toBe(true);
    // The examples of issue 7 are all there.
    const blocks = NON_PUBLIC_BLOCKS.map((e) => e.block);
    for (const block of [
      '0.0.0.0/8',
      '100.64.0.0/10',
      '169.254.0.0/16',
      '192.0.0.0/24',
      '198.18.0.0/15',
      '240.0.0.0/4',
      '::ffff:0:0/96',
      '64:ff9b::/96',
      'fc00::/7',
      'fe80::/10',
    ]) {
      expect(blocks).toContain(block);
    }
    expect(BEYOND_SPECIAL_PURPOSE.map((e) => e.block)).toEqual(expect.arrayContaining(['224.0.0.0/4', 'ff00::/8']));
  });

  it('has a sample for every entry (IPv4-mapped is judged by its IPv4 part, below)', () => {
    const sampled = new Set(SAMPLES.map(([, block]) => block));
    expect(NON_PUBLIC_BLOCKS.filter((e) => !e.embeddedIpv4 && !sampled.has(e.block)).map((e) => e.block)).toEqual([]);
  });

  it.each(SAMPLES)('refuses %s, in %s (ipaddr.js: %s)', (address, block, ipaddrName) => {
    const verdict = classifyAddress(address);
    expect(verdict).toMatchObject({ allowed: false, block: { block } });
    expect(verdict.allowed === false && verdict.reason).toContain(`is in ${block} (`);
    expect(ipaddr.parse(address).range()).toBe(ipaddrName);
  });

  it('ipaddr.js calls these "unicast": its names alone would let them through', () => {
    expect(SAMPLES.filter(([, , name]) => name === 'unicast').map(([address]) => address)).toEqual(IPADDR_GAPS);
  });

  it('refuses every range ipaddr.js names, at both ends', () => {
    for (const kind of [ipaddr.IPv4, ipaddr.IPv6]) {
      const ranges = (
        kind.prototype as unknown as { SpecialRanges: Record<string, [ipaddr.IPv4 | ipaddr.IPv6, number] | [ipaddr.IPv4 | ipaddr.IPv6, number][]> }
      ).SpecialRanges;
      for (const [name, value] of Object.entries(ranges)) {
        const cidrs = (Array.isArray(value[0]) ? value : [value]) as [ipaddr.IPv4 | ipaddr.IPv6, number][];
        for (const [network, bits] of cidrs) {
          const cidr = `${network.toString()}/${bits}`;
          const ends = [kind.networkAddressFromCIDR(cidr).toString(), kind.broadcastAddressFromCIDR(cidr).toString()];
          for (const end of ends) expect([name, end, isAddressAllowed(end)]).toEqual([name, end, false]);
        }
      }
    }
  });

  it.each(PUBLIC)('allows the public address %s', (address) => {
    expect(classifyAddress(address)).toMatchObject({ allowed: true, range: 'public', address });
  });
});

describe('addresses that carry another address', () => {
  it('judges IPv4-mapped IPv6 (::ffff:0:0/96) by its IPv4 address, and connects to that', () => {
    expect(classifyAddress('::ffff:8.8.8.8')).toMatchObject({ allowed: true, address: '8.8.8.8' });
    expect(classifyAddress('::ffff:808:808')).toMatchObject({ allowed: true, address: '8.8.8.8' });
    for (const [mapped, block] of [
      ['::ffff:10.0.0.1', '10.0.0.0/8'],
      ['::ffff:127.0.0.1', '127.0.0.0/8'],
      ['::ffff:a9fe:a9fe', '169.254.0.0/16'],
      ['::ffff:0.0.0.0', '0.0.0.0/32'],
      ['::ffff:100.64.0.1', '100.64.0.0/10'],
    ]) {
      const verdict = classifyAddress(mapped);
      expect(verdict).toMatchObject({ allowed: false, block: { block } });
      expect(verdict.allowed === false && verdict.reason).toContain(`(written ${mapped})`);
    }
  });

  it('refuses NAT64, 6to4 and Teredo whatever IPv4 address they carry', () => {
    for (const address of ['64:ff9b::808:808', '64:ff9b::1.1.1.1', '2002:808:808::', '2002:101:101::1', '2001:0:808:808::1']) {
      expect(isAddressAllowed(address)).toBe(false);
    }
  });

  it('reads the other ways to write an IPv4 address as that address', () => {
    for (const written of ['127.1', '0x7f.1', '2130706433', '0177.0.0.1']) {
      expect(classifyAddress(written)).toMatchObject({ allowed: false, address: '127.0.0.1', block: { block: '127.0.0.0/8' } });
      expect(isAddressLiteral(written)).toBe(true);
    }
    expect(isAddressLiteral('ns1.example.com')).toBe(false);
  });

  it('refuses an IPv6 zone index, which names a local interface', () => {
    expect(classifyAddress('fe80::1%eth0')).toMatchObject({ allowed: false, range: 'zone index' });
    expect(classifyAddress('2001:4860::8888%eth0', { allowPrivate: true })).toMatchObject({ allowed: false, range: 'zone index' });
  });
});

describe('the test-only allowance', () => {
  it('refuses what is not an IP address, even with allowPrivate', () => {
    expect(classifyAddress('example.com', { allowPrivate: true })).toMatchObject({ allowed: false, range: 'invalid' });
    expect(classifyAddress('999.1.1.1')).toMatchObject({ allowed: false, range: 'invalid' });
  });

  it('lets every valid address through with allowPrivate, saying so', () => {
    expect(classifyAddress('127.0.0.1', { allowPrivate: true })).toMatchObject({ allowed: true, range: 'allowed for tests', block: { block: '127.0.0.0/8' } });
    expect(isAddressAllowed('::ffff:127.0.0.1', { allowPrivate: true })).toBe(true);
    expect(isAddressAllowed('127.0.0.1')).toBe(false);
  });

  it('lets only the listed ranges through with allowCidrs', () => {
    const allowance = { allowCidrs: ['127.0.0.1/32'] };
    expect(isAddressAllowed('127.0.0.1', allowance)).toBe(true);
    expect(isAddressAllowed('::ffff:127.0.0.1', allowance)).toBe(true);
    expect(isAddressAllowed('127.0.0.77', allowance)).toBe(false);
    expect(isAddressAllowed('10.0.0.1', allowance)).toBe(false);
    expect(isAddressAllowed('::1', allowance)).toBe(false);
    expect(isAddressAllowed('8.8.8.8', allowance)).toBe(true);
  });

  it('is read from DCV_ALLOW_PRIVATE_ADDRESSES: true, false or CIDRs', () => {
    expect(parseAddressAllowance(undefined)).toEqual({});
    expect(parseAddressAllowance('false')).toEqual({});
    expect(parseAddressAllowance('true')).toEqual({ allowPrivate: true });
    expect(parseAddressAllowance('127.0.0.1/32, ::1/128')).toEqual({ allowCidrs: ['127.0.0.1/32', '::1/128'] });
    expect(() => parseAddressAllowance('yes')).toThrow(/"yes" is not true, false or a CIDR/);
    expect(() => parseAddressAllowance('127.0.0.1')).toThrow(/not true, false or a CIDR/);
  });
});
