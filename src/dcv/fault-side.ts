/**
 * Whose side a DCV fault is on (docs/architecture.md rule 8). Only customer-side facts fail a domain, with the
 * evidence; a CA-side fault (its delegation DNS server, its perspectives, its resolvers, its provider
 * configuration) keeps the domain where it is, flags it for attention and is retried on the schedule.
 * Pure: no I/O, used by activities and unit-tested.
 */
import { requiredCorroborations } from './quorum';
import type { CheckResult } from './result-codes';

export type FaultSide = 'ca' | 'customer';

export interface Fault {
  side: FaultSide;
  /** One line naming who is at fault and the evidence. */
  reason: string;
}

/**
 * Errors a resolver returns after it asked the customer's DNS: the customer's zone answered badly.
 * Everything else (refused, reset, unreachable, cancelled by our deadline) means the CA's own resolver
 * or network gave no verdict.
 */
const CUSTOMER_DNS_ERRORS = new Set(['ESERVFAIL', 'EFORMERR', 'EBADRESP', 'ENOTIMP', 'EBADNAME', 'EBADQUERY']);

/**
 * The side a recorded reason names: every Fault's reason starts with "CA side" or "customer side"
 * (this module writes them so), which is how a domain's `attention_reason` tells whose it is. Null for
 * any other text.
 */
export function faultSideOfReason(reason: unknown): FaultSide | null {
  if (typeof reason !== 'string') return null;
  return reason.startsWith('customer side') ? 'customer' : reason.startsWith('CA side') ? 'ca' : null;
}

const inZone = (name: string, zone: string) => {
  const n = name.toLowerCase().replace(/\.$/, '');
  const z = zone.toLowerCase().replace(/\.$/, '');
  return z !== '' && (n === z || n.endsWith(`.${z}`));
};

/** One perspective's result: null when it passed. `caZone` is the CA's delegation zone. */
export function resultFaultSide(result: CheckResult, caZone: string): FaultSide | null {
  if (result.passed) return null;
  const lookup = result.lookup;
  switch (result.code) {
    case 'perspective_unavailable':
      return 'ca';
    case 'timeout':
      // A DNS lookup through the CA's resolver got no answer in time; an HTTP fetch from the customer's server did not.
      return lookup ? 'ca' : 'customer';
    case 'dns_error':
      if (lookup && inZone(lookup.name, caZone)) return 'ca';
      return lookup?.error && CUSTOMER_DNS_ERRORS.has(lookup.error) ? 'customer' : 'ca';
    case 'record_not_found':
    case 'value_mismatch':
      // Behind a correct CNAME, the value is the CA's to publish in its own zone.
      return lookup && inZone(lookup.name, caZone) ? 'ca' : 'customer';
    default:
      return 'customer';
  }
}

function describe(result: CheckResult): string {
  return `${result.perspective}: ${result.code} — ${result.detail}`;
}

/**
 * The side at fault for a failed check, from every perspective's results (method + CAA). A perspective
 * with any customer-side failure is the customer's; the check is the CA's fault when the quorum would
 * have passed had the CA's side worked, otherwise the customer's. Null when the quorum passed.
 */
export function checkFault(perPerspective: CheckResult[][], caZone: string): Fault | null {
  const total = perPerspective.length;
  if (total === 0) return { side: 'ca', reason: 'CA side: no perspective is configured (DCV_PERSPECTIVES / DCV_REMOTE_PERSPECTIVES)' };
  const sides = perPerspective.map((results) => {
    const found = results.map((r) => resultFaultSide(r, caZone)).filter((s): s is FaultSide => s !== null);
    return found.length === 0 ? null : found.includes('customer') ? 'customer' : 'ca';
  });
  const passed = sides.filter((s) => s === null).length;
  const ca = sides.filter((s) => s === 'ca').length;
  const required = requiredCorroborations(total);
  if (passed >= required) return null;
  const side: FaultSide = passed + ca >= required ? 'ca' : 'customer';
  const evidence = perPerspective
    .flat()
    .filter((r) => resultFaultSide(r, caZone) === side)
    .map(describe);
  return { side, reason: `${side === 'ca' ? 'CA side' : 'customer side'}: ${evidence.join('; ')}` };
}

/** The write-failure code of an address the guard refused. */
export const BLOCKED_ADDRESS = 'BLOCKED_ADDRESS';

/** Where the service tried to write a record. */
/** Write codes of a customer-named server's host name: no address in its own DNS, or no verdict from the CA's resolvers. */
export const NAME_HAS_NO_ADDRESS = 'NAME_HAS_NO_ADDRESS';
export const RESOLVER_FAILED = 'RESOLVER_FAILED';
/** A write the provider or the service's own rules refused (not in the provider's zone). */
export const WRITE_REFUSED = 'WRITE_REFUSED';

export type WriteTarget = 'delegation' | 'rfc2136' | 'dnspod';

/**
 * A failed write. The delegation zone, its server and its key are the CA's; a customer-named RFC 2136
 * server and its key are the customer's; at DNSPod, an API that cannot be reached or answers HTTP errors
 * is the CA's configuration (DNSPOD_API_URL), while a DNSPod status (token revoked, no such domain) is
 * the customer's account. A provider secret the service cannot decrypt is the CA's key (SECRET_KEY).
 * An address the guard refuses (BLOCKED_ADDRESS) follows who named it: the customer's RFC 2136 server
 * is the customer's, DNSPod's API base (DNSPOD_API_URL) the CA's. A customer-named server whose name
 * has no address (NAME_HAS_NO_ADDRESS) is the customer's; the CA's resolvers giving no verdict
 * (RESOLVER_FAILED) are the CA's. An error nobody classified (no code: a database outage, a bug) is the
 * CA's own: it is retried and alerted, and never fails a customer's domain.
 */
export function writeFaultSide(target: WriteTarget, code: string | undefined): FaultSide {
  if (code === undefined || code === 'SECRET' || code === RESOLVER_FAILED) return 'ca';
  switch (target) {
    case 'delegation':
      return 'ca';
    case 'dnspod':
      return code === 'NETWORK' || code === 'BAD_RESPONSE' || code === BLOCKED_ADDRESS || (code ?? '').startsWith('HTTP_') ? 'ca' : 'customer';
    case 'rfc2136':
      return 'customer';
  }
}

/** What one authoritative server of the customer's zone answered (or that it did not). */
export interface AuthoritativeEvidence {
  server: string;
  address: string;
  present: boolean;
  observed: string[];
  /** Set when the server did not answer usably. */
  error?: string;
  /** Set when the address guard refused the address: the server was not queried. */
  refused?: string;
}

export function describeAuthoritative(e: AuthoritativeEvidence): string {
  const who = `${e.server} (${e.address})`;
  if (e.present) return `${who}: present`;
  if (e.refused) return `${who} was not queried: ${e.refused}`;
  if (e.error) return `${who} did not answer: ${e.error}`;
  return `${who}: answered ${e.observed.length ? e.observed.join(', ') : 'no TXT value'} (not yet the expected value)`;
}

/**
 * Whether waiting for the record on every authoritative server needs someone: a server that does not
 * answer, a server at an address the guard refuses (the customer's zone named it), or a zone without
 * name servers, is the customer's DNS; the NS lookup failing through the CA's resolvers is the CA's.
 * A server that answers without the value yet is ordinary propagation: no fault.
 */
export function authoritativeFault(evidence: AuthoritativeEvidence[], nsLookupError?: string): Fault | null {
  if (nsLookupError !== undefined) {
    if (nsLookupError === 'ENOTFOUND' || nsLookupError === 'ENODATA') {
      return { side: 'customer', reason: `customer side: the zone has no name servers (NS lookup: ${nsLookupError})` };
    }
    return { side: 'ca', reason: `CA side: the CA's resolvers could not list the zone's name servers (${nsLookupError})` };
  }
  if (evidence.length === 0) return { side: 'customer', reason: 'customer side: the zone has no reachable name server addresses' };
  const silent = evidence.filter((e) => !e.present && (e.error || e.refused));
  if (silent.length === 0) return null;
  return { side: 'customer', reason: `customer side: ${silent.map(describeAuthoritative).join('; ')}` };
}
