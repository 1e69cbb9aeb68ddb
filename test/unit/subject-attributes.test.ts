import { subjectRefusal, unprintableRefusal, SUBJECT_ATTRIBUTES } from '../../src/domain/subject-attributes';
import { normalizeText } from '../../src/domain/normalize';
import { createOrganizationBody, administratorInput } from '../../src/domain/schemas';
import { parse } from '../../src/problem';
import { ADMINISTRATOR, ORGANIZATION } from '../support/harness';
import { faults, problemOf } from '../support/problems';

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

/**
 * Invisible characters outside Cf: every Default_Ignorable_Code_Point (Unicode TR #44) and the characters
 * that render blank (U+2800), refused like the format characters (TR #36 §2; UTS #39 §3.1), naming the character.
 */
const INVISIBLE_OUTSIDE_CF = {
  'Hangul filler': [0x3164, 0x115f, 0x1160, 0xffa0],
  'Khmer inherent vowel': [0x17b4, 0x17b5],
  'blank that is not default-ignorable': [0x2800, 0x1d159],
};
/** They choose how the character before them is drawn: allowed after a letter, digit or symbol only. */
const SELECTORS = {
  'combining grapheme joiner': [0x034f],
  'Mongolian free variation selector': [0x180b, 0x180c, 0x180d, 0x180f],
  'variation selector': [0xfe00, 0xfe07, 0xfe0e, 0xfe0f],
  'variation selector supplement': [0xe0100, 0xe0150, 0xe01ef],
};
const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
const invisibleCases = Object.entries(INVISIBLE_OUTSIDE_CF).flatMap(([what, codes]) =>
  codes.map((code) => [what, hex(code), String.fromCodePoint(code)] as const),
);

describe('invisible characters outside Cf (Default_Ignorable_Code_Point, blanks)', () => {
  test.each(invisibleCases)('%s %s, in every attribute, at the start, inside and at the end', (_what, code, character) => {
    for (const attribute of Object.keys(SUBJECT_ATTRIBUTES) as Array<keyof typeof SUBJECT_ATTRIBUTES>) {
      for (const value of [`${character}Delta`, `Delta${character} Trading Ltd`, `Delta Trading Ltd${character}`, character]) {
        const refused = subjectRefusal(normalizeText(value), attribute);
        expect({ attribute, value, rule: refused?.rule }).toEqual({ attribute, value, rule: 'unprintable-character' });
        expect(refused?.message).toContain(`the invisible or unprintable character ${code} (RFC 5280 §4.1.2.4; Unicode TR #36 §2`);
      }
    }
  });

  test.each(Object.entries(SELECTORS).flatMap(([what, codes]) => codes.map((code) => [what, hex(code), String.fromCodePoint(code)] as const)))(
    '%s %s: after a letter, digit or symbol allowed; at the start, after a space, alone or doubled refused',
    (_what, code, character) => {
      for (const value of [`葛${character}西`, `Delta${character} Trading Ltd`, `Room 1${character}`, `❤${character} Acme`])
        expect(unprintableRefusal(value)).toBeNull();
      for (const value of [`${character}Delta`, `Delta ${character}Trading`, character, `Delta${character}${character}`]) {
        expect(unprintableRefusal(normalizeText(value))?.message).toContain(`character ${code} (`);
      }
    },
  );

  test('the first invisible character is the one named', () => {
    expect(unprintableRefusal('Ac\u3164me \ue000')?.message).toContain('U+3164');
    expect(unprintableRefusal('Ac\ue000me \u3164')?.message).toContain('U+E000');
    expect(unprintableRefusal('Acme \u{E01EF}')?.message).toContain('U+E01EF');
  });

  test('format characters outside Default_Ignorable_Code_Point stay refused as before (U+0600, U+FFF9)', () => {
    expect(ruleOf('Acme \u0600Ltd', 'organizationName')).toBe('unprintable-character');
    expect(ruleOf('Acme \ufff9Ltd', 'organizationName')).toBe('unprintable-character');
  });

  test('ZWNJ/ZWJ, which Persian and Indic scripts need, stay allowed; so do spaces, which are normalized', () => {
    expect(ruleOf('میخک\u200cها', 'organizationName')).toBeNull();
    expect(ruleOf('क्\u200dष', 'givenName')).toBeNull();
    expect(ruleOf('北京市\u3000海淀区 1 号', 'streetAddress')).toBeNull();
    expect(ruleOf('Room\u00a01001, No.\u20038 Jianguomenwai Ave.', 'streetAddress')).toBeNull();
    expect(unprintableRefusal('Acme 😀')).toBeNull();
  });

  test('the review\'s examples: an organization "Delta\\u3164 Trading Ltd", an administrator named "\\u3164": 422 naming each field', () => {
    const problem = problemOf(() =>
      parse(createOrganizationBody, {
        organization: { ...ORGANIZATION, name: 'Delta\u3164 Trading Ltd' },
        administrator: { ...ADMINISTRATOR, firstName: '\u3164' },
      }),
    );
    expect(problem.status).toBe(422);
    expect(faults(problem)).toEqual([
      ['organization.name', 'unprintable-character'],
      ['administrator.firstName', 'unprintable-character'],
    ]);
    expect(problem.extra.errors!.map((e) => e.message)).toEqual([expect.stringContaining('U+3164'), expect.stringContaining('U+3164')]);
  });

  test.each(invisibleCases)('%s %s: each reviewed text field of an organization and an administrator refuses it', (_what, code, character) => {
    const organizationFields = ['name', 'department', 'city', 'address', 'postalCode'] as const;
    const problem = problemOf(() =>
      parse(createOrganizationBody, {
        organization: {
          ...ORGANIZATION,
          ...Object.fromEntries(organizationFields.map((field) => [field, `${ORGANIZATION.name.slice(0, 4)}${character}100080`])),
        },
        administrator: { ...ADMINISTRATOR, firstName: `Le${character}i`, lastName: character, position: `CTO${character}` },
      }),
    );
    expect(faults(problem)).toEqual([
      ...organizationFields.map((field) => [`organization.${field}`, 'unprintable-character']),
      ['administrator.firstName', 'unprintable-character'],
      ['administrator.lastName', 'unprintable-character'],
      ['administrator.position', 'unprintable-character'],
    ]);
    expect(problem.extra.errors!.every((e) => e.message.includes(code))).toBe(true);
    const patch = problemOf(() => parse(administratorInput('CN').partial(), { lastName: `Li${character}` }));
    expect(faults(patch)).toEqual([['lastName', 'unprintable-character']]);
  });
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
