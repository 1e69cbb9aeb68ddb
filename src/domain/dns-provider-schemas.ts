import { z } from 'zod';
import { normalizeDomainName } from '../dcv/domain-name';
import { type AddressAllowance, classifyAddress, isAddressLiteral } from '../dcv/ssrf-guard';
import { brokenRule, unprocessable } from '../problem';
import { readable } from './schemas';

const line = (max: number, min = 1) => readable(z.string().trim().min(min).max(max));

// Internationalized names are names too (RFC 5890): U-labels are read (UTS #46) and kept as A-labels.
const hostname = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[^\s/\\?#@]+$/u, 'a host name or IP address');
/**
 * The customer's zone the records go in: a domain name under the public DNS (the domain-name rules: LDH
 * labels, UTS #46, a registered top-level domain, so not `localhost`, `0x7f.1` or `-bad-.com`), stored in
 * lowercase A-labels. Leading underscore labels are kept: a zone of its own for the records
 * (`_dnsauth.example.com`) is a common delegation.
 */
const zone = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .transform((value, ctx) => {
    const labels = value.split(/[.\uFF0E\u3002\uFF61]/u);
    const services: string[] = [];
    while (labels.length > 1 && /^_[A-Za-z0-9-]{1,62}$/.test(labels[0])) services.push(labels.shift()!.toLowerCase());
    const name = normalizeDomainName(labels.join('.'));
    if (name.ok && !name.isWildcard) return [...services, name.name].join('.');
    const reason = name.ok ? 'a wildcard is no zone' : name.reason;
    ctx.addIssue({ code: 'custom', message: `not a DNS zone name: ${reason}`, params: brokenRule(name.ok ? 'wildcard-position' : name.rule) });
    return z.NEVER;
  });

/** A TSIG key's name: a domain name (RFC 8945 §4.2), LDH labels (underscores too, as BIND takes them), an optional trailing dot. */
const tsigKeyName = z
  .string()
  .trim()
  .min(1)
  .max(254)
  .refine(
    (v) =>
      /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?$/.test(v) &&
      v.replace(/\.$/, '').length <= 253,
    {
      message: 'must be a domain name (RFC 8945 §4.2): labels of letters, digits, hyphens and underscores, e.g. dcv-key.example.com.',
      params: brokenRule('ldh-syntax'),
    },
  );

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
    tsigKeyName,
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
