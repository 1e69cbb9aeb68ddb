/**
 * The rules a value must meet before a CA can put it in a certificate's subject (issue 7, item 8):
 * the Baseline Requirements' subject rules and the checks the CA lint tools zlint and pkilint run on
 * subject attribute values. Pure; each refusal names its rule (`SUBJECT_RULES`) and cites its source.
 *
 * Whitespace is not refused but normalized before these rules run (`normalizeText`: trimmed, runs
 * collapsed to one space), so no stored value has the leading, trailing or repeated whitespace zlint's
 * `w_subject_dn_leading_whitespace` / `w_subject_dn_trailing_whitespace` warn about.
 */
import { decodeHTML } from 'entities';

/**
 * The X.520 attribute each reviewed field becomes, with its upper bound in characters (BR §7.1.4.2
 * "Encoding and Order Requirements"; X.520 `ub-title` for title; zlint `e_subject_*_max_length`).
 */
export const SUBJECT_ATTRIBUTES = {
  organizationName: 64,
  organizationalUnitName: 64,
  stateOrProvinceName: 128,
  localityName: 128,
  streetAddress: 128,
  postalCode: 40,
  givenName: 64,
  surname: 64,
  title: 64,
} as const;
export type SubjectAttribute = keyof typeof SUBJECT_ATTRIBUTES;

/** Each rule a subject value can break, with the source a refusal cites. */
export const SUBJECT_RULES = {
  'max-length': 'BR §7.1.4.2; X.520 upper bounds',
  'unprintable-character': 'RFC 5280 §4.1.2.4; Unicode TR #36 §2: invisible, bidirectional-control, private-use or unassigned characters',
  'metadata-only': "BR §7.1.2.7.4: no value that is only metadata such as '.', '-' or ' ' (pkilint cabf.insignificant_attribute_value_present)",
  'not-applicable': 'BR §7.1.2.7.4: no value that says it is absent, incomplete or not applicable',
  'dn-syntax': 'RFC 4514 §2.4, §3: distinguished-name syntax inside a value',
  'html-entity': 'pkilint cabf.name.attribute_value_contains_html_entity',
} as const;
export type SubjectRule = keyof typeof SUBJECT_RULES;

export interface SubjectRefusal {
  rule: SubjectRule;
  /** The rule's numbers for this value (`max-length`: `{ maximum }`). */
  values?: { maximum: number };
  /** One sentence for the customer, ending with the rule's source in parentheses. */
  message: string;
}

/**
 * Words that say a value is absent or not applicable, in English, Chinese (simplified and traditional)
 * and Japanese, compared as `compactKey` leaves them (so "N/A", "n.a.", "Ｎ／Ａ" and "Not Applicable" all match).
 */
const NOT_APPLICABLE = new Set(
  [
    'na',
    'nil',
    'null',
    'none',
    'nothing',
    'empty',
    'blank',
    'missing',
    'unknown',
    'not known',
    'undefined',
    'unspecified',
    'not specified',
    'not applicable',
    'not available',
    'unavailable',
    'not provided',
    'not given',
    'not set',
    'not required',
    'tbd',
    'tba',
    'tbc',
    'to be determined',
    'to be confirmed',
    'pending',
    'withheld',
    'redacted',
    'same as above',
    'as above',
    'see above',
    '无',
    '無',
    '没有',
    '沒有',
    '暂无',
    '暫無',
    '无此项',
    '無此項',
    '不适用',
    '不適用',
    '不详',
    '不詳',
    '不明',
    '未知',
    '不知道',
    '空',
    '空白',
    '缺',
    '缺失',
    '略',
    '省略',
    '同上',
    '待定',
    '未填',
    '未填写',
    '未填寫',
    '未提供',
    'なし',
    '該当なし',
  ].map((word) => compactKey(word)),
);

/** NFKC (full-width forms to their usual width), case-folded, and only letters and digits kept. */
function compactKey(value: string): string {
  return value
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * Characters nobody sees, with which one value can pass for another or for nothing (Unicode TR #36 §2,
 * "Visual Security Issues"; UTS #39 §3.1 gives them Identifier_Type=Default_Ignorable, not allowed):
 * - every Default_Ignorable_Code_Point (Unicode TR #44; DerivedCoreProperties.txt), the code points a
 *   renderer shows as nothing: the format characters (bidi controls U+202A–U+202E and U+2066–U+2069,
 *   U+200B ZWSP, U+00AD soft hyphen, U+2060 word joiner, U+FEFF, tags) and, outside Cf, U+034F combining
 *   grapheme joiner, the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, the Khmer inherent vowels
 *   U+17B4–U+17B5, the Mongolian free variation selectors U+180B–U+180F, the variation selectors
 *   U+FE00–U+FE0F and U+E0100–U+E01EF, and the code points reserved for more of them;
 * - the few format characters (Cf) that are not default-ignorable (U+0600 and the other prepended
 *   concatenation marks, U+FFF9–U+FFFB interlinear annotation), refused here before as all of Cf was;
 * - characters that are not default-ignorable but render blank: U+2800 BRAILLE PATTERN BLANK and U+1D159
 *   MUSICAL SYMBOL NULL NOTEHEAD. (The spaces are whitespace, which `normalizeText` collapses.)
 *
 * ZWNJ/ZWJ (U+200C/U+200D) are default-ignorable too, but names keep them: Persian and Indic scripts need
 * them to spell words (UAX #31 §2.3 allows them in identifiers in those contexts). The duplicate check
 * ignores them with the rest (src/domain/identity.ts), so they cannot make a second organization or person.
 */
export const INVISIBLE_CHARACTER = /[\p{Default_Ignorable_Code_Point}\p{Cf}\u2800\u{1D159}]/u;

/**
 * Variation selectors (U+FE00–U+FE0F, U+E0100–U+E01EF ideographic variants such as 葛󠄀 in a registered
 * name; U+180B–U+180F of Mongolian script) and the combining grapheme joiner select how the character
 * before them is drawn: allowed right after a letter, digit or symbol, never at the start, after a space
 * or doubled, where they show nothing. The duplicate check ignores them all the same (identity.ts).
 */
const ATTACHED_SELECTOR = '(?<=[\\p{L}\\p{N}\\p{So}])[\\u034F\\u180B-\\u180F\\uFE00-\\uFE0F\\u{E0100}-\\u{E01EF}]';

/** The invisible characters but ZWNJ/ZWJ and attached selectors, and private-use and unassigned code points (no font shows them as meant). */
const UNPRINTABLE = new RegExp(`[\\p{Co}\\p{Cn}]|(?![\\u200c\\u200d])(?!${ATTACHED_SELECTOR})${INVISIBLE_CHARACTER.source}`, 'u');

/** An attribute type (a name or an OID) assigned a value, at the start or after an RDN separator: `CN=`, `, O=`, `/OU=`, `+2.5.4.3=`. */
const ATTRIBUTE_ASSIGNMENT = /(?:^|[,;+/])\s*(?:[a-z][a-z0-9-]*|\d+(?:\.\d+)+)\s*=/i;

function dnSyntax(value: string): string | null {
  if (ATTRIBUTE_ASSIGNMENT.test(value)) return 'contains distinguished-name syntax ("TYPE=" after a separator)';
  if (value.includes('\\')) return 'contains a backslash, the escape character of distinguished names';
  if (/[<>]/.test(value)) return 'contains "<" or ">"';
  if (value.startsWith('#')) return 'starts with "#", which marks a hex-encoded value in a distinguished name';
  return null;
}

const refusal = (rule: SubjectRule, detail: string, values?: SubjectRefusal['values']): SubjectRefusal => ({
  rule,
  message: `${detail} (${SUBJECT_RULES[rule]})`,
  ...(values ? { values } : {}),
});

/** Characters as ASN.1 counts them for DirectoryString (code points, not UTF-16 units). */
export const characterCount = (value: string) => [...value].length;

/**
 * The `unprintable-character` refusal of a value holding an invisible (`INVISIBLE_CHARACTER`, but for
 * ZWNJ/ZWJ), private-use or unassigned character, naming the first one; else null. Every person's name the
 * service keeps is held to it, in a subject or not (notification contacts' names: src/notify/settings-input.ts).
 */
export function unprintableRefusal(value: string): SubjectRefusal | null {
  const found = UNPRINTABLE.exec(value);
  if (!found) return null;
  const code = found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return refusal('unprintable-character', `contains the invisible or unprintable character U+${code}`);
}

/**
 * The first subject rule a normalized, non-empty value breaks as `attribute`, or null. Order: length,
 * unprintable characters, only metadata, "not applicable", DN syntax, HTML entities.
 */
export function subjectRefusal(value: string, attribute: SubjectAttribute): SubjectRefusal | null {
  const max = SUBJECT_ATTRIBUTES[attribute];
  if (characterCount(value) > max) return refusal('max-length', `at most ${max} characters, the upper bound of ${attribute}`, { maximum: max });
  const unprintable = unprintableRefusal(value);
  if (unprintable) return unprintable;
  const key = compactKey(value);
  if (key === '') return refusal('metadata-only', `"${value}" has no letter or digit`);
  if (NOT_APPLICABLE.has(key) || /^x+$/.test(key))
    return refusal('not-applicable', `"${value}" says the value is absent or not applicable; give the real value`);
  const dn = dnSyntax(value);
  if (dn) return refusal('dn-syntax', dn);
  if (decodeHTML(value) !== value) return refusal('html-entity', 'contains an HTML entity (such as "&amp;"); write the character itself');
  return null;
}
