/**
 * A network perspective: a name for the audit log and the recursive resolvers it uses.
 * Each check builds a fresh resolver from these, so perspectives never share a DNS cache
 * (BR §3.2.2.9).
 */
import { promises as dnsPromises } from 'node:dns';

type Resolver = dnsPromises.Resolver;

export interface Perspective {
  /** Unique perspective identifier, recorded with every result (BR §5.4.1). */
  name: string;
  /** Resolver addresses as accepted by `dns.setServers`: `"192.0.2.53"`, `"127.0.0.1:5353"`, `"[2001:db8::1]:53"`. */
  resolvers: string[];
}

export const DEFAULT_DNS_TIMEOUT_MS = 5_000;

/** One query per server (tries: 1): retries belong to the caller's schedule, not to hidden loops. */
export function resolverFor(perspective: Perspective, timeoutMs: number): Resolver {
  if (perspective.resolvers.length === 0) throw new Error(`Perspective "${perspective.name}" has no resolvers`);
  const resolver = new dnsPromises.Resolver({ timeout: Math.max(1, Math.floor(timeoutMs)), tries: 1 });
  resolver.setServers(perspective.resolvers);
  return resolver;
}

/** Runs one lookup with a hard deadline; on expiry the pending queries are cancelled (→ ECANCELLED). */
export async function withDeadline<T>(resolver: Resolver, timeoutMs: number, run: () => Promise<T>): Promise<T> {
  const timer = setTimeout(() => resolver.cancel(), timeoutMs);
  try {
    return await run();
  } finally {
    clearTimeout(timer);
  }
}

export function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : 'UNKNOWN';
}

export type DnsFailureKind = 'not_found' | 'timeout' | 'error';

/** NXDOMAIN and NODATA both mean "no such record"; a cancelled query hit our deadline. */
export function classifyDnsError(err: unknown): DnsFailureKind {
  const code = errorCode(err);
  if (code === 'ENOTFOUND' || code === 'ENODATA') return 'not_found';
  if (code === 'ETIMEOUT' || code === 'ECANCELLED') return 'timeout';
  return 'error';
}
