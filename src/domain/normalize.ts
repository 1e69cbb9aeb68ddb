/** Unicode NFC, trimmed, inner whitespace collapsed: two spellings of one legal name compare equal. */
export function normalizeText(value: string): string {
  return value.normalize('NFC').trim().replace(/\s+/g, ' ');
}
