/**
 * When two profiles in one account are the same organization or the same person (issue 7, item 9):
 * compared after the normalization the product applies to what customers type, so spellings that differ
 * only in letter case, character width (NFKC: "，" and ","), whitespace, punctuation or invisible
 * characters are one. The invisible ones are those of `INVISIBLE_CHARACTER` (./subject-attributes.ts):
 * every Default_Ignorable_Code_Point (Unicode TR #44), such as the ZWJ/ZWNJ names may hold, which nobody
 * sees between two Latin letters, a Hangul filler U+3164 or a variation selector U+FE0F, plus the format
 * characters and the blanks U+2800 and U+1D159. They are dropped as UTS #39 §4's skeleton drops
 * default-ignorables (and as whitespace is), before NFKC too, so that one hidden between a letter and its
 * combining mark (U+034F) does not keep the two from composing. New values holding them other than
 * ZWJ/ZWNJ are refused (`unprintable-character`), but older ones may still hold them.
 *
 * - An organization is its legal name in its country (the subject's O and C): two profiles of one legal
 *   entity would put the same organization in certificates and be reviewed twice.
 * - An administrator is a given name, a surname and a mailbox within one organization. The same person
 *   acting for two organizations of the account is two administrators, since the CA verifies each
 *   authority on its own (BR §3.2.5).
 */
import { INVISIBLE_CHARACTER } from './subject-attributes';

const INVISIBLE = new RegExp(INVISIBLE_CHARACTER.source, 'gu');
const INVISIBLE_SPACE_OR_PUNCTUATION = new RegExp(`[\\s\\p{P}]|${INVISIBLE_CHARACTER.source}`, 'gu');

/** NFKC, case-folded (upper then lower, so "ß" and "SS" meet), without whitespace, punctuation or invisible characters. */
export function matchKey(text: string): string {
  return text.replace(INVISIBLE, '').normalize('NFKC').toUpperCase().toLowerCase().replace(INVISIBLE_SPACE_OR_PUNCTUATION, '');
}

/**
 * A stored address (`local@a-label.domain`) compared case-insensitively, the local part in NFKC without
 * format characters. Kept as it was: console users' keys are stored (`users.email_key`), and a new address
 * cannot hold the other invisible characters (`normalizeEmailAddress` refuses them).
 */
export function mailboxKey(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email
    .slice(0, at)
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
    .replace(/\p{Cf}/gu, '');
  return `${local}@${email.slice(at + 1).toLowerCase()}`;
}

export function organizationIdentity(organization: { name: string; country: string }): string {
  return `${organization.country.toUpperCase()} ${matchKey(organization.name)}`;
}

export function administratorIdentity(administrator: { firstName: string; lastName: string; email: string }): string {
  return `${matchKey(administrator.firstName)} ${matchKey(administrator.lastName)} ${mailboxKey(administrator.email)}`;
}
