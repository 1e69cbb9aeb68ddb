import { z } from 'zod';
import { parse, unprocessable } from '../../src/problem';
import { createOrganizationBody } from '../../src/domain/schemas';
import { createDomainBody } from '../../src/domain/domain-input';
import { dnsProviderInput } from '../../src/domain/dns-provider-schemas';
import { problemOf } from '../support/problems';

describe('problems built from zod issues', () => {
  test('a field left out reads "required", for every kind of field and at every depth', () => {
    const schema = z.strictObject({
      text: z.string(),
      number: z.number(),
      choice: z.enum(['a', 'b']),
      nested: z.strictObject({ inner: z.boolean() }),
      piped: z
        .string()
        .transform((v) => v.trim())
        .pipe(z.string().min(1)),
    });
    const problem = problemOf(() => parse(schema, { nested: {} }));
    expect(problem.status).toBe(400);
    expect(problem.extra.errors).toEqual(
      ['text', 'number', 'choice', 'nested.inner', 'piped'].map((field) => ({ field, message: 'required', rule: 'required' })),
    );
    expect(problem.detail).not.toMatch(/received undefined/);
  });

  test('the API schemas say "required" too: organizations, administrators (checked inside a transform), domains, DNS providers', () => {
    const organization = { name: 'Acme', country: 'CN', province: 'Beijing', city: 'Beijing', address: '1 Road', landline: '010 6552 9988' };
    const administrator = { firstName: 'Lei', lastName: 'Li', position: 'CTO', phone: '138 0013 8000', email: 'li@acme.cn' };
    const { landline: _landline, ...noLandline } = organization;
    const { email: _email, ...noEmail } = administrator;
    expect(problemOf(() => parse(createOrganizationBody, {})).extra.errors).toEqual([{ field: 'organization', message: 'required', rule: 'required' }]);
    expect(problemOf(() => parse(createOrganizationBody, { organization: noLandline })).extra.errors).toEqual([
      { field: 'organization.landline', message: 'required', rule: 'required' },
    ]);
    expect(problemOf(() => parse(createOrganizationBody, { organization, administrator: noEmail })).extra.errors).toEqual([
      { field: 'administrator.email', message: 'required', rule: 'required' },
    ]);
    expect(problemOf(() => parse(createDomainBody, {})).extra.errors).toEqual([{ field: 'domain', message: 'required', rule: 'required' }]);
    expect(problemOf(() => parse(dnsProviderInput, { name: 'x' })).extra.errors).toEqual([{ field: 'kind', message: 'required', rule: 'required' }]);
  });

  test("a discriminator naming no variant (a DNS provider's kind) is a choice among the variants", () => {
    expect(problemOf(() => parse(dnsProviderInput, { kind: 'route53', name: 'x' })).extra.errors).toEqual([
      { field: 'kind', message: expect.stringContaining('rfc2136'), rule: 'one-of', values: { options: 'rfc2136, dnspod' } },
    ]);
  });

  test('a present but wrong value keeps its own message', () => {
    const problem = problemOf(() => parse(z.object({ text: z.string(), nullable: z.string() }), { text: 42, nullable: null }));
    expect(problem.extra.errors!.map((e) => e.message)).toEqual([expect.stringMatching(/expected string, received number/), expect.stringMatching(/null/)]);
  });

  test('refusals that name a rule carry it; 422 only when every issue is a rule refusal of well-formed input', () => {
    const schema = z.object({ a: z.string(), b: z.string() }).superRefine((v, ctx) => {
      if (v.a === 'never') ctx.addIssue({ code: 'custom', path: ['a'], message: 'never allowed', params: unprocessable('not-applicable') });
    });
    const only = problemOf(() => parse(schema, { a: 'never', b: 'x' }));
    expect([only.status, only.title, only.extra.errors]).toEqual([
      422,
      'Unprocessable Content',
      [{ field: 'a', message: 'never allowed', rule: 'not-applicable' }],
    ]);
    const mixed = problemOf(() => parse(createDomainBody, { domain: 'ab--cd.example.com', autoValidation: true, method: 'dns_provider' }));
    expect(mixed.status).toBe(400);
    expect(mixed.extra.errors!.map((e) => [e.field, e.rule])).toEqual([
      ['method', 'one-of'],
      ['domain', 'reserved-ldh-label'],
    ]);
  });
});
