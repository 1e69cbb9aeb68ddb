/**
 * Unicode NFC, trimmed, inner whitespace collapsed: two spellings of one legal name compare equal.
 * U+FEFF is no whitespace (Unicode's White_Space leaves it out; JavaScript's `\s` keeps it for old
 * reasons): inside a value it stays, for the invisible-character rules to refuse.
 */
export function normalizeText(value: string): string {
  return value
    .normalize('NFC')
    .trim()
    .replace(/[^\S\uFEFF]+/g, ' ');
}
