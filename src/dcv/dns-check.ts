/**
 * DNS checks of BR §3.2.2.4.7 (TXT at `_dnsauth.<base>`, CNAME delegation) and CAA
 * (RFC 8659), from one perspective through its own resolvers.
 */
import type { promises as dnsPromises } from 'node:dns';
import { caaLookupNames, evaluateCaa, type CaaRecord, type CaaRequest } from './caa';
import { dnsRecordName } from './instructions';
import { classifyDnsError, DEFAULT_DNS_TIMEOUT_MS, errorCode, resolverFor, withDeadline, type Perspective } from './perspective';
import { checkResult, excerpt, type CheckResult } from './result-codes';

const MAX_OBSERVED = 10;

function normalizeFqdn(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** Names the DNS lookup a result is about, and the resolver's error: the evidence of whose side a failure is on. */
function about(result: CheckResult, name: string, err?: unknown): CheckResult {
  result.lookup = err === undefined ? { name } : { name, error: errorCode(err) };
  return result;
}

function failure(perspective: Perspective, err: unknown, expected: string, what: string, name: string): CheckResult {
  const kind = classifyDnsError(err);
  if (kind === 'not_found') return about(checkResult(perspective.name, 'record_not_found', expected, [], `No ${what} was found.`), name, err);
  if (kind === 'timeout') return about(checkResult(perspective.name, 'timeout', expected, [], `The DNS query for ${what} timed out.`), name, err);
  return about(checkResult(perspective.name, 'dns_error', expected, [], `The DNS query for ${what} failed (${errorCode(err)}).`), name, err);
}

/** TXT strings of one record are concatenated (RFC 1035 §3.3.14, as Boulder does). */
async function lookupTxt(resolver: dnsPromises.Resolver, name: string): Promise<string[]> {
  const records = await resolver.resolveTxt(name);
  return records.map((chunks) => chunks.join(''));
}

function evaluateTxt(perspective: Perspective, name: string, values: string[], expected: string): CheckResult {
  const observed = values.slice(0, MAX_OBSERVED).map((v) => excerpt(v));
  if (values.includes(expected)) {
    return about(checkResult(perspective.name, 'passed', expected, observed, `The TXT record at ${name} has the expected value.`), name);
  }
  return about(
    checkResult(perspective.name, 'value_mismatch', expected, observed, `${values.length} TXT value(s) at ${name}, none equal to the expected value.`),
    name,
  );
}

/**
 * Looks up TXT `_dnsauth.<base>` (for `*.x`, at `_dnsauth.x`); a CNAME on the way is followed
 * by the resolver. Passes when any TXT value equals the expected one exactly.
 */
export async function checkTxt(
  perspective: Perspective,
  domain: string,
  expectedValue: string,
  timeoutMs: number = DEFAULT_DNS_TIMEOUT_MS,
): Promise<CheckResult> {
  const name = dnsRecordName(domain);
  const resolver = resolverFor(perspective, timeoutMs);
  try {
    const values = await withDeadline(resolver, timeoutMs, () => lookupTxt(resolver, name));
    return evaluateTxt(perspective, name, values, expectedValue);
  } catch (err) {
    return failure(perspective, err, expectedValue, `TXT record at ${name}`, name);
  }
}

/**
 * Automatic DNS method: `_dnsauth.<base>` must be a CNAME to the domain's own delegation target,
 * and the TXT at that target must hold the expected value.
 */
export async function checkCname(
  perspective: Perspective,
  domain: string,
  expectedTarget: string,
  expectedValue: string,
  timeoutMs: number = DEFAULT_DNS_TIMEOUT_MS,
): Promise<CheckResult> {
  const name = dnsRecordName(domain);
  const target = normalizeFqdn(expectedTarget);
  const resolver = resolverFor(perspective, timeoutMs);
  let targets: string[];
  try {
    targets = (await withDeadline(resolver, timeoutMs, () => resolver.resolveCname(name))).map(normalizeFqdn);
  } catch (err) {
    const kind = classifyDnsError(err);
    if (kind !== 'not_found') return failure(perspective, err, target, `CNAME record at ${name}`, name);
    return checkResult(perspective.name, 'cname_not_delegated', target, [], `There is no CNAME record at ${name}.`);
  }
  if (!targets.includes(target)) {
    return checkResult(
      perspective.name,
      'cname_not_delegated',
      target,
      targets.map((t) => excerpt(t)),
      `The CNAME at ${name} points to ${excerpt(targets[0] ?? '(nothing)')}, not to ${target}.`,
    );
  }
  try {
    const values = await withDeadline(resolver, timeoutMs, () => lookupTxt(resolver, target));
    return evaluateTxt(perspective, target, values, expectedValue);
  } catch (err) {
    return failure(perspective, err, expectedValue, `TXT record at the delegation target ${target}`, target);
  }
}

/** Node returns CAA as `{ critical, <tag>: value }`; turn it back into flags/tag/value. */
function toCaaRecord(raw: Record<string, unknown>): CaaRecord | null {
  const flags = typeof raw.critical === 'number' ? raw.critical : 0;
  const tag = Object.keys(raw).find((k) => k !== 'critical');
  if (!tag) return null;
  return { flags, tag: tag.toLowerCase(), value: String(raw[tag]) };
}

export interface CaaCheckOptions extends Omit<CaaRequest, 'issuer' | 'wildcard'> {
  timeoutMs?: number;
}

/**
 * RFC 8659 §3 tree climbing: the relevant RRset is the CAA set of the closest name (the domain
 * itself, then each parent up to the TLD) that has one. Any lookup error before that set is
 * found fails the check: an unreadable level might hide a restriction (Boulder does the same).
 */
export async function checkCaa(perspective: Perspective, domain: string, issuer: string, options: CaaCheckOptions = {}): Promise<CheckResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
  const wildcard = domain.trim().startsWith('*.');
  const request: CaaRequest = { issuer, wildcard, accountUri: options.accountUri, validationMethod: options.validationMethod };
  for (const name of caaLookupNames(domain)) {
    const resolver = resolverFor(perspective, timeoutMs);
    let raw: Record<string, unknown>[];
    try {
      raw = (await withDeadline(resolver, timeoutMs, () => resolver.resolveCaa(name))) as unknown as Record<string, unknown>[];
    } catch (err) {
      const kind = classifyDnsError(err);
      if (kind === 'not_found') continue;
      if (kind === 'timeout') return about(checkResult(perspective.name, 'timeout', issuer, [], `The CAA query for ${name} timed out.`), name, err);
      return about(checkResult(perspective.name, 'dns_error', issuer, [], `The CAA query for ${name} failed (${errorCode(err)}).`), name, err);
    }
    const records = raw.map(toCaaRecord).filter((r): r is CaaRecord => r !== null);
    if (records.length === 0) continue;
    const observed = records.slice(0, MAX_OBSERVED).map((r) => excerpt(`${name} ${r.flags} ${r.tag} "${r.value}"`, 200));
    const decision = evaluateCaa(records, request);
    return checkResult(perspective.name, decision.permitted ? 'passed' : 'caa_forbids', issuer, observed, decision.reason);
  }
  return checkResult(perspective.name, 'passed', issuer, [], 'No CAA records were found up to the top-level domain.');
}
