import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { normalizeDomainName } from '../dcv/domain-name';
import { type AddressAllowance, classifyAddress, isAddressLiteral } from '../dcv/ssrf-guard';
import { brokenRule, unprocessable } from '../problem';
import { storable } from './schemas';

const line = (max: number, min = 1) => storable(z.string().trim().min(min).max(max));

// Internationalized names are names too (RFC 5890): U-labels are read (UTS #46) and kept as A-labels.
const hostname = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[^\s/\\?#@]+$/u, 'a host name or IP address');
const zone = z
  .string()
  .trim()
  .min(1)
  .max(253)
  // No URL delimiter: domainToASCII parses a URL's host and would cut 'exa/mple.com' to 'exa'.
  .regex(/^[^\s/\\?#@:]+$/u, 'a DNS zone name')
  // WHATWG's domainToASCII (UTS #46, as the URL parser): '例子.公司' → 'xn--fsqu00a.xn--55qx5d'; '' when it is none.
  .transform((v) => domainToASCII(v.replace(/[.。．｡]$/u, '')))
  .pipe(z.string().regex(/^([a-z0-9-_]+\.)*[a-z0-9-]+$/, 'a DNS zone name'));

/**
 * The server the service sends updates to, on the customer's word. A literal address, in any form the
 * address guard reads (`10.0.0.1`, `0x7f.1`, `::ffff:10.0.0.1`, and with the trailing dot the WHATWG URL
 * parser drops), is judged by the guard now (public unicast only, src/dcv/ssrf-guard.ts) and stored in the
 * form the service connects to. Anything else must be a host name the CA's resolvers can look up (the
 * domain-name rules: LDH labels, UTS #46, a registered top-level domain, so not `localhost`, `a..b`,
 * `_x.example.com` or `ns1:53`), stored in lowercase A-labels and judged when it is used.
 */
const updateServer = (allowance: AddressAllowance) =>
  hostname
    .transform((value, ctx) => {
      const literal = value.replace(/\.$/, '');
      if (isAddressLiteral(literal)) {
        const verdict = classifyAddress(literal, allowance);
        if (verdict.allowed) return verdict.address;
        // 422, as a webhook's URL: a well-formed address the service will not send to.
        ctx.addIssue({ code: 'custom', message: verdict.reason, params: unprocessable('public-address') });
        return z.NEVER;
      }
      const name = normalizeDomainName(value);
      if (name.ok && !name.isWildcard) return name.name;
      const reason = name.ok ? 'a wildcard names no server' : name.reason;
      ctx.addIssue({ code: 'custom', message: `not a host name the service can resolve: ${reason}`, params: brokenRule(name.ok ? 'host-name' : name.rule) });
      return z.NEVER;
    })
    .describe(
      'Primary (authoritative) server that accepts dynamic updates: a host name, or a public unicast IP address. ' +
        'Addresses in the IANA IPv4/IPv6 special-purpose registries (private, loopback, link-local, shared, documentation, ' +
        'NAT64, 6to4, …) and multicast are refused with 400, and so is a name that is not a host name in the public DNS ' +
        '(`localhost`, `_x.example.com`); a host name is resolved when the service sends an update, ' +
        'and a name with only such addresses fails the domain without retries.',
    );

/** RFC 2136 with TSIG; HMAC-SHA256 or stronger (RFC 8945 recommends against MD5 and SHA-1). */
const rfc2136ProviderFor = (allowance: AddressAllowance) =>
  z.strictObject({
    kind: z.literal('rfc2136'),
    name: line(100),
    server: updateServer(allowance),
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

/** A DNS provider as created; `allowance` is the address guard's test-only allowance (DCV_ALLOW_PRIVATE_ADDRESSES). */
export const dnsProviderInputFor = (allowance: AddressAllowance) => z.discriminatedUnion('kind', [rfc2136ProviderFor(allowance), dnspodProvider]);

/** As production judges it: no allowance. */
export const dnsProviderInput = dnsProviderInputFor({});
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
