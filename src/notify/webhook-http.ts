import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { AddressRefused, pinnedLookup, publicAddressOf } from '../dcv/public-address';
import type { AddressAllowance } from '../dcv/ssrf-guard';

/** What one POST to an endpoint came to: its status (any, redirects are not followed) or why there was none. */
export interface PostOutcome {
  status: number | null;
  /** The start of the answer's body, at most `RESPONSE_EXCERPT` bytes, for the delivery log. */
  responseBody: string | null;
  /** `Retry-After` in seconds, when the endpoint sent one (delta-seconds or an HTTP date). */
  retryAfterSeconds: number | null;
  /** Why no status came back: the address guard, DNS, the connection, TLS, or the timeout. */
  error: string | null;
  durationMs: number;
}

const RESPONSE_EXCERPT = 1024;
const USER_AGENT = 'certificate-profiles-webhooks/1.0';

/**
 * POSTs `body` (the exact bytes signed) to a customer's endpoint. The host goes through the address
 * guard once (public unicast only, src/dcv/ssrf-guard.ts; resolved with `resolvers`, the CA's) and the
 * connection is pinned to the address judged. Redirects are not followed (Standard Webhooks: 3xx is a
 * failure). The whole exchange, DNS included, is bounded by `timeoutMs`; only the answer's start is read.
 */
export async function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowance: AddressAllowance; resolvers: string[] },
): Promise<PostOutcome> {
  const started = Date.now();
  const outcome = (o: Partial<PostOutcome>): PostOutcome => ({
    status: null,
    responseBody: null,
    retryAfterSeconds: null,
    ...o,
    // An error may quote the endpoint (a certificate's names): stored as text too.
    error: o.error ? storableText(o.error) : null,
    durationMs: Date.now() - started,
  });
  const url = new URL(target);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let address: string;
  try {
    address = await publicAddressOf(`the webhook endpoint ${url.host}`, host, {
      resolvers: options.resolvers,
      allowance: options.allowance,
      timeoutMs: options.timeoutMs,
    });
  } catch (error) {
    return outcome({ error: error instanceof Error ? error.message : String(error) });
  }
  const remaining = Math.max(1, options.timeoutMs - (Date.now() - started));
  return new Promise((resolve) => {
    const isHttps = url.protocol === 'https:';
    const request = (isHttps ? https : http).request({
      method: 'POST',
      host,
      port: url.port || (isHttps ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'User-Agent': USER_AGENT, Connection: 'close' },
      agent: false,
      lookup: pinnedLookup(address, options.allowance, url.host),
      ...(isHttps ? { servername: isIP(host) ? undefined : host, minVersion: 'TLSv1.2' as const } : {}),
    });
    let settled = false;
    const finish = (o: Partial<PostOutcome>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(outcome(o));
    };
    const timer = setTimeout(() => finish({ error: `no answer from ${url.host} within ${options.timeoutMs} ms` }), remaining);
    request.on('error', (error) =>
      finish({ error: error instanceof AddressRefused ? error.message : `${(error as NodeJS.ErrnoException).code ?? 'error'}: ${error.message}` }),
    );
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const retryAfterSeconds = parseRetryAfter(response.headers['retry-after']);
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => finish({ status, retryAfterSeconds, responseBody: excerptOf(Buffer.concat(chunks)) });
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= RESPONSE_EXCERPT) done();
      });
      response.on('end', done);
      response.on('error', done);
    });
    request.end(body);
  });
}

/**
 * The start of an answer's body as text PostgreSQL stores: a NUL (a binary or compressed body) cannot be
 * in a text column, and a row that cannot be written would fail the attempt's record, so the activity
 * would send the message again and again. Each NUL becomes U+FFFD, like bytes that are not UTF-8.
 */
export function excerptOf(body: Buffer): string | null {
  return storableText(body.toString('utf8').slice(0, RESPONSE_EXCERPT)) || null;
}

const storableText = (text: string) => text.replaceAll('\u0000', '\uFFFD');

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date; null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}
