/**
 * File method fetcher (BR §3.2.2.4.18, redirect rules shared with §3.2.2.4.19; limits from
 * Boulder's VA): GET http://<domain>/.well-known/pki-validation/fileauth.txt, following at most
 * 10 redirects (301/302/307/308 only, http/https only, authorized ports only). Every hop's host
 * is resolved with the perspective's own resolvers and the SSRF guard judges each address
 * *before* we connect; the connection is then pinned to that address.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { FILE_NAME, FILE_PATH_PREFIX } from './instructions';
import { classifyDnsError, DEFAULT_DNS_TIMEOUT_MS, errorCode, resolverFor, withDeadline, type Perspective } from './perspective';
import { checkResult, excerpt, type CheckResult, type HttpHop, type ResultCode } from './result-codes';
import { AddressRefused, pinnedLookup, resolvePublic } from './public-address';
import type { AddressAllowance } from './ssrf-guard';

/** `allowPrivate` / `allowCidrs`: the address guard's test-only allowance (production leaves both unset). */
export interface HttpCheckOptions extends AddressAllowance {
  perspective: Perspective;
  /** Deadline of each request (connect, TLS, headers and body). Boulder: 10 s. */
  timeoutMs?: number;
  /** Deadline of the whole redirect chain, so a check always answers inside the pre-check's wait. */
  totalTimeoutMs?: number;
  dnsTimeoutMs?: number;
  /** Redirects followed at most; one more is `too_many_redirects`. */
  maxRedirects?: number;
  /** Bodies longer than this fail with `body_too_large` (a Random Value is 43 bytes). */
  maxBodyBytes?: number;
  /** Authorized ports. Production: 80 and 443; tests point them at loopback servers. */
  httpPort?: number;
  httpsPort?: number;
  /** Scheme of the first request (BR allows either); http as in the customer instructions. */
  scheme?: 'http' | 'https';
  /** Path of the file; the Random Value must never be part of it (BR §3.2.2.4.18). */
  path?: string;
  /**
   * Certificate checking on https hops. Off by default, like Boulder and the CAs in our
   * reference: the BR file method proves control by content, not by a trusted certificate.
   * `verify: true` checks against the system store, or against `ca` when given.
   */
  tls?: { verify?: boolean; ca?: string | Buffer };
  userAgent?: string;
}

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
export const DEFAULT_HTTP_TOTAL_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_REDIRECTS = 10;
export const DEFAULT_MAX_BODY_BYTES = 4096;
const MAX_REDIRECT_URL_LENGTH = 2000;
const REDIRECT_STATUSES = new Set([301, 302, 307, 308]);
const BODY_EXCERPT = 64;

interface Settings extends Required<Omit<HttpCheckOptions, 'tls' | 'perspective'>> {
  perspective: Perspective;
  tls: { verify: boolean; ca?: string | Buffer };
}

/** Thrown inside a hop to end the whole check with a result code. */
class CheckFailure extends Error {
  constructor(
    readonly code: ResultCode,
    message: string,
    readonly observed: string[] = [],
  ) {
    super(message);
  }
}

type HopOutcome = { kind: 'redirect'; status: number; location: string } | { kind: 'body'; status: number; body: string };

function settingsFrom(options: HttpCheckOptions): Settings {
  return {
    perspective: options.perspective,
    timeoutMs: options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
    totalTimeoutMs: options.totalTimeoutMs ?? DEFAULT_HTTP_TOTAL_TIMEOUT_MS,
    dnsTimeoutMs: options.dnsTimeoutMs ?? DEFAULT_DNS_TIMEOUT_MS,
    maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    httpPort: options.httpPort ?? 80,
    httpsPort: options.httpsPort ?? 443,
    scheme: options.scheme ?? 'http',
    path: options.path ?? `${FILE_PATH_PREFIX}${FILE_NAME}`,
    allowPrivate: options.allowPrivate ?? false,
    allowCidrs: options.allowCidrs ?? [],
    tls: { verify: options.tls?.verify ?? false, ca: options.tls?.ca },
    userAgent: options.userAgent ?? 'dcv-checker/1.0',
  };
}

const guardOptions = (s: Settings): AddressAllowance => ({ allowPrivate: s.allowPrivate, allowCidrs: s.allowCidrs });

function effectivePort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** Scheme and port rules of BR §3.2.2.4.18 (redirect items d and e), with the test port override. */
function checkSchemeAndPort(url: URL, s: Settings): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CheckFailure('redirect_not_allowed', `Redirects may go only to http or https, not to "${url.protocol}".`, [excerpt(url.href)]);
  }
  const port = effectivePort(url);
  const allowed = url.protocol === 'http:' ? s.httpPort : s.httpsPort;
  if (port !== allowed) {
    throw new CheckFailure('redirect_not_allowed', `Redirects to port ${port} are not allowed for ${url.protocol.slice(0, -1)} (only ${allowed}).`, [
      excerpt(url.href),
    ]);
  }
  if (url.username || url.password) {
    throw new CheckFailure('redirect_not_allowed', 'Redirect targets with credentials are not allowed.', [excerpt(url.origin)]);
  }
}

/** Resolves the hop's host once with the perspective's resolvers; returns the addresses the guard allows. */
async function resolveHost(host: string, s: Settings): Promise<string[]> {
  const resolver = resolverFor(s.perspective, s.dnsTimeoutMs);
  const found = await withDeadline(resolver, s.dnsTimeoutMs, () => resolvePublic(resolver, host, guardOptions(s)));
  if (found.allowed.length === 0 && found.refused.length > 0) {
    throw new CheckFailure(
      'blocked_address',
      found.refused[0].reason,
      found.refused.map((r) => excerpt(r.address)),
    );
  }
  if (found.allowed.length === 0) {
    const kinds = found.errors.map(classifyDnsError);
    if (kinds.includes('timeout')) throw new CheckFailure('timeout', `Resolving ${host} timed out.`);
    if (kinds.every((k) => k === 'not_found')) throw new CheckFailure('dns_error', `${host} has no A or AAAA record.`);
    throw new CheckFailure('dns_error', `Resolving ${host} failed (${found.errors.map(errorCode).join(', ')}).`);
  }
  // Like Boulder: try one IPv6 address first, then one IPv4 address.
  const v6 = found.allowed.find((a) => isIP(a) === 6);
  const v4 = found.allowed.find((a) => isIP(a) === 4);
  return [v6, v4].filter((a): a is string => a !== undefined);
}

const DIAL_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

function requestOnce(url: URL, address: string, s: Settings): Promise<HopOutcome> {
  return new Promise<HopOutcome>((resolve, reject) => {
    const isHttps = url.protocol === 'https:';
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let handshakeDone = !isHttps;
    const request = (isHttps ? https : http).request({
      method: 'GET',
      host,
      port: effectivePort(url),
      path: `${url.pathname}${url.search}`,
      headers: { 'User-Agent': s.userAgent, Accept: '*/*', Connection: 'close' },
      agent: false,
      lookup: pinnedLookup(address, guardOptions(s), url.host),
      ...(isHttps
        ? {
            servername: isIP(host) ? undefined : host,
            rejectUnauthorized: s.tls.verify,
            ca: s.tls.ca,
            minVersion: 'TLSv1.2' as const,
          }
        : {}),
    });
    const timer = setTimeout(() => {
      request.destroy(new CheckFailure('timeout', `No complete answer from ${url.host} within ${s.timeoutMs} ms.`));
    }, s.timeoutMs);
    const done = () => clearTimeout(timer);

    request.on('socket', (socket) => {
      if (isHttps) socket.once('secureConnect', () => (handshakeDone = true));
    });
    request.on('error', (err) => {
      done();
      if (err instanceof CheckFailure) return reject(err);
      if (err instanceof AddressRefused) return reject(new CheckFailure('blocked_address', err.message, [excerpt(address)]));
      const code = errorCode(err);
      if (code === 'ECONNREFUSED') return reject(new CheckFailure('connection_refused', `${url.host} (${address}) refused the connection.`));
      if (DIAL_ERRORS.has(code)) return reject(Object.assign(new CheckFailure('http_error', `Cannot reach ${address} (${code}).`), { dial: true }));
      if (!handshakeDone) return reject(new CheckFailure('tls_error', `TLS with ${url.host} failed (${code}: ${excerpt(err.message, 120)}).`));
      reject(new CheckFailure('http_error', `The request to ${url.host} failed (${code}).`));
    });
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        done();
        response.resume();
        const location = response.headers.location;
        if (!REDIRECT_STATUSES.has(status)) {
          return reject(new CheckFailure('redirect_not_allowed', `HTTP ${status} is not an allowed redirect (only 301, 302, 307, 308).`, [`HTTP ${status}`]));
        }
        if (!location) return reject(new CheckFailure('http_error', `HTTP ${status} without a Location header.`, [`HTTP ${status}`]));
        request.destroy();
        return resolve({ kind: 'redirect', status, location });
      }
      const declared = Number(response.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > s.maxBodyBytes) {
        done();
        request.destroy();
        return reject(new CheckFailure('body_too_large', `The response declares ${declared} bytes; at most ${s.maxBodyBytes} are read.`, [`HTTP ${status}`]));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > s.maxBodyBytes) {
          done();
          request.destroy();
          return reject(new CheckFailure('body_too_large', `The response is longer than ${s.maxBodyBytes} bytes.`, [`HTTP ${status}`]));
        }
        chunks.push(chunk);
      });
      response.on('end', () => {
        done();
        resolve({ kind: 'body', status, body: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', (err) => {
        done();
        reject(err instanceof CheckFailure ? err : new CheckFailure('http_error', `Reading the response failed (${errorCode(err)}).`));
      });
    });
    request.end();
  });
}

/** Tries the approved addresses in order, moving on only when the connection could not be made. */
async function fetchHop(url: URL, addresses: string[], s: Settings, hop: HttpHop): Promise<HopOutcome> {
  let lastError: unknown;
  for (const address of addresses) {
    hop.address = address;
    try {
      const outcome = await requestOnce(url, address, s);
      hop.status = outcome.status;
      return outcome;
    } catch (err) {
      lastError = err;
      const isDialError = err instanceof CheckFailure && (err.code === 'connection_refused' || (err as { dial?: boolean }).dial);
      if (!isDialError) throw err;
    }
  }
  throw lastError;
}

function bodyResult(s: Settings, expected: string, status: number, body: string, hops: HttpHop[]): CheckResult {
  const name = s.perspective.name;
  const observed = [`HTTP ${status}`, `body: "${excerpt(body.trim(), BODY_EXCERPT)}"`];
  if (status === 404 || status === 410) {
    return checkResult(name, 'file_not_found', expected, [`HTTP ${status}`], `The file was not found (HTTP ${status}).`, hops);
  }
  if (status < 200 || status > 299) {
    return checkResult(name, 'http_error', expected, [`HTTP ${status}`], `The server answered HTTP ${status}; a 2xx status is required.`, hops);
  }
  if (body.trim() === expected) return checkResult(name, 'passed', expected, observed, 'The file contains the expected value.', hops);
  return checkResult(name, 'file_content_mismatch', expected, observed, 'The file does not contain exactly the expected value.', hops);
}

/** Fetches the validation file of `domain` (an exact FQDN; no wildcards for file methods). */
export async function checkFile(domain: string, expectedValue: string, options: HttpCheckOptions): Promise<CheckResult> {
  const s = settingsFrom(options);
  const name = s.perspective.name;
  const host = domain.trim().toLowerCase().replace(/\.$/, '');
  if (host.startsWith('*.')) {
    return checkResult(name, 'http_error', expectedValue, [], 'File validation cannot be used for wildcard names.');
  }
  const port = s.scheme === 'http' ? s.httpPort : s.httpsPort;
  const defaultPort = s.scheme === 'http' ? 80 : 443;
  let url = new URL(`${s.scheme}://${host}${port === defaultPort ? '' : `:${port}`}${s.path}`);
  const hops: HttpHop[] = [];
  const seen = new Set<string>();
  try {
    if (url.href.includes(expectedValue)) {
      throw new CheckFailure('http_error', 'The request URL must not contain the random value (BR §3.2.2.4.18).');
    }
    const deadline = Date.now() + s.totalTimeoutMs;
    const chainTimeout = () => new CheckFailure('timeout', `The redirects did not end in a file within ${s.totalTimeoutMs} ms.`);
    for (let redirects = 0; ; redirects++) {
      const left = deadline - Date.now();
      if (left <= 0) throw chainTimeout();
      // Each hop gets its own deadline, cut to what is left of the whole chain's.
      const hopSettings = { ...s, timeoutMs: Math.min(s.timeoutMs, left), dnsTimeoutMs: Math.min(s.dnsTimeoutMs, left) };
      seen.add(url.href);
      const hop: HttpHop = { url: url.href };
      hops.push(hop);
      const addresses = await resolveHost(url.hostname, hopSettings);
      const outcome = await fetchHop(url, addresses, hopSettings, hop).catch((error) => {
        throw error instanceof CheckFailure && error.code === 'timeout' && hopSettings.timeoutMs < s.timeoutMs ? chainTimeout() : error;
      });
      if (outcome.kind === 'body') return bodyResult(s, expectedValue, outcome.status, outcome.body, hops);

      const observed = [`HTTP ${outcome.status}`, `Location: ${excerpt(outcome.location)}`];
      if (redirects >= s.maxRedirects) {
        throw new CheckFailure('too_many_redirects', `More than ${s.maxRedirects} redirects.`, observed);
      }
      if (outcome.location.length > MAX_REDIRECT_URL_LENGTH) {
        throw new CheckFailure('redirect_not_allowed', `The redirect target is longer than ${MAX_REDIRECT_URL_LENGTH} characters.`, observed);
      }
      let next: URL;
      try {
        next = new URL(outcome.location, url);
      } catch {
        throw new CheckFailure('redirect_not_allowed', 'The redirect target is not a valid URL.', observed);
      }
      checkSchemeAndPort(next, s);
      if (next.href.includes(expectedValue)) {
        throw new CheckFailure('redirect_not_allowed', 'The redirect target contains the random value (BR §3.2.2.4.18).', observed);
      }
      next.hash = '';
      if (seen.has(next.href)) throw new CheckFailure('redirect_not_allowed', 'The redirects form a loop.', observed);
      url = next;
    }
  } catch (err) {
    if (err instanceof CheckFailure) return checkResult(name, err.code, expectedValue, err.observed, err.message, hops);
    return checkResult(name, 'http_error', expectedValue, [], `Unexpected failure (${errorCode(err)}).`, hops);
  }
}
