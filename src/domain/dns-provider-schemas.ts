import { z } from 'zod';
import { storable } from './schemas';

const line = (max: number, min = 1) => storable(z.string().trim().min(min).max(max));

const hostname = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:_-]+$/, 'a host name or IP address');
const zone = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(253)
  .transform((v) => v.replace(/\.$/, ''))
  .pipe(z.string().regex(/^([a-z0-9-_]+\.)*[a-z0-9-]+$/, 'a DNS zone name'));

/** RFC 2136 with TSIG; HMAC-SHA256 or stronger (RFC 8945 recommends against MD5 and SHA-1). */
export const rfc2136Provider = z.strictObject({
  kind: z.literal('rfc2136'),
  name: line(100),
  server: hostname.describe('Primary (authoritative) server that accepts dynamic updates'),
  port: z.number().int().min(1).max(65535).default(53),
  zone,
  tsigKeyName: line(253),
  tsigAlgorithm: z.enum(['hmac-sha256', 'hmac-sha384', 'hmac-sha512'], { message: 'hmac-sha256 or stronger' }),
  tsigSecret: z.base64('base64, as in a BIND key file').min(16),
});

/** DNSPod API token: its ID and the token (https://docs.dnspod.cn/api/). */
export const dnspodProvider = z.strictObject({
  kind: z.literal('dnspod'),
  name: line(100),
  tokenId: z
    .string()
    .trim()
    .regex(/^\d{1,20}$/, 'the numeric token ID'),
  token: line(128, 16),
});

export const dnsProviderInput = z.discriminatedUnion('kind', [rfc2136Provider, dnspodProvider]);
export type DnsProviderInput = z.output<typeof dnsProviderInput>;

/** Splits what may be shown from what must be sealed. */
export function splitSecret(input: DnsProviderInput): { settings: Record<string, unknown>; secret: string } {
  if (input.kind === 'rfc2136') {
    const { tsigSecret, kind: _k, name: _n, ...settings } = input;
    return { settings, secret: tsigSecret };
  }
  const { token, kind: _k, name: _n, ...settings } = input;
  return { settings, secret: token };
}
