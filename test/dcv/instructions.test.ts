import { BR_METHOD_SECTION, buildInstructions, DCV_METHODS, delegationLabel, delegationTarget, type InstructionsInput } from '../../src/dcv/instructions';

const config = { delegationZone: 'dcv.ca.example.', publicUrl: 'https://dcv.ca.example/' };
const VALUE = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd';
const input = (method: InstructionsInput['method'], domain = 'www.example.com', domainId = 'dom_01'): InstructionsInput => ({
  method,
  domain,
  domainId,
  randomValue: VALUE,
  config,
});

function build(i: InstructionsInput) {
  const r = buildInstructions(i);
  if (!r.ok) throw new Error(r.reason);
  return r.instructions;
}

describe('buildInstructions', () => {
  it('dns_txt: TXT _dnsauth.<domain> = value, BR 3.2.2.4.7, manual', () => {
    expect(build(input('dns_txt'))).toMatchObject({
      method: 'dns_txt',
      brMethod: '3.2.2.4.7',
      automatic: false,
      record: { type: 'TXT', name: '_dnsauth.www.example.com', value: VALUE },
    });
  });

  it('dns_provider: the same TXT record, written by the service', () => {
    const i = build(input('dns_provider'));
    expect(i).toMatchObject({ brMethod: '3.2.2.4.7', automatic: false, record: { type: 'TXT', name: '_dnsauth.www.example.com', value: VALUE } });
    expect(i.summary).toMatch(/API/);
  });

  it('dns_cname: CNAME _dnsauth.<domain> → <label>.<delegation zone>, automatic', () => {
    const i = build(input('dns_cname'));
    if (i.method !== 'dns_cname') throw new Error('wrong method');
    expect(i.brMethod).toBe('3.2.2.4.7');
    expect(i.automatic).toBe(true);
    expect(i.record.type).toBe('CNAME');
    expect(i.record.name).toBe('_dnsauth.www.example.com');
    expect(i.record.value).toMatch(/^[a-z2-7]{32}\.dcv\.ca\.example$/);
    expect(i.serviceRecord).toEqual({ type: 'TXT', name: i.record.value, value: VALUE });
  });

  it('puts wildcard records at _dnsauth.<base>', () => {
    for (const method of ['dns_txt', 'dns_provider', 'dns_cname'] as const) {
      const i = build(input(method, '*.example.com'));
      expect(i.domain).toBe('*.example.com');
      expect('record' in i && i.record.name).toBe('_dnsauth.example.com');
    }
  });

  it('file: http://<domain>/.well-known/pki-validation/fileauth.txt with the value, BR 3.2.2.4.18', () => {
    expect(build(input('file'))).toMatchObject({
      brMethod: '3.2.2.4.18',
      automatic: false,
      file: { url: 'http://www.example.com/.well-known/pki-validation/fileauth.txt', content: VALUE },
    });
  });

  it('file_proxy: reverse proxy of /.well-known/pki-validation/ to the service, automatic', () => {
    expect(build(input('file_proxy'))).toMatchObject({
      brMethod: '3.2.2.4.18',
      automatic: true,
      proxy: { path: '/.well-known/pki-validation/', upstream: expect.stringMatching(/^https:\/\/dcv\.ca\.example\/dcv\/[a-z2-7]{32}\/$/) },
      file: { url: 'http://www.example.com/.well-known/pki-validation/fileauth.txt', content: VALUE },
    });
  });

  it('file_proxy: names DCV_PUBLIC_URL, and says so when customers cannot reach it', () => {
    const reachable = build(input('file_proxy'));
    expect(reachable.summary).toMatch(/\(the service's public address, DCV_PUBLIC_URL\)/);
    expect(reachable.summary).not.toMatch(/Warning/);
    expect('proxy' in reachable && reachable.proxy).not.toHaveProperty('warning');

    const loopback = build({ ...input('file_proxy'), config: { ...config, publicUrl: 'http://127.0.0.1:3000' } });
    if (loopback.method !== 'file_proxy') throw new Error('wrong method');
    expect(loopback.proxy.upstream).toMatch(/^http:\/\/127\.0\.0\.1:3000\/dcv\/[a-z2-7]{32}\/$/);
    expect(loopback.proxy.warning).toMatch(
      /^DCV_PUBLIC_URL \(http:\/\/127\.0\.0\.1:3000\) is not a public address \(Loopback\): customers' reverse proxies cannot reach it/,
    );
    expect(loopback.summary).toContain(`Warning: ${loopback.proxy.warning}.`);
  });

  it('refuses file methods for wildcards and missing configuration', () => {
    expect(buildInstructions(input('file', '*.example.com'))).toEqual({ ok: false, reason: expect.stringMatching(/wildcard/) });
    expect(buildInstructions(input('file_proxy', '*.example.com')).ok).toBe(false);
    expect(buildInstructions({ ...input('dns_cname'), config: { ...config, delegationZone: '' } }).ok).toBe(false);
    expect(buildInstructions({ ...input('file_proxy'), config: { ...config, publicUrl: '' } }).ok).toBe(false);
    expect(buildInstructions({ ...input('dns_txt'), randomValue: '' }).ok).toBe(false);
  });

  it('maps every method to its BR section', () => {
    expect(DCV_METHODS.map((m) => [m, BR_METHOD_SECTION[m]])).toEqual([
      ['dns_cname', '3.2.2.4.7'],
      ['file_proxy', '3.2.2.4.18'],
      ['dns_provider', '3.2.2.4.7'],
      ['dns_txt', '3.2.2.4.7'],
      ['file', '3.2.2.4.18'],
    ]);
  });
});

describe('delegation labels', () => {
  it('are stable for a domain id, different across ids, and unrelated to the domain name', () => {
    expect(delegationLabel('dom_01')).toBe(delegationLabel('dom_01'));
    const labels = new Set(Array.from({ length: 500 }, (_, i) => delegationLabel(`dom_${i}`)));
    expect(labels.size).toBe(500);
    // Two accounts adding the same name get different domain ids, hence different targets.
    const a = build(input('dns_cname', 'example.com', 'acct-a-domain'));
    const b = build(input('dns_cname', 'example.com', 'acct-b-domain'));
    expect(a.method === 'dns_cname' && b.method === 'dns_cname' && a.record.value !== b.record.value).toBe(true);
    expect(delegationLabel('dom_01')).not.toContain('example');
  });

  it('depend on the secret when one is configured', () => {
    expect(delegationLabel('dom_01', 's1')).not.toBe(delegationLabel('dom_01'));
    expect(delegationLabel('dom_01', 's1')).not.toBe(delegationLabel('dom_01', 's2'));
    expect(delegationTarget('dom_01', { ...config, delegationLabelSecret: 's1' })).toBe(`${delegationLabel('dom_01', 's1')}.dcv.ca.example`);
  });

  it('are valid DNS labels and need an id', () => {
    expect(delegationLabel('x')).toMatch(/^[a-z2-7]{32}$/);
    expect(() => delegationLabel('  ')).toThrow(/domainId/);
  });
});
