import { attentionAfterCheck, evaluateCheck } from '../../src/dcv/check-outcome';
import type { CheckResult, ResultCode } from '../../src/dcv/result-codes';

const CA_ZONE = 'dcv.ca.example';

/** One perspective's answer: the method check on `_dnsauth.example.com`, then CAA. */
function answer(perspective: string, method: ResultCode, caa: ResultCode = 'passed', error?: string): CheckResult[] {
  return [
    {
      perspective,
      code: method,
      passed: method === 'passed',
      expected: 'v',
      observed: [],
      detail: method,
      lookup: { name: '_dnsauth.example.com', ...(error ? { error } : {}) },
    },
    { perspective, code: caa, passed: caa === 'passed', expected: 'ca.example', observed: [], detail: `CAA ${caa}` },
  ];
}

describe('evaluateCheck: a check from every perspective (BR §3.2.2.9 quorum, fault sides)', () => {
  it('passes when every perspective sees the record, with no fault', () => {
    const { outcome, fault } = evaluateCheck('scan', [answer('a', 'passed'), answer('b', 'passed'), answer('c', 'passed')], CA_ZONE);
    expect(outcome).toMatchObject({ kind: 'scan', passed: true, code: 'passed', faultSide: null, reason: null });
    expect(outcome.quorum).toEqual({ summary: '3/3', required: 2, passedPerspectives: ['a', 'b', 'c'], failedPerspectives: [] });
    expect(outcome.results).toHaveLength(6);
    expect(fault).toBeNull();
  });

  it('passes with one of three disagreeing, and marks that failure with its side', () => {
    const { outcome } = evaluateCheck('scan', [answer('a', 'passed'), answer('b', 'record_not_found'), answer('c', 'passed')], CA_ZONE);
    expect(outcome).toMatchObject({ passed: true, code: 'passed', quorum: { summary: '2/3', failedPerspectives: ['b'] } });
    expect(outcome.results.find((r) => r.perspective === 'b' && !r.passed)?.faultSide).toBe('customer');
  });

  it("fails on the customer's side with the most common failure code and the evidence", () => {
    const { outcome, fault } = evaluateCheck(
      'scan',
      [answer('a', 'passed', 'caa_forbids'), answer('b', 'record_not_found'), answer('c', 'record_not_found')],
      CA_ZONE,
    );
    expect(outcome).toMatchObject({ passed: false, code: 'record_not_found', faultSide: 'customer', quorum: { summary: '0/3' } });
    expect(fault?.reason).toMatch(/^customer side: a: caa_forbids — CAA caa_forbids; b: record_not_found/);
  });

  it("is the CA's fault when the quorum would have passed had the CA's side worked", () => {
    const { outcome, fault } = evaluateCheck(
      'recheck',
      [answer('a', 'passed'), answer('b', 'perspective_unavailable'), answer('c', 'dns_error', 'passed', 'ECONNREFUSED')],
      CA_ZONE,
    );
    expect(outcome).toMatchObject({ passed: false, faultSide: 'ca' });
    expect(fault?.side).toBe('ca');
    expect(outcome.results.filter((r) => !r.passed).map((r) => r.faultSide)).toEqual(['ca', 'ca']);
  });

  it('never passes without a perspective', () => {
    expect(evaluateCheck('recheck', [], CA_ZONE).outcome).toMatchObject({ passed: false, code: 'no_perspective', faultSide: 'ca' });
  });

  it('leaves its input as it was', () => {
    const results = [answer('a', 'record_not_found')];
    const copy = structuredClone(results);
    evaluateCheck('recheck', results, CA_ZONE);
    expect(results).toEqual(copy);
  });
});

describe("attentionAfterCheck: the attention a workflow's own check leaves", () => {
  const check = (results: CheckResult[][]) => evaluateCheck('scan', results, CA_ZONE);

  it('a CA-side fault flags the domain, renewing or not', () => {
    const { outcome, fault } = check([answer('a', 'dns_error', 'passed', 'ECONNREFUSED')]);
    expect(attentionAfterCheck(outcome, fault, { renewing: false }, 'dns_txt')).toEqual(fault);
  });

  it('a customer-side failure flags a renewal, naming what may be gone', () => {
    const { outcome, fault } = check([answer('a', 'cname_not_delegated')]);
    const cname = attentionAfterCheck(outcome, fault, { renewing: true }, 'dns_cname');
    expect(cname).toMatchObject({ side: 'customer' });
    expect(cname?.reason).toMatch(
      /^customer side: automatic revalidation failed \(cname_not_delegated, quorum 0\/1\): is the CNAME delegation still in place\? a: /,
    );
    expect(attentionAfterCheck(outcome, fault, { renewing: true }, 'file_proxy')?.reason).toMatch(/is the reverse proxy still in place\?/);
  });

  it('clears it otherwise: a pass, or a customer-side failure while not renewing', () => {
    const passed = check([answer('a', 'passed')]);
    expect(attentionAfterCheck(passed.outcome, passed.fault, { renewing: true }, 'dns_cname')).toBeNull();
    const missing = check([answer('a', 'record_not_found')]);
    expect(attentionAfterCheck(missing.outcome, missing.fault, { renewing: false }, 'dns_txt')).toBeNull();
  });
});
