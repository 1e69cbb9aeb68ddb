import {
  authoritativeFault,
  BLOCKED_ADDRESS,
  checkFault,
  NAME_HAS_NO_ADDRESS,
  RESOLVER_FAILED,
  resultFaultSide,
  WRITE_REFUSED,
  writeFaultSide,
} from '../../src/dcv/fault-side';
import { NameUnresolved } from '../../src/dcv/public-address';
import { checkResult, type CheckResult } from '../../src/dcv/result-codes';

const ZONE = 'dcv.example.net';
const dns = (perspective: string, code: Parameters<typeof checkResult>[1], name: string, error?: string): CheckResult => ({
  ...checkResult(perspective, code, 'v', [], `${code} at ${name}`),
  lookup: error ? { name, error } : { name },
});
const ok = (perspective: string) => checkResult(perspective, 'passed', 'v', ['v'], 'ok');
const http = (perspective: string, code: Parameters<typeof checkResult>[1]) => checkResult(perspective, code, 'v', [], code);

describe('resultFaultSide', () => {
  test('passed results have no fault', () => expect(resultFaultSide(ok('east'), ZONE)).toBeNull());

  test("the CA's side: a perspective that does not answer, its resolvers refusing or timing out, its own zone", () => {
    expect(resultFaultSide(http('east', 'perspective_unavailable'), ZONE)).toBe('ca');
    expect(resultFaultSide(dns('east', 'dns_error', '_dnsauth.shop.example.com', 'ECONNREFUSED'), ZONE)).toBe('ca');
    expect(resultFaultSide(dns('east', 'timeout', 'shop.example.com', 'ECANCELLED'), ZONE)).toBe('ca');
    expect(resultFaultSide(dns('east', 'dns_error', 'abc.dcv.example.net', 'ESERVFAIL'), ZONE)).toBe('ca');
    expect(resultFaultSide(dns('east', 'record_not_found', 'abc.dcv.example.net', 'ENOTFOUND'), ZONE)).toBe('ca');
    expect(resultFaultSide(dns('east', 'value_mismatch', 'abc.DCV.example.net.'), ZONE)).toBe('ca');
  });

  test("the customer's side: the record, the CNAME, CAA, the web server, their DNS answering badly", () => {
    expect(resultFaultSide(dns('east', 'record_not_found', '_dnsauth.shop.example.com', 'ENOTFOUND'), ZONE)).toBe('customer');
    expect(resultFaultSide(dns('east', 'value_mismatch', '_dnsauth.shop.example.com'), ZONE)).toBe('customer');
    expect(resultFaultSide(dns('east', 'cname_not_delegated', '_dnsauth.shop.example.com'), ZONE)).toBe('customer');
    expect(resultFaultSide(dns('east', 'caa_forbids', 'shop.example.com'), ZONE)).toBe('customer');
    expect(resultFaultSide(dns('east', 'dns_error', '_dnsauth.shop.example.com', 'ESERVFAIL'), ZONE)).toBe('customer');
    expect(resultFaultSide(http('east', 'redirect_not_allowed'), ZONE)).toBe('customer');
    expect(resultFaultSide(http('east', 'timeout'), ZONE)).toBe('customer');
    expect(resultFaultSide(http('east', 'connection_refused'), ZONE)).toBe('customer');
    // A name that merely ends like the zone is not in it.
    expect(resultFaultSide(dns('east', 'record_not_found', 'xdcv.example.net'), ZONE)).toBe('customer');
  });
});

describe('checkFault', () => {
  test('a passed quorum has no fault', () => {
    expect(
      checkFault(
        [
          [ok('east'), ok('east')],
          [ok('west'), ok('west')],
          [dns('north', 'record_not_found', '_dnsauth.a.example.com'), ok('north')],
        ],
        ZONE,
      ),
    ).toBeNull();
  });

  test('the quorum would have passed had the CA side worked: the CA is at fault, with the evidence', () => {
    const fault = checkFault([[ok('east'), ok('east')], [http('west', 'perspective_unavailable')], [http('north', 'perspective_unavailable')]], ZONE);
    expect(fault).toEqual({ side: 'ca', reason: expect.stringMatching(/^CA side: west: perspective_unavailable .*north: perspective_unavailable/) });
  });

  test('customer-side failures alone break the quorum: the customer is at fault', () => {
    const missing = (p: string) => [dns(p, 'record_not_found', '_dnsauth.a.example.com'), ok(p)];
    expect(checkFault([[ok('east'), ok('east')], missing('west'), missing('north')], ZONE)?.side).toBe('customer');
    // One perspective down, the two others see no record: the CA working would not have changed the verdict.
    expect(checkFault([[http('east', 'perspective_unavailable')], missing('west'), missing('north')], ZONE)).toEqual({
      side: 'customer',
      reason: expect.stringMatching(/^customer side: west: record_not_found .*north: record_not_found/),
    });
    // A perspective with both a CAA refusal and a resolver fault counts for the customer.
    expect(checkFault([[dns('east', 'timeout', 'a.example.com'), dns('east', 'caa_forbids', 'a.example.com')]], ZONE)?.side).toBe('customer');
  });

  test('no perspective configured is the CA side', () => expect(checkFault([], ZONE)?.side).toBe('ca'));
});

describe('writeFaultSide', () => {
  test("the delegation zone's server and key are the CA's, whatever it answers", () => {
    expect(writeFaultSide('delegation', undefined)).toBe('ca');
    expect(writeFaultSide('delegation', 'NOTAUTH')).toBe('ca');
  });
  test("DNSPod: the CA's API configuration vs the customer's account", () => {
    expect(writeFaultSide('dnspod', 'NETWORK')).toBe('ca');
    expect(writeFaultSide('dnspod', 'HTTP_502')).toBe('ca');
    expect(writeFaultSide('dnspod', 'BAD_RESPONSE')).toBe('ca');
    expect(writeFaultSide('dnspod', '-1')).toBe('customer'); // login failed: token revoked
    expect(writeFaultSide('dnspod', 'NOTZONE')).toBe('customer');
  });
  test("a customer-named RFC 2136 server is the customer's; a secret the CA cannot decrypt is the CA's", () => {
    expect(writeFaultSide('rfc2136', 'BADKEY')).toBe('customer');
    expect(writeFaultSide('rfc2136', 'NETWORK')).toBe('customer'); // the customer's server did not answer
    expect(writeFaultSide('rfc2136', WRITE_REFUSED)).toBe('customer');
    expect(writeFaultSide('rfc2136', 'SECRET')).toBe('ca');
  });
  test("a server name with no address is the customer's; the CA's resolvers failing, or an error nobody classified, is the CA's", () => {
    expect(writeFaultSide('rfc2136', NAME_HAS_NO_ADDRESS)).toBe('customer');
    expect(writeFaultSide('rfc2136', RESOLVER_FAILED)).toBe('ca');
    expect(writeFaultSide('dnspod', RESOLVER_FAILED)).toBe('ca');
    for (const target of ['rfc2136', 'dnspod', 'delegation'] as const) expect(writeFaultSide(target, undefined)).toBe('ca');
  });
  test("NameUnresolved: absent only when the name's own DNS said so (NXDOMAIN, NODATA, no A or AAAA record)", () => {
    expect(new NameUnresolved('x', ['ENOTFOUND', 'ENODATA']).absent).toBe(true);
    expect(new NameUnresolved('x', []).absent).toBe(true);
    expect(new NameUnresolved('x', ['ENOTFOUND', 'ECONNREFUSED']).absent).toBe(false);
    expect(new NameUnresolved('x', ['ETIMEOUT']).absent).toBe(false);
    expect(new NameUnresolved('the server ns.example', ['ESERVFAIL']).message).toBe('the server ns.example does not resolve (ESERVFAIL)');
  });
  test('an address the guard refuses is the fault of whoever named it', () => {
    expect(writeFaultSide('rfc2136', BLOCKED_ADDRESS)).toBe('customer'); // the customer's RFC 2136 server
    expect(writeFaultSide('dnspod', BLOCKED_ADDRESS)).toBe('ca'); // DNSPOD_API_URL is the CA's configuration
  });
});

describe('authoritativeFault', () => {
  const present = { server: 'ns1.example.com', address: '127.0.0.1', present: true, observed: ['v'] };
  test('everywhere, or still propagating, needs nobody', () => {
    expect(authoritativeFault([present])).toBeNull();
    expect(authoritativeFault([present, { server: 'ns2.example.com', address: '127.0.0.2', present: false, observed: [] }])).toBeNull();
  });
  test("a server that does not answer is the customer's DNS, named with its reason", () => {
    const fault = authoritativeFault([
      present,
      { server: 'ns2.example.com', address: '127.0.0.2', present: false, observed: [], error: 'No answer within 5000 ms (ETIMEOUT)' },
    ]);
    expect(fault).toEqual({ side: 'customer', reason: 'customer side: ns2.example.com (127.0.0.2) did not answer: No answer within 5000 ms (ETIMEOUT)' });
  });
  test("a server at an address the guard refuses is the customer's zone, named with the registry entry", () => {
    const refused = '127.0.0.77 is in 127.0.0.0/8 (Loopback, RFC 1122 §3.2.1.3), not a public unicast address; the service does not contact it.';
    const fault = authoritativeFault([present, { server: 'ns2.example.com', address: '127.0.0.77', present: false, observed: [], refused }]);
    expect(fault).toEqual({ side: 'customer', reason: `customer side: ns2.example.com (127.0.0.77) was not queried: ${refused}` });
  });
  test("the NS lookup: no NS is the customer's, the CA's resolvers failing are the CA's", () => {
    expect(authoritativeFault([], 'ENOTFOUND')?.side).toBe('customer');
    expect(authoritativeFault([], 'ECONNREFUSED')?.side).toBe('ca');
    expect(authoritativeFault([])?.side).toBe('customer');
  });
});
