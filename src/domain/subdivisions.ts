/**
 * Is a province one of its country's ISO 3166-2 subdivisions? Read from two maintained data packages:
 * `iso-3166` (ISO 3166-2 codes with ISO's names, which are the local names in Latin script: "Bayern",
 * "Beijing Shi", "Tôkyô") and Unicode CLDR's `cldr-subdivisions-full` (English names: "Bavaria",
 * "Beijing", "Tokyo"), plus the Chinese names in `subdivision-names.ts`. Every level counts (a French
 * region or département, an English county or country of the UK).
 */
import { iso31662 } from 'iso-3166';
import cldrEnglish from 'cldr-subdivisions-full/subdivisions/en/en.json';
import { CITY_STATE_NAMES, EXTRA_SUBDIVISION_NAMES } from './subdivision-names';

/**
 * Words that name the kind of subdivision rather than which one ("Guangdong Province", "Beijing Shi",
 * "广东省", "東京都"): left out on both sides of the comparison, so either spelling matches.
 */
const LATIN_DESIGNATORS =
  /\b(?:province|provincia|prov|state|region|prefecture|county|municipality|city|district|territory|autonomous|special administrative|sar|sheng|shi|zizhiqu|zhuangzu|huizu|uygur|of)\b/g;
const CJK_DESIGNATORS = /(?:特别行政区|特別行政區|维吾尔自治区|維吾爾自治區|壮族自治区|壯族自治區|回族自治区|回族自治區|自治区|自治區|省|市|县|縣|都|府|県)$/u;

/** The superscript CLDR adds to tell two subdivisions' English names apart ("Île-de-France²"). */
const CLDR_SUPERSCRIPT = /[\u00b2\u00b3\u00b9\u2070-\u2079]+$/u;

/**
 * The comparison form of a name: NFKC, case-folded, without diacritics, CLDR's disambiguating
 * superscripts ("Île-de-France²") or designators, and with only letters and digits left.
 */
export function subdivisionKey(name: string): string {
  const folded = name
    .replace(CLDR_SUPERSCRIPT, '')
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/臺/g, '台')
    .replace(LATIN_DESIGNATORS, ' ')
    .replace(/[^\p{L}\p{N}]/gu, '');
  return folded.replace(CJK_DESIGNATORS, '');
}

const englishNames = (cldrEnglish as { subdivisions: { localeDisplayNames: { subdivisions: Record<string, string> } } }).subdivisions.localeDisplayNames
  .subdivisions;

/** Country → (comparison key → ISO 3166-2 code), built once on first use. */
let byCountry: Map<string, Map<string, string>> | undefined;
const CODES: ReadonlySet<string> = new Set(iso31662.map((entry) => entry.code));

function table(): Map<string, Map<string, string>> {
  if (byCountry) return byCountry;
  byCountry = new Map();
  const add = (code: string, name: string) => {
    const country = code.slice(0, 2);
    const key = subdivisionKey(name);
    if (key === '') return;
    let names = byCountry!.get(country);
    if (!names) byCountry!.set(country, (names = new Map()));
    if (!names.has(key)) names.set(key, code);
  };
  for (const { code, name } of iso31662) {
    add(code, name);
    const english = englishNames[code.replace('-', '').toLowerCase()];
    if (english) add(code, english);
  }
  for (const [code, names] of Object.entries(EXTRA_SUBDIVISION_NAMES)) for (const name of names) add(code, name);
  for (const [country, names] of Object.entries(CITY_STATE_NAMES)) for (const name of names) add(country, name);
  return byCountry;
}

/** Does ISO 3166-2 list subdivisions for this country (HK, MO and most small territories have none)? */
export function hasSubdivisions(country: string): boolean {
  return table().has(country);
}

/** `province` as one of the country's ISO 3166-2 codes ("BJ", "cn-bj" → "CN-BJ"), or undefined when it is no code of it. */
function codeOf(country: string, province: string): string | undefined {
  const given = province.trim().toUpperCase();
  const code = given.startsWith(`${country}-`) ? given : `${country}-${given}`;
  return CODES.has(code) ? code : undefined;
}

/**
 * The ISO 3166-2 code (or, for a city-state's own name, the country code) of `province` in `country`
 * (ISO 3166-1 alpha-2), given as a name in English, in ISO's local form or in Chinese, with or without
 * its designator, or as its code ("BJ", "CN-BJ"); undefined when it is none of the country's.
 */
export function findSubdivision(country: string, province: string): string | undefined {
  const names = table().get(country);
  if (!names) return undefined;
  const code = codeOf(country, province);
  if (code) return code;
  const key = subdivisionKey(province);
  return key === '' ? undefined : names.get(key);
}

/**
 * The name to store for `province` when it was given as an ISO 3166-2 code ("BJ", "cn-bj"): the
 * subdivision's English name from CLDR, else ISO's ("Beijing", "Bavaria"); undefined when it was given as a
 * name, which is stored as sent. A certificate's stateOrProvinceName spells the province out (the CAs'
 * subject requirements: no abbreviations), so a code never reaches it.
 */
export function subdivisionNameForCode(country: string, province: string): string | undefined {
  const code = codeOf(country, province);
  if (!code) return undefined;
  // ISO's name, without the note of the languages it is given in ("Diekirch (de, lb)").
  const iso = iso31662.find((entry) => entry.code === code)!.name.replace(/\s*\((?:[a-z]{2,3}(?:,\s*)?)+\)$/, '');
  // CLDR's English name only where it is plainly this subdivision's: CLDR keeps some codes ISO has since
  // reassigned (Iran's, 2018), and labels some with a disambiguating superscript or a note in brackets.
  const english = englishNames[code.replace('-', '').toLowerCase()];
  const usable = english && !CLDR_SUPERSCRIPT.test(english) && !english.includes('(') && findSubdivision(country, english) === code;
  return usable ? english : iso;
}

/** A code of one of the country's subdivisions with its English name, for messages: `CN-AH (Anhui)`. */
export function subdivisionExample(country: string): string {
  const code = iso31662.find((entry) => entry.code.startsWith(`${country}-`))?.code;
  if (!code) return `${country}-…`;
  const english = englishNames[code.replace('-', '').toLowerCase()];
  return english ? `${code} (${english})` : code;
}
