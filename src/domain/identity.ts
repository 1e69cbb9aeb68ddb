/**
 * When two profiles in one account are the same organization or the same person (issue 7, item 9):
 * compared after the normalization the product applies to what customers type, so spellings that differ
 * only in letter case, character width (NFKC: "，" and ","), whitespace, punctuation or invisible format
 * characters (the ZWJ/ZWNJ names may hold, which nobody sees between two Latin letters) are one.
 *
 * - An organization is its legal name in its country (the subject's O and C): two profiles of one legal
 *   entity would put the same organization in certificates and be reviewed twice.
 * - An administrator is a given name, a surname and a mailbox within one organization. The same person
 *   acting for two organizations of the account is two administrators, since the CA verifies each
 *   authority on its own (BR §3.2.5).
 */

/** NFKC, case-folded (upper then lower, so "ß" and "SS" meet), without whitespace, punctuation or format characters. */
export function matchKey(text: string): string {
  return text
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
    .replace(/[\s\p{P}\p{Cf}]/gu, '');
}

/** A stored address (`local@a-label.domain`) compared case-insensitively, the local part in NFKC without format characters. */
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
