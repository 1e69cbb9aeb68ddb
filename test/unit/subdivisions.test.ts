import { iso31662 } from 'iso-3166';
import { findSubdivision, hasSubdivisions, subdivisionNameForCode } from '../../src/domain/subdivisions';
import { CITY_STATE_NAMES, EXTRA_SUBDIVISION_NAMES } from '../../src/domain/subdivision-names';

/** Issue 7, item 8: the province is one of the country's ISO 3166-2 subdivisions, in English or local names. */
describe('China: English, pinyin, Chinese (simplified and traditional), with or without designators, and codes', () => {
  test.each([
    ['Beijing', 'CN-BJ'],
    ['beijing', 'CN-BJ'],
    ['Beijing Shi', 'CN-BJ'],
    ['北京', 'CN-BJ'],
    ['北京市', 'CN-BJ'],
    ['BJ', 'CN-BJ'],
    ['cn-bj', 'CN-BJ'],
    ['Guangdong', 'CN-GD'],
    ['Guangdong Province', 'CN-GD'],
    ['广东省', 'CN-GD'],
    ['廣東', 'CN-GD'],
    ['Ｇｕａｎｇｄｏｎｇ', 'CN-GD'],
    ['Guangxi', 'CN-GX'],
    ['广西壮族自治区', 'CN-GX'],
    ['广西', 'CN-GX'],
    ['Inner Mongolia', 'CN-NM'],
    ['Nei Mongol Zizhiqu', 'CN-NM'],
    ['内蒙古', 'CN-NM'],
    ['Tibet', 'CN-XZ'],
    ['Xizang', 'CN-XZ'],
    ['西藏自治区', 'CN-XZ'],
    ['新疆', 'CN-XJ'],
    ['Hong Kong', 'CN-HK'],
    ['香港特别行政区', 'CN-HK'],
    ['台湾', 'CN-TW'],
  ])('%s → %s', (province, code) => {
    expect(findSubdivision('CN', province)).toBe(code);
  });

  test.each(['Shenzhen', '深圳', 'Atlantis', 'China', 'Bavaria', 'Province', '省', 'XX'])('%s is none of them', (province) => {
    expect(findSubdivision('CN', province)).toBeUndefined();
  });
});

test.each([
  ['DE', 'Bavaria', 'DE-BY'],
  ['DE', 'Bayern', 'DE-BY'],
  ['DE', 'Baden-Württemberg', 'DE-BW'],
  ['DE', 'Baden Wurttemberg', 'DE-BW'],
  ['US', 'California', 'US-CA'],
  ['US', 'CA', 'US-CA'],
  ['US', 'New York', 'US-NY'],
  ['JP', 'Tokyo', 'JP-13'],
  ['JP', 'Tôkyô', 'JP-13'],
  ['FR', 'Île-de-France', 'FR-IDF'],
  ['FR', 'Ile de France', 'FR-IDF'],
  ['GB', 'England', 'GB-ENG'],
  ['GB', 'London', 'GB-LND'],
  ['TW', 'Taipei', 'TW-TPE'],
  ['TW', '臺北市', 'TW-TPE'],
  ['TW', '台北', 'TW-TPE'],
  ['SG', 'Singapore', 'SG'],
  ['SG', 'Central Singapore', 'SG-01'],
])('%s: %s → %s', (country, province, code) => {
  expect(findSubdivision(country, province)).toBe(code);
});

test.each([
  ['US', 'Beijing'],
  ['DE', 'California'],
  ['JP', 'Texas'],
])('%s: %s belongs to another country', (country, province) => {
  expect(findSubdivision(country, province)).toBeUndefined();
});

test('countries without ISO 3166-2 subdivisions are not checked against a list', () => {
  expect(['HK', 'MO', 'VA', 'GI'].filter(hasSubdivisions)).toEqual([]);
  expect(['CN', 'US', 'DE', 'SG'].every(hasSubdivisions)).toBe(true);
});

test('every code in the added names is an ISO 3166-2 code (or a city-state)', () => {
  const codes = new Set(iso31662.map((entry) => entry.code));
  expect(Object.keys(EXTRA_SUBDIVISION_NAMES).filter((code) => !codes.has(code))).toEqual([]);
  expect(Object.keys(CITY_STATE_NAMES).every(hasSubdivisions)).toBe(true);
  // Every Chinese subdivision has a Chinese name.
  expect(iso31662.filter((entry) => entry.parent === 'CN' && !EXTRA_SUBDIVISION_NAMES[entry.code]).map((entry) => entry.code)).toEqual([]);
});

test("every ISO 3166-2 code is stored as a name of that subdivision: CLDR's English where it names it alone, else ISO's own", () => {
  const wrong: string[] = [];
  for (const { code, name: isoName } of iso31662) {
    const country = code.slice(0, 2);
    const name = subdivisionNameForCode(country, code)!;
    const fromIso = isoName.startsWith(name);
    // No superscript or language note; a name that is not ISO's is CLDR's and is read back as this very code.
    if (/[\u00b2\u00b3\u00b9\u2070-\u2079]|\((?:[a-z]{2,3}(?:,\s*)?)+\)$/u.test(name) || (!fromIso && findSubdivision(country, name) !== code))
      wrong.push(`${code} → ${name}`);
  }
  expect(wrong).toEqual([]);
  // CLDR keeps Iran's codes from before 2018: IR-10 is Isfahan in ISO 3166-2 now, Khuzestan in CLDR.
  expect(subdivisionNameForCode('IR', 'IR-10')).toBe(iso31662.find((e) => e.code === 'IR-10')!.name);
  expect([subdivisionNameForCode('CN', 'BJ'), subdivisionNameForCode('LU', 'D'), subdivisionNameForCode('FR', 'IDF')]).toEqual([
    'Beijing',
    'Diekirch',
    iso31662.find((e) => e.code === 'FR-IDF')!.name,
  ]);
});
