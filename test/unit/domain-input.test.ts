import { createDomainBody } from '../../src/domain/domain-input';
import { parse, Problem } from '../../src/problem';
import { domainNameOfLength } from '../support/names';

/** 250 characters: `_dnsauth.` would make the DNS methods' record name 259. */
const LONG = domainNameOfLength(250);
const PROVIDER = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

describe('the name length counts the label each method adds (RFC 1035 §2.3.4)', () => {
  test('the name is 250 characters', () => expect(LONG).toHaveLength(250));

  test.each([
    ['dns_cname', { autoValidation: true, method: 'dns' }],
    ['dns_txt', { autoValidation: false, method: 'dns' }],
    ['dns_provider', { autoValidation: false, method: 'dns_provider', dnsProviderId: PROVIDER }],
  ])('%s checks _dnsauth.<name>: 422 name-length', (_method, body) => {
    let problem: Problem | undefined;
    try {
      parse(createDomainBody, { domain: LONG, ...body });
    } catch (error) {
      problem = error as Problem;
    }
    expect(problem?.status).toBe(422);
    expect(problem?.extra.errors).toEqual([{ field: 'domain', rule: 'name-length', message: expect.stringContaining('would be 259 characters long') }]);
  });

  test.each([
    ['file_proxy', { autoValidation: true, method: 'file' }],
    ['file', { autoValidation: false, method: 'file' }],
  ])('%s checks the name alone', (method, body) => {
    expect(parse(createDomainBody, { domain: LONG, ...body })).toEqual({ name: LONG, method, dnsProviderId: null });
  });
});
