/**
 * Resolving a customer-named host for the address guard: once, through the CA's own resolvers, every
 * address judged by `classifyAddress`; the caller then connects to a judged address and nothing else
 * (a literal IP, or a pinned `lookup`), so the name cannot rebind between the check and the use.
 */
import type { promises as dnsPromises } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { DEFAULT_DNS_TIMEOUT_MS, resolverFor, withDeadline } from './perspective';
import { type AddressAllowance, classifyAddress, isAddressLiteral, type RefusedAddress } from './ssrf-guard';

export interface Resolution {
  /** Addresses the guard allows, normalized: IPv6 (AAAA) first, then IPv4 (A). */
  allowed: string[];
  /** Addresses it refuses, each with the registry entry and the reason. */
  refused: RefusedAddress[];
  /** Errors of the AAAA and A lookups that failed (none for a literal). */
  errors: unknown[];
}

/** Every address of a host the guard refused; retrying cannot change the verdict on these addresses. */
export class AddressRefused extends Error {
  constructor(
    /** What the service was about to contact, e.g. "the DNS provider's server ns1.example.com". */
    readonly what: string,
    readonly refused: RefusedAddress[],
  ) {
    super(`${what} has no public address: ${refused.map((r) => r.reason).join(' ')}`);
    this.name = 'AddressRefused';
  }
}

/**
 * Resolves `host` (AAAA and A in parallel through `resolver`; a literal is taken as it is) and judges
 * each address. Resolver errors are returned, not thrown: the caller decides whose fault they are.
 */
export async function resolvePublic(resolver: dnsPromises.Resolver, host: string, allowance: AddressAllowance): Promise<Resolution> {
  const name = host.trim().replace(/^\[(.*)\]$/, '$1');
  let candidates: string[];
  const errors: unknown[] = [];
  if (isAddressLiteral(name)) {
    candidates = [name];
  } else {
    const settle = (lookup: Promise<string[]>) =>
      lookup.catch((error: unknown) => {
        errors.push(error);
        return [] as string[];
      });
    const [v6, v4] = await Promise.all([settle(resolver.resolve6(name)), settle(resolver.resolve4(name))]);
    candidates = [...v6, ...v4];
  }
  const verdicts = candidates.map((address) => classifyAddress(address, allowance));
  return {
    allowed: [...new Set(verdicts.flatMap((v) => (v.allowed ? [v.address] : [])))],
    refused: verdicts.filter((v): v is RefusedAddress => !v.allowed),
    errors,
  };
}

/**
 * The one address to contact for `host`, resolved through `resolvers` within `timeoutMs`: the first
 * IPv4 address the guard allows, else the first IPv6 one. Throws {@link AddressRefused} when every
 * address is refused, and {@link NameUnresolved} naming the resolvers' answers when the name does not resolve.
 */
export async function publicAddressOf(
  what: string,
  host: string,
  options: { resolvers: string[]; allowance: AddressAllowance; timeoutMs?: number },
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
  const resolver = resolverFor({ name: 'address guard', resolvers: options.resolvers }, timeoutMs);
  const found = await withDeadline(resolver, timeoutMs, () => resolvePublic(resolver, host, options.allowance));
  const address = found.allowed.find((a) => isIP(a) === 4) ?? found.allowed[0];
  if (address) return address;
  if (found.refused.length) throw new AddressRefused(what, found.refused);
  throw new NameUnresolved(
    what,
    found.errors.map((e) => (e as { code?: string }).code ?? String(e)),
  );
}

/** Answers by which the name's own DNS says it has no address (RFC 8020 NXDOMAIN, RFC 2308 NODATA). */
const NO_ADDRESS_CODES = new Set(['ENOTFOUND', 'ENODATA']);

/** A host name with no address to contact: `codes` are the resolvers' answers (empty: no A or AAAA record). */
export class NameUnresolved extends Error {
  constructor(
    what: string,
    readonly codes: string[],
  ) {
    super(`${what} does not resolve (${codes.join(', ') || 'no A or AAAA record'})`);
  }

  /** The name's own DNS answered that it has no address; otherwise the resolvers gave no verdict (refused, timed out, failed). */
  get absent(): boolean {
    return this.codes.every((code) => NO_ADDRESS_CODES.has(code));
  }
}

/**
 * A `lookup` for `http.request`/`net.connect` that answers only `address`, the one the guard approved,
 * judging it again right before the connection (Boulder's backstop). Node skips `lookup` for a literal
 * host: callers judge literals themselves first (`resolvePublic` does).
 */
export function pinnedLookup(address: string, allowance: AddressAllowance, what = address): LookupFunction {
  return (_hostname, options, callback) => {
    const verdict = classifyAddress(address, allowance);
    const family = isIP(verdict.address);
    const cb = callback as (...args: unknown[]) => void;
    if (!verdict.allowed) return cb(new AddressRefused(what, [verdict]));
    if ((options as { all?: boolean }).all) return cb(null, [{ address: verdict.address, family }]);
    return cb(null, verdict.address, family);
  };
}
