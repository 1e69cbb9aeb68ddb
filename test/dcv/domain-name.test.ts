import { normalizeDomainName } from '../../src/dcv/domain-name';

const ok = (input: string) => {
  const r = normalizeDomainName(input);
  if (!r.ok) throw new Error(`expected ${input} to be accepted: ${r.reason}`);
  return r;
};
const reason = (input: string, options?: Parameters<typeof normalizeDomainName>[1]) => {
  const r = normalizeDomainName(input, options);
  if (r.ok) throw new Error(`expected ${input} to be rejected, got ${r.name}`);
  return r.reason;
};

describe('normalizeDomainName', () => {
  it('trims, lowercases and strips one trailing dot', () => {
    expect(ok('  WWW.Example.COM. ')).toEqual({ ok: true, name: 'www.example.com', isWildcard: false, baseName: 'www.example.com' });
  });

  it('converts IDNs to A-labels', () => {
    expect(ok('Bücher.de').name).toBe('xn--bcher-kva.de');
    expect(ok('例子.中国').name).toBe('xn--fsqu00a.xn--fiqs8s');
    expect(ok('xn--bcher-kva.de').name).toBe('xn--bcher-kva.de');
  });

  it('accepts a wildcard only as the whole leftmost label', () => {
    expect(ok('*.Example.com')).toEqual({ ok: true, name: '*.example.com', isWildcard: true, baseName: 'example.com' });
    expect(ok('*.bücher.de').name).toBe('*.xn--bcher-kva.de');
    expect(reason('w*.example.com')).toMatch(/leftmost label/);
    expect(reason('www.*.example.com')).toMatch(/leftmost label/);
    expect(reason('*.*.example.com')).toMatch(/leftmost label/);
  });

  it('rejects IP addresses, including forms the URL parser turns into IPv4', () => {
    for (const ip of ['192.0.2.1', '::1', '[2001:db8::1]', '2001:db8::1', '0x7f.1', '127.1']) {
      expect(reason(ip)).toMatch(/IP addresses/);
    }
  });

  it('rejects ICANN public suffixes and wildcards right under them', () => {
    expect(reason('com')).toMatch(/two labels/);
    expect(reason('co.uk')).toMatch(/public suffix/);
    expect(reason('*.co.uk')).toMatch(/wildcard directly under/);
    expect(reason('*.com')).toMatch(/wildcard directly under/);
    expect(ok('example.co.uk').name).toBe('example.co.uk');
  });

  it('allows names under private suffixes (github.io): only the ICANN section counts', () => {
    expect(ok('github.io').name).toBe('github.io');
    expect(ok('someone.github.io').name).toBe('someone.github.io');
  });

  it('rejects Internal Names and reverse zones unless told otherwise for the first', () => {
    expect(reason('server.local')).toMatch(/not a registered top-level domain/);
    expect(reason('intranet.internal')).toMatch(/Internal Names/);
    expect(reason('4.3.2.1.in-addr.arpa')).toMatch(/\.arpa/);
    expect(normalizeDomainName('example.test', { allowInternalNames: true })).toMatchObject({ ok: true, name: 'example.test' });
    expect(reason('test', { allowInternalNames: true })).toMatch(/two labels/);
  });

  it('enforces label syntax and lengths', () => {
    expect(reason('')).toMatch(/empty/);
    expect(reason('  .  ')).toBeDefined();
    expect(reason('a..example.com')).toMatch(/empty label/);
    expect(reason('-a.example.com')).toMatch(/inner hyphens/);
    expect(reason('a-.example.com')).toMatch(/inner hyphens/);
    expect(reason('a_b.example.com')).toMatch(/letters, digits/);
    expect(reason(`${'a'.repeat(64)}.com`)).toMatch(/longer than 63/);
    expect(ok(`${'a'.repeat(63)}.com`).name).toHaveLength(67);
    const long = `${Array.from({ length: 4 }, () => 'a'.repeat(62)).join('.')}.com`; // 4*63 + 3 = 255
    expect(reason(long)).toMatch(/253/);
    expect(reason('example.123')).toMatch(/all digits|IP/);
    expect(reason('xn--zz.com')).toMatch(/internationalized/);
  });
});
