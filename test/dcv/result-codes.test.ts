import { checkResult, excerpt, isResultCode, RESULT_CODES } from '../../src/dcv/result-codes';

describe('result codes', () => {
  it('lists every code once', () => {
    expect(RESULT_CODES).toEqual([
      'passed',
      'record_not_found',
      'value_mismatch',
      'cname_not_delegated',
      'file_not_found',
      'file_content_mismatch',
      'timeout',
      'dns_error',
      'blocked_address',
      'redirect_not_allowed',
      'too_many_redirects',
      'body_too_large',
      'caa_forbids',
      'tls_error',
      'connection_refused',
      'http_error',
      'perspective_unavailable',
    ]);
    expect(new Set(RESULT_CODES).size).toBe(RESULT_CODES.length);
    expect(isResultCode('timeout')).toBe(true);
    expect(isResultCode('nope')).toBe(false);
  });

  it('builds results whose passed flag follows the code', () => {
    expect(checkResult('p1', 'passed', 'v', ['v'], 'ok')).toEqual({
      perspective: 'p1',
      code: 'passed',
      passed: true,
      expected: 'v',
      observed: ['v'],
      detail: 'ok',
    });
    expect(checkResult('p1', 'value_mismatch', 'v', ['w'], 'no').passed).toBe(false);
    expect(checkResult('p1', 'http_error', 'v', [], 'x', [{ url: 'http://a/' }]).hops).toEqual([{ url: 'http://a/' }]);
  });

  it('truncates and escapes what it shows', () => {
    expect(excerpt('short')).toBe('short');
    expect(excerpt('a'.repeat(150))).toBe(`${'a'.repeat(100)}…`);
    expect(excerpt('x\u0000y\n', 10)).toBe('x\\x00y\\x0a');
  });
});
