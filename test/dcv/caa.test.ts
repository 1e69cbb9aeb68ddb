import { caaLookupNames, evaluateCaa, isCritical, parseIssueValue, type CaaRecord } from '../../src/dcv/caa';

const issue = (value: string, flags = 0): CaaRecord => ({ flags, tag: 'issue', value });
const issuewild = (value: string, flags = 0): CaaRecord => ({ flags, tag: 'issuewild', value });
const req = { issuer: 'ca.example', wildcard: false };

describe('parseIssueValue', () => {
  it('parses issuer and parameters', () => {
    const v = parseIssueValue(' CA.example ; accounturi=https://ca.example/acct/1; validationmethods=dns-01,ca-file ');
    expect(v?.issuer).toBe('ca.example');
    expect(Object.fromEntries(v?.parameters ?? [])).toEqual({ accounturi: 'https://ca.example/acct/1', validationmethods: 'dns-01,ca-file' });
  });

  it('reads ";" as an empty issuer and rejects malformed values', () => {
    expect(parseIssueValue(';')?.issuer).toBe('');
    expect(parseIssueValue('ca.example;')?.issuer).toBe('ca.example');
    expect(parseIssueValue('ca.example; a=1;; b=2')).toBeNull();
    expect(parseIssueValue('ca.example; noequals')).toBeNull();
    expect(parseIssueValue('ca.example; a=1; a=2')).toBeNull();
    expect(parseIssueValue('not a domain')).toBeNull();
  });
});

describe('evaluateCaa (RFC 8659)', () => {
  it('permits when there are no records or no issue restriction', () => {
    expect(evaluateCaa([], req).permitted).toBe(true);
    expect(evaluateCaa([{ flags: 0, tag: 'iodef', value: 'mailto:x@example.com' }], req).permitted).toBe(true);
  });

  it('permits only the named issuers, case-insensitively', () => {
    expect(evaluateCaa([issue('other.example'), issue('CA.Example')], req).permitted).toBe(true);
    expect(evaluateCaa([issue('other.example')], req).permitted).toBe(false);
    expect(evaluateCaa([issue(';')], req).permitted).toBe(false);
  });

  it('uses issuewild for wildcards when present, issue otherwise; ignores issuewild for plain names', () => {
    const records = [issue('ca.example'), issuewild('other.example')];
    expect(evaluateCaa(records, { ...req, wildcard: true }).permitted).toBe(false);
    expect(evaluateCaa(records, req).permitted).toBe(true);
    expect(evaluateCaa([issue('ca.example')], { ...req, wildcard: true }).permitted).toBe(true);
    expect(evaluateCaa([issue('other.example'), issuewild('ca.example')], { ...req, wildcard: true }).permitted).toBe(true);
    expect(evaluateCaa([issuewild('ca.example')], req).permitted).toBe(true); // no issue records: unrestricted
  });

  it('forbids on a critical unknown tag (bit 128, or bit 1 as Boulder), not on a non-critical one', () => {
    expect(isCritical(128)).toBe(true);
    expect(isCritical(1)).toBe(true);
    expect(isCritical(0)).toBe(false);
    expect(evaluateCaa([issue('ca.example'), { flags: 128, tag: 'future', value: 'x' }], req)).toEqual({
      permitted: false,
      reason: expect.stringMatching(/future/),
    });
    expect(evaluateCaa([issue('ca.example'), { flags: 0, tag: 'future', value: 'x' }], req).permitted).toBe(true);
    expect(evaluateCaa([issue('ca.example', 128)], req).permitted).toBe(true); // critical known tag is fine
  });

  it('checks accounturi and validationmethods when the caller provides them (RFC 8657)', () => {
    const records = [issue('ca.example; accounturi=https://ca.example/acct/1; validationmethods=ca-dns-txt,dns-01')];
    expect(evaluateCaa(records, { ...req, accountUri: 'https://ca.example/acct/1' }).permitted).toBe(true);
    expect(evaluateCaa(records, { ...req, accountUri: 'https://ca.example/acct/2' }).permitted).toBe(false);
    expect(evaluateCaa(records, { ...req, validationMethod: 'ca-dns-txt' }).permitted).toBe(true);
    expect(evaluateCaa(records, { ...req, validationMethod: 'ca-file' }).permitted).toBe(false);
    expect(evaluateCaa(records, req).permitted).toBe(true);
  });
});

describe('caaLookupNames', () => {
  it('climbs from the name to the TLD, without the wildcard label', () => {
    expect(caaLookupNames('*.a.b.example.com.')).toEqual(['a.b.example.com', 'b.example.com', 'example.com', 'com']);
  });
});
