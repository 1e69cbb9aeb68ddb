import { z } from 'zod';
import { DOMAIN_STATUSES } from './vocabulary';
import { normalizeDomainName } from '../dcv/domain-name';
import { type DcvMethod, validationLabelOf } from '../dcv/instructions';
import { brokenRule, unprocessable } from '../problem';
import { decimalInteger } from './query-params';

/** The API's (autoValidation, method) pair, as the anchors present it, mapped to the five DCV methods. */
const METHODS: Record<'true' | 'false', Partial<Record<'dns' | 'file' | 'dns_provider', DcvMethod>>> = {
  true: { dns: 'dns_cname', file: 'file_proxy' },
  false: { dns_provider: 'dns_provider', dns: 'dns_txt', file: 'file' },
};

export function apiMethodOf(method: DcvMethod): { autoValidation: boolean; method: 'dns' | 'file' | 'dns_provider' } {
  for (const auto of ['true', 'false'] as const) {
    for (const [api, internal] of Object.entries(METHODS[auto])) if (internal === method) return { autoValidation: auto === 'true', method: api as 'dns' };
  }
  throw new Error(`unknown method ${method}`);
}

export const createDomainBody = z
  .strictObject({
    domain: z.string().max(1000).meta({ minLength: 1 }).describe('Domain name; IDNs are converted to A-labels; `*.example.com` with a DNS method only'),
    autoValidation: z.boolean().default(true).describe('true: the service keeps the validation fresh by itself (CNAME delegation or reverse proxy)'),
    method: z.enum(['dns', 'file', 'dns_provider']).default('dns'),
    dnsProviderId: z.uuid().optional().describe('Required with method dns_provider'),
  })
  .transform((body, ctx) => {
    const method = METHODS[String(body.autoValidation) as 'true' | 'false'][body.method];
    if (!method) {
      ctx.addIssue({
        code: 'custom',
        path: ['method'],
        message: body.autoValidation ? 'with autoValidation true, use dns or file' : 'use dns_provider, dns or file',
        params: brokenRule('one-of', { options: Object.keys(METHODS[String(body.autoValidation) as 'true' | 'false']).join(', ') }),
      });
    }
    // A name that breaks a rule can never be validated or certified: 422 naming the rule (see src/problem.ts).
    const name = normalizeDomainName(body.domain, { validationLabel: method && validationLabelOf(method) });
    if (!name.ok) ctx.addIssue({ code: 'custom', path: ['domain'], message: name.reason, params: unprocessable(name.rule) });
    if (!method || !name.ok) return z.NEVER;
    if (name.isWildcard && (method === 'file' || method === 'file_proxy')) {
      ctx.addIssue({
        code: 'custom',
        path: ['method'],
        message: 'a file proves control of one exact name only: validate a wildcard with a DNS method',
        params: brokenRule('file-wildcard'),
      });
      return z.NEVER;
    }
    if ((method === 'dns_provider') !== (body.dnsProviderId !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['dnsProviderId'],
        message: method === 'dns_provider' ? 'required with method dns_provider' : 'only used with method dns_provider',
        params: brokenRule(method === 'dns_provider' ? 'required' : 'dns-provider-only'),
      });
      return z.NEVER;
    }
    return { name: name.name, method, dnsProviderId: body.dnsProviderId ?? null };
  });

export const domainListQuery = z.object({
  status: z.enum(DOMAIN_STATUSES).optional(),
  expiringWithinDays: decimalInteger(0, 3650).optional(),
});
