import { domainToASCII } from 'node:url';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

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

export type PhoneResult = { ok: true; e164: string } | { ok: false; message: string };

/**
 * E.164 normalization. National numbers are read in `defaultCountry`.
 * A landline must be a fixed-line number: the CA's verification call goes to the organization's switchboard.
 */
export function normalizePhone(value: string, defaultCountry: string | undefined, kind: 'landline' | 'any'): PhoneResult {
  const parsed = parsePhoneNumberFromString(value.trim(), defaultCountry as CountryCode | undefined);
  if (!parsed || !parsed.isValid()) {
    return { ok: false, message: 'not a valid phone number (use international format, e.g. +86 10 6552 9988)' };
  }
  if (kind === 'landline') {
    const type = parsed.getType();
    if (type === 'MOBILE' || type === 'PAGER' || type === 'PREMIUM_RATE' || type === 'SHARED_COST') {
      return { ok: false, message: `must be a fixed-line number the CA can call, not a ${type.toLowerCase().replace('_', ' ')} number` };
    }
  }
  return { ok: true, e164: parsed.number };
}
