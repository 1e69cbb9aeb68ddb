import { subjectRefusal, SUBJECT_ATTRIBUTES } from '../../src/domain/subject-attributes';
import { normalizeText } from '../../src/domain/normalize';

/** Issue 7, item 8: values a CA can put in a certificate's subject (BR §7.1.2.7.4, §7.1.4.2; zlint; pkilint). */
const ruleOf = (value: string, attribute: keyof typeof SUBJECT_ATTRIBUTES = 'localityName') => subjectRefusal(normalizeText(value), attribute)?.rule ?? null;

describe('only metadata (BR §7.1.2.7.4: ".", "-", " " and the like)', () => {
  test.each(['-', '.', '--', '...', '—', '–', '/', '?', '*', '()', '. -', '－', '。', '・', '_', '#', '$', '+'])('%j', (value) => {
    expect(ruleOf(value)).toBe('metadata-only');
  });
});

describe('says absent or not applicable, in any case, width or language', () => {
  test.each([
    'N/A',
    'n/a',
    'N.A.',
    'NA',
    'Ｎ／Ａ',
    'ｎｏｎｅ',
    'None',
    'NULL',
    'nil',
    'Unknown',
    'not applicable',
    'NOT APPLICABLE',
    'Not-Applicable',
    'not available',
    'TBD',
    'xxx',
    'XX',
    'see above',
    '无',
    '無',
    '没有',
    '暂无',
    '（无）',
    '不适用',
    '不適用',
    '不详',
    '未知',
    '空',
    '同上',
    '待定',
    'なし',
  ])('%j', (value) => {
    expect(ruleOf(value)).toBe('not-applicable');
  });
});

describe('distinguished-name syntax inside a value (RFC 4514)', () => {
  test.each([
    'CN=example.com',
    'Acme, O=Evil Corp',
    'Acme,CN=x',
    'Acme; OU=IT',
    'Acme/CN=evil',
    'Acme+2.5.4.3=evil',
    'cn = x',
    'Acme\\, Ltd',
    'Acme <script>',
    '#04024869',
  ])('%j', (value) => {
    expect(ruleOf(value, 'organizationName')).toBe('dn-syntax');
  });
});

test.each(['Acme &amp; Sons', 'Acme &#38; Sons', 'Acme &#x26; Sons', 'Caf&eacute;', 'Smith &amp Co'])('an HTML entity: %j (pkilint)', (value) => {
  expect(ruleOf(value, 'organizationName')).toBe('html-entity');
});

test.each([
  ['zero-width space', 'Acme\u200b Ltd'],
  ['right-to-left override', 'Acme \u202eLtd'],
  ['soft hyphen', 'Ac\u00adme'],
  ['private use', 'Acme \ue000'],
  ['word joiner', 'Ac\u2060me'],
])('an invisible or unprintable character: %s', (_what, value) => {
  expect(ruleOf(value, 'organizationName')).toBe('unprintable-character');
});

describe('X.520 upper bounds in characters (BR §7.1.4.2), not UTF-16 units', () => {
  test.each(Object.entries(SUBJECT_ATTRIBUTES))('%s: %i characters', (attribute, max) => {
    const at = (n: number) => subjectRefusal('北'.repeat(n), attribute as keyof typeof SUBJECT_ATTRIBUTES)?.rule ?? null;
    expect([at(max), at(max + 1)]).toEqual([null, 'max-length']);
  });

  test('an emoji is one character', () => {
    expect(subjectRefusal('Acme 😀'.repeat(9), 'organizationName')).toBeNull();
  });
});

describe('real values pass', () => {
  test.each([
    ['organizationName', 'Acme Network Technology Co., Ltd.'],
    ['organizationName', '北京示例网络科技有限公司'],
    ['organizationName', 'AT&T Inc.'],
    ['organizationName', 'C++ Consulting GmbH'],
    ['organizationName', 'Müller & Söhne KG'],
    ['organizationName', '1&1 Internet SE'],
    ['organizationName', 'Yahoo!'],
    ['organizationName', 'Acme (China) Ltd.'],
    ['organizationName', 'O\u2019Brien Ltd'],
    ['organizationName', 'شركة مثال'],
    ['organizationName', 'میخک\u200cها'],
    ['localityName', 'Beijing'],
    ['localityName', 'Saint-Étienne'],
    ['localityName', 'Noord-Brabant'],
    ['streetAddress', '1 Zhongguancun Street, Haidian District'],
    ['streetAddress', 'Room 1001, No. 8 Jianguomenwai Ave.'],
    ['postalCode', '100080'],
    ['postalCode', 'SW1A 1AA'],
    ['givenName', 'Lei'],
    ['surname', "O'Neil"],
    ['title', 'CTO'],
    ['title', 'Head of IT / Security'],
  ] as const)('%s %j', (attribute, value) => {
    expect(subjectRefusal(value, attribute)).toBeNull();
  });
});

test('each refusal ends with its source', () => {
  expect(subjectRefusal('-', 'localityName')?.message).toBe(
    "\"-\" has no letter or digit (BR §7.1.2.7.4: no value that is only metadata such as '.', '-' or ' ' (pkilint cabf.insignificant_attribute_value_present))",
  );
});
