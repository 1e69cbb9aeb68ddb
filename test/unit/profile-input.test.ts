import { createOrganizationBody, createOrganizationBodyFor, organizationPatch, administratorPatch } from '../../src/domain/schemas';
import { parse } from '../../src/problem';
import { ADMINISTRATOR as administrator, ORGANIZATION as organization } from '../support/harness';
import { faults, problemOf } from '../support/problems';

/** Issue 7, items 8 and 10: every field at fault in one answer, each with its rule. */

test('an empty organization name and an administrator with three bad fields: all four in one answer', () => {
  const problem = problemOf(() =>
    parse(createOrganizationBody, {
      organization: { ...organization, name: '' },
      administrator: { ...administrator, firstName: '.', phone: '12', email: 'not-an-email' },
    }),
  );
  expect(problem.status).toBe(400);
  expect(faults(problem)).toEqual([
    ['organization.name', 'min-length'],
    ['administrator.firstName', 'metadata-only'],
    ['administrator.phone', 'phone-number'],
    ['administrator.email', 'email-syntax'],
  ]);
});

test("the issue's examples: city '-', address '.', an administrator named '.' / '-': 422 naming each field and rule", () => {
  const problem = problemOf(() =>
    parse(createOrganizationBody, {
      organization: { ...organization, city: '-', address: '.' },
      administrator: { ...administrator, firstName: '.', lastName: '-' },
    }),
  );
  expect([problem.status, problem.title]).toEqual([422, 'Unprocessable Content']);
  expect(faults(problem)).toEqual([
    ['organization.city', 'metadata-only'],
    ['organization.address', 'metadata-only'],
    ['administrator.firstName', 'metadata-only'],
    ['administrator.lastName', 'metadata-only'],
  ]);
});

test('rules across fields are reported beside the fields at fault: landline and province in the country', () => {
  const problem = problemOf(() =>
    parse(createOrganizationBody, {
      organization: { ...organization, name: 'N/A', city: 42, province: 'Atlantis', landline: '+86 138 0013 8000' },
      administrator: { ...administrator, position: '不适用' },
    }),
  );
  expect(faults(problem)).toEqual([
    ['organization.name', 'not-applicable'],
    ['organization.city', 'type'],
    ['organization.landline', 'phone-type'],
    ['organization.province', 'iso-3166-2'],
    ['administrator.position', 'not-applicable'],
  ]);
});

test('a country at fault is reported once; what depends on it is not judged against a guess', () => {
  const problem = problemOf(() => parse(createOrganizationBody, { organization: { ...organization, country: 'XX', province: 'Atlantis' }, administrator }));
  expect(faults(problem)).toEqual([['organization.country', 'country-code']]);
});

test("the first organization's missing administrator is reported with the rest", () => {
  const problem = problemOf(() => parse(createOrganizationBodyFor(true), { organization: { ...organization, city: '-' } }));
  expect(problem.extra.errors).toEqual([
    { field: 'organization.city', rule: 'metadata-only', message: expect.stringMatching(/^"-" has no letter or digit/) },
    { field: 'administrator', message: "required with the account's first organization", rule: 'administrator-required' },
  ]);
  expect(createOrganizationBodyFor(false).parse({ organization }).administrator).toBeUndefined();
});

test('the administrator part is judged even when the organization is missing or not an object', () => {
  expect(faults(problemOf(() => parse(createOrganizationBody, { administrator: { ...administrator, lastName: 'none' } })))).toEqual([
    ['organization', 'required'],
    ['administrator.lastName', 'not-applicable'],
  ]);
  expect(faults(problemOf(() => parse(createOrganizationBody, { organization: 'Acme', administrator: { ...administrator, lastName: 'none' } })))).toEqual([
    ['organization', 'type'],
    ['administrator.lastName', 'not-applicable'],
  ]);
});

test('provinces in English, ISO or local names are stored as sent; a code is stored spelled out (no abbreviation in a subject)', () => {
  for (const province of ['Beijing', '北京市', '北京', 'Beijing Shi']) {
    expect(createOrganizationBody.parse({ organization: { ...organization, province } }).organization.province).toBe(province);
  }
  for (const [country, province, name] of [
    ['CN', 'BJ', 'Beijing'],
    ['CN', 'bj', 'Beijing'],
    ['CN', 'CN-BJ', 'Beijing'],
    ['CN', 'cn-zj', 'Zhejiang'],
    ['DE', 'BY', 'Bavaria'],
    ['US', 'US-CA', 'California'],
  ]) {
    const body = { organization: { ...organization, country, province, landline: country === 'CN' ? organization.landline : '+1 650 253 0000' } };
    expect([province, createOrganizationBody.parse(body).organization.province]).toEqual([province, name]);
  }
  expect(parse(organizationPatch('CN', 'Beijing'), { province: 'GD' })).toEqual({ province: 'Guangdong' });
  expect(
    createOrganizationBody.parse({ organization: { ...organization, country: 'HK', province: 'Hong Kong', landline: '+852 2123 4567' } }).organization.country,
  ).toBe('HK');
});

describe('patches', () => {
  test('a province is judged in the stored country; a new country re-judges the stored province', () => {
    expect(faults(problemOf(() => parse(organizationPatch('CN', 'Beijing'), { province: 'California' })))).toEqual([['province', 'iso-3166-2']]);
    const moved = problemOf(() => parse(organizationPatch('CN', 'Beijing'), { country: 'US' }));
    expect(moved.extra.errors![0]).toMatchObject({
      field: 'province',
      rule: 'iso-3166-2',
      message: expect.stringMatching(/stored province "Beijing".*send the province with the country/),
    });
    expect(organizationPatch('CN', 'Beijing').parse({ country: 'US', province: 'California' })).toEqual({ country: 'US', province: 'California' });
    expect(organizationPatch('CN', 'Beijing').parse({ city: 'Haidian' })).toEqual({ city: 'Haidian' });
  });

  test('every field at fault in one answer', () => {
    expect(faults(problemOf(() => parse(organizationPatch('CN', 'Beijing'), { city: '-', address: 'N/A', postalCode: '无' })))).toEqual([
      ['city', 'metadata-only'],
      ['address', 'not-applicable'],
      ['postalCode', 'not-applicable'],
    ]);
    expect(faults(problemOf(() => parse(administratorPatch('CN'), { firstName: '-', email: 'admin@localhost' })))).toEqual([
      ['firstName', 'metadata-only'],
      ['email', 'too-few-labels'],
    ]);
  });

  test('an internationalized email is stored in one form', () => {
    expect(administratorPatch('CN').parse({ email: 'admin@例子.公司' })).toEqual({ email: 'admin@xn--fsqu00a.xn--55qx5d' });
  });
});

test('C1 control characters are refused like C0 ones (RFC 5280 Appendix A; zlint e_subject_dn_not_printable_characters)', () => {
  for (const control of ['\u0085', '\u009b', '\u0000', '\u001b']) {
    expect(problemOf(() => parse(createOrganizationBody, { organization: { ...organization, name: `Acme${control} Ltd` } })).extra.errors).toEqual([
      { field: 'organization.name', message: 'must not contain control characters', rule: 'control-character' },
    ]);
  }
});
