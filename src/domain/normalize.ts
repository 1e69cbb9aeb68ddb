import { domainToASCII } from 'node:url';

/** Unicode NFC, trimmed, inner whitespace collapsed: two spellings of one legal name compare equal. */
export function normalizeText(value: string): string {
  return value.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/** Lowercased, IDN domain part in A-labels; null when the address cannot be made ASCII-safe. */
export function normalizeEmail(value: string): string | null {
  const trimmed = value.trim();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return null;
  const domain = domainToASCII(trimmed.slice(at + 1).toLowerCase());
  if (!domain) return null;
  return `${trimmed.slice(0, at).toLowerCase()}@${domain}`;
}
