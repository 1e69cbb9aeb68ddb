import { classifyAddress, isAddressAllowed } from '../../src/dcv/ssrf-guard';

describe('SSRF guard', () => {
  it.each(['8.8.8.8', '1.1.1.1', '93.184.215.14', '2606:4700:4700::1111', '2a00:1450:4001:82b::200e', '::ffff:8.8.8.8'])(
    'allows public address %s',
    (address) => {
      expect(classifyAddress(address)).toMatchObject({ allowed: true, range: 'unicast' });
    },
  );

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.1.2', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['192.0.2.10', 'reserved'], // TEST-NET-1 (documentation)
    ['198.51.100.7', 'reserved'], // TEST-NET-2
    ['203.0.113.9', 'reserved'], // TEST-NET-3
    ['198.18.0.1', 'reserved'], // benchmarking
    ['240.0.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'], // documentation
    ['64:ff9b::a00:1', 'rfc6052'], // NAT64
    ['2002:a00:1::', '6to4'],
    ['::ffff:127.0.0.1', 'loopback'], // IPv4-mapped loopback
    ['::ffff:10.0.0.1', 'private'],
    ['[::1]', 'loopback'],
  ])('blocks %s (%s)', (address, range) => {
    const verdict = classifyAddress(address);
    expect(verdict).toMatchObject({ allowed: false, range });
    expect(verdict.allowed === false && verdict.reason).toMatch(/non-public/);
  });

  it('refuses things that are not IP addresses, even with allowPrivate', () => {
    expect(classifyAddress('example.com', { allowPrivate: true })).toMatchObject({ allowed: false, range: 'invalid' });
    expect(classifyAddress('999.1.1.1')).toMatchObject({ allowed: false, range: 'invalid' });
  });

  it('lets everything valid through with allowPrivate (tests only)', () => {
    expect(isAddressAllowed('127.0.0.1', { allowPrivate: true })).toBe(true);
    expect(isAddressAllowed('::ffff:127.0.0.1', { allowPrivate: true })).toBe(true);
    expect(isAddressAllowed('127.0.0.1')).toBe(false);
  });

  it('lets only the listed ranges through with allowCidrs', () => {
    const options = { allowCidrs: ['127.0.0.0/8'] };
    expect(isAddressAllowed('127.0.0.1', options)).toBe(true);
    expect(isAddressAllowed('::ffff:127.0.0.1', options)).toBe(true);
    expect(isAddressAllowed('10.0.0.1', options)).toBe(false);
    expect(isAddressAllowed('::1', options)).toBe(false);
    expect(isAddressAllowed('8.8.8.8', options)).toBe(true);
  });
});
