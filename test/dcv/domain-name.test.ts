import { punycode } from 'idn-hostname';
import { domainNameOfLength } from '../support/names';
import { DOMAIN_NAME_RULES, normalizeDomainName, type DomainNameRule } from '../../src/dcv/domain-name';

const ok = (input: string, options?: Parameters<typeof normalizeDomainName>[1]) => {
  const r = normalizeDomainName(input, options);
  if (!r.ok) throw new Error(`expected ${input} to be accepted: ${r.reason}`);
  return r;
};
const refusal = (input: string, options?: Parameters<typeof normalizeDomainName>[1]) => {
  const r = normalizeDomainName(input, options);
  if (r.ok) throw new Error(`expected ${input} to be rejected, got ${r.name}`);
  return r;
};
const rule = (input: string, options?: Parameters<typeof normalizeDomainName>[1]) => refusal(input, options).rule;
const DNS = { validationLabel: '_dnsauth' };
const nameOfLength = (length: number) => domainNameOfLength(length, '.com');

describe('normalizeDomainName', () => {
  test('trims, lowercases and strips one trailing dot', () => {
    expect(ok('  WWW.Example.COM. ')).toEqual({ ok: true, name: 'www.example.com', isWildcard: false, baseName: 'www.example.com' });
  });

  test('converts IDNs to A-labels', () => {
    expect(ok('Bücher.de').name).toBe('xn--bcher-kva.de');
    expect(ok('例子.中国').name).toBe('xn--fsqu00a.xn--fiqs8s');
    expect(ok('xn--bcher-kva.de').name).toBe('xn--bcher-kva.de');
    expect(ok('XN--BCHER-KVA.DE').name).toBe('xn--bcher-kva.de');
    // Nontransitional: deviation characters stay (ß is not mapped to "ss").
    expect(ok('faß.de').name).toBe('xn--fa-hia.de');
  });

  describe('UTS #46 processing applies in every position', () => {
    test.each([
      ['example。com', 'example.com'],
      ['example．com', 'example.com'],
      ['example｡com', 'example.com'],
      ['www。example。com。', 'www.example.com'],
      ['例子。中国', 'xn--fsqu00a.xn--fiqs8s'],
      ['ＥＸＡＭＰＬＥ．ＣＯＭ', 'example.com'],
      ['ｗｗｗ.example.com', 'www.example.com'],
      ['ex\u00adample.com', 'example.com'], // soft hyphen: ignored
      ['ⓦⓦⓦ.example.com', 'www.example.com'],
      ['Ⅷ.example.com', 'viii.example.com'],
      ['*。example。com', '*.example.com'],
      ['＊．example.com', '*.example.com'],
      ['ＸＮ－－ＢＣＨＥＲ－ＫＶＡ.de', 'xn--bcher-kva.de'],
    ])('%s → %s', (input, name) => {
      expect(ok(input).name).toBe(name);
    });

    test('a mapped separator cannot hide an empty label', () => {
      expect(rule('example。。com')).toBe('empty-label');
      expect(rule('。example.com')).toBe('empty-label');
      expect(rule('example.com。。')).toBe('empty-label');
      expect(rule('\u00ad.example.com')).toBe('empty-label');
    });
  });

  test('accepts a wildcard only as the whole leftmost label', () => {
    expect(ok('*.Example.com')).toEqual({ ok: true, name: '*.example.com', isWildcard: true, baseName: 'example.com' });
    expect(ok('*.bücher.de').name).toBe('*.xn--bcher-kva.de');
    for (const input of ['w*.example.com', 'www.*.example.com', '*.*.example.com', '*', 'example.*']) expect(rule(input)).toBe('wildcard-position');
  });

  test('rejects IP addresses, including forms the URL parser turns into IPv4', () => {
    for (const ip of ['192.0.2.1', '::1', '[2001:db8::1]', '2001:db8::1', '0x7f.1', '127.1', '１９２．０．２．１', '192。0。2。1', '0300.0250.0.1']) {
      expect([ip, rule(ip)]).toEqual([ip, 'ip-address']);
    }
  });

  describe('reserved LDH labels: "--" in positions 3 and 4 that are not A-labels (RFC 5890 §2.3.1, BR §7.1.2.7.12)', () => {
    test.each([
      'bq--abwhky3f6fxq.example.com',
      'ab--cd.example.com',
      'www.ab--cd.example.com',
      'a1--x.example.com',
      'zz--.example.com',
      'ab--cd.com',
      'example.ab--cd',
    ])('%s', (input) => {
      const r = refusal(input);
      expect(r.rule).toBe('reserved-ldh-label');
      expect(r.reason).toContain('RFC 5890 §2.3.1; BR §7.1.2.7.12');
    });

    test('hyphens elsewhere are fine', () => {
      expect(ok('a-b-c.example.com').name).toBe('a-b-c.example.com');
      expect(ok('ab-c--d.example.com').name).toBe('ab-c--d.example.com');
      expect(ok('a--b.example.com').name).toBe('a--b.example.com');
    });
  });

  describe('xn-- labels must be valid A-labels that round-trip (RFC 5890 §2.3.2.1, RFC 5891 §5.4)', () => {
    test.each([
      ['invalid Punycode', 'xn--zz.com'],
      ['nothing after the prefix', 'xn--.example.com'],
      ['decodes to ASCII only', 'xn--abc-.com'],
      ['decodes to ASCII only (trailing delimiter)', 'xn--mnchen-3ya-.de'],
      ['decodes to a disallowed symbol (IDNA2008)', 'xn--n3h.com'],
      ['decodes to an emoji (IDNA2008)', 'xn--ls8h.la'],
      ['decodes to a character UTS #46 maps (uppercase Ü)', `xn--${punycode.encode('bÜcher')}.de`],
      ['decodes to a string that is not NFC', `xn--${punycode.encode('bu\u0308cher')}.de`],
      ['decodes to a label with -- in positions 3 and 4', `xn--${punycode.encode('ab--ü')}.com`],
      ['decodes to a label with a leading combining mark', `xn--${punycode.encode('\u0301ab')}.com`],
      ['non-ASCII after the prefix', 'xn--bücher.de'],
    ])('%s: %s', (_what, input) => {
      const r = refusal(input);
      expect(r.rule).toBe('a-label');
      expect(r.reason).toContain('RFC 5890 §2.3.2.1; RFC 5891 §5.4');
    });
  });

  describe('U-labels follow IDNA2008 (RFC 5891, 5892, 5893)', () => {
    test.each([
      ['☃.com', 'idna-code-point'],
      ['i❤.ws', 'idna-code-point'],
      ['a\u200db.com', 'idna-context'],
      ['a·b.cat', 'idna-context'],
      ['ab--ü.com', 'u-label'],
      ['\u0301ab.com', 'u-label'],
      ['-ü.com', 'u-label'],
      ['עברית.1a.com', 'bidi'],
    ] as Array<[string, DomainNameRule]>)('%s breaks %s', (input, expected) => {
      expect(rule(input)).toBe(expected);
    });

    test('their contextual rules allow what they allow', () => {
      expect(ok('l·l.cat').name).toBe('xn--ll-0ea.cat');
      expect(ok('עברית.co.il').name).toBe('xn--5dbqzzl.co.il');
    });
  });

  test('enforces LDH syntax on ASCII labels', () => {
    expect(rule('')).toBe('empty');
    expect(rule('   ')).toBe('empty');
    expect(rule('a..example.com')).toBe('empty-label');
    for (const input of [
      '-a.example.com',
      'a-.example.com',
      'a_b.example.com',
      '_dmarc.example.com',
      'a b.example.com',
      'a%41.example.com',
      'a/b.example.com',
      'https://example.com',
    ]) {
      expect([input, rule(input)]).toEqual([input, 'ldh-syntax']);
    }
    expect(refusal('a_b.example.com').reason).toMatch(/"a_b" contains "_"/);
  });

  describe('lengths (RFC 1035 §2.3.4), counting the label the validation method adds', () => {
    test('63 octets per label, in A-label form', () => {
      expect(ok(`${'a'.repeat(63)}.com`).name).toHaveLength(67);
      expect(rule(`${'a'.repeat(64)}.com`)).toBe('label-length');
      expect(rule(`${'ü'.repeat(60)}.com`)).toBe('label-length'); // 60 characters, longer as an A-label
    });

    test('253 octets for the name itself', () => {
      expect(ok(nameOfLength(253)).name).toHaveLength(253);
      expect(rule(nameOfLength(254))).toBe('name-length');
      expect(rule(nameOfLength(255))).toBe('name-length');
    });

    test('a 250-character name whose validation name _dnsauth.<name> would be 259 characters is refused for DNS methods only', () => {
      const name = nameOfLength(250);
      const r = refusal(name, DNS);
      expect(r.rule).toBe('name-length');
      expect(r.reason).toMatch(/"_dnsauth\.<name>" would be 259 characters long; at most 253/);
      expect(ok(name).name).toBe(name); // the file method checks the name alone
    });

    test('the boundary: _dnsauth. adds 9 characters', () => {
      expect(ok(nameOfLength(244), DNS).name).toHaveLength(244);
      expect(rule(nameOfLength(245), DNS)).toBe('name-length');
      expect(ok(`*.${nameOfLength(244)}`, DNS).baseName).toHaveLength(244); // a wildcard is validated at its base name
    });

    test('an IDN counts in A-label form', () => {
      const idn = `${'ü'.repeat(20)}.${nameOfLength(220)}`; // 241 characters; 247 with the label in A-label form (26): 256 with _dnsauth.
      expect(rule(idn, DNS)).toBe('name-length');
      expect(ok(idn).name).toHaveLength(247);
    });
  });

  test('rejects ICANN public suffixes and wildcards right under them', () => {
    expect(rule('com')).toBe('too-few-labels');
    expect(rule('co.uk')).toBe('public-suffix');
    expect(rule('com.cn')).toBe('public-suffix');
    expect(rule('公司.cn')).toBe('public-suffix');
    expect(rule('*.co.uk')).toBe('public-suffix');
    expect(rule('*.com')).toBe('public-suffix');
    expect(refusal('*.com').reason).toMatch(/wildcard directly under the public suffix "com"/);
    expect(ok('example.co.uk').name).toBe('example.co.uk');
  });

  test('allows names under private suffixes (github.io): only the ICANN section counts', () => {
    expect(ok('github.io').name).toBe('github.io');
    expect(ok('someone.github.io').name).toBe('someone.github.io');
  });

  test('rejects Internal Names, numeric top-level domains and reverse zones', () => {
    expect(rule('server.local')).toBe('internal-name');
    expect(rule('intranet.internal')).toBe('internal-name');
    expect(rule('example.123')).toBe('numeric-tld');
    expect(rule('4.3.2.1.in-addr.arpa')).toBe('reverse-zone');
    expect(normalizeDomainName('example.test', { allowInternalNames: true })).toMatchObject({ ok: true, name: 'example.test' });
    expect(rule('test', { allowInternalNames: true })).toBe('too-few-labels');
  });

  test('rejects names under special-use domains the public DNS never answers (.onion), even for lab setups; the example names stay', () => {
    for (const name of ['duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion', 'www.example.onion', '*.example.onion']) {
      expect(rule(name)).toBe('special-use');
      expect(rule(name, { allowInternalNames: true })).toBe('special-use');
    }
    expect(refusal('example.onion').reason).toMatch(/special-use domain name.*\(RFC 6761 §5;.*RFC 7686 §2/);
    for (const name of ['example.com', 'www.example.net', 'example.org']) expect(ok(name).name).toBe(name);
  });

  test('every refusal ends with the source of its rule', () => {
    for (const input of [
      '',
      '192.0.2.1',
      'w*.example.com',
      'a..b.com',
      'ab--cd.com',
      'xn--zz.com',
      '☃.com',
      'a_b.com',
      'co.uk',
      'x.local',
      'example.123',
      'x.onion',
    ]) {
      const r = refusal(input);
      expect(r.reason.endsWith(`(${DOMAIN_NAME_RULES[r.rule]})`)).toBe(true);
    }
  });
});
