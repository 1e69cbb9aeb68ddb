import { parseDigits, parsePhoneNumberFromString, type CountryCode, type PhoneNumberType } from 'libphonenumber-js/max';

/** What a phone number is for: the organization's switchboard the CA calls, or the administrator's own mobile. */
export type PhoneKind = 'landline' | 'mobile';

/** Number types (libphonenumber's, from the numbering plan) each kind accepts; FIXED_LINE_OR_MOBILE is where the plan cannot tell. */
export const ACCEPTED_PHONE_TYPES: Record<PhoneKind, readonly PhoneNumberType[]> = {
  landline: ['FIXED_LINE', 'FIXED_LINE_OR_MOBILE'],
  mobile: ['MOBILE', 'FIXED_LINE_OR_MOBILE'],
};

export type PhoneRule = 'phone-number' | 'phone-type' | 'mobile-extension';
export type PhoneResult = { ok: true; value: string } | { ok: false; rule: PhoneRule; message: string };

/**
 * Extension words libphonenumber does not read (it reads "ext.", "x", "#", "~", ";ext=", "доб."…):
 * Chinese 转 / 分机 and their traditional forms, Japanese 内線, Korean 내선. Rewritten to " ext. ".
 */
const CJK_EXTENSION = /\s*(?:转|轉|分机|分機|内线|內線|内線|내선)\s*(?=\p{Nd})/gu;

/**
 * Reads a phone number as the CA will dial it. Returns E.164 (ITU-T E.164; national numbers are read in
 * `defaultCountry`, an ISO 3166-1 alpha-2 code) followed, when the input names an extension, by
 * RFC 3966's `;ext=<digits>` (e.g. `+861065529988;ext=8001`), so the extension is kept wherever the
 * number is stored or shown. The whole input must be the number: nothing is silently dropped.
 *
 * Refusals: `phone-number` (not a valid number of its country's numbering plan), `phone-type` (the
 * plan says the number is of a type `kind` does not accept, named in the message: a landline must be
 * FIXED_LINE, a mobile MOBILE, either may be FIXED_LINE_OR_MOBILE), `mobile-extension` (a mobile has no
 * extension). Types come from libphonenumber-js's full (`max`) metadata.
 */
export function normalizePhone(value: string, defaultCountry: string | undefined, kind: PhoneKind): PhoneResult {
  // NFKC: fullwidth forms (＋８６…), which libphonenumber reads only in part, become ASCII.
  const text = value.normalize('NFKC').trim().replace(CJK_EXTENSION, ' ext. ');
  const parsed = parsePhoneNumberFromString(text, { defaultCountry: defaultCountry as CountryCode | undefined, extract: false });
  if (!parsed || !parsed.isValid()) {
    return {
      ok: false,
      rule: 'phone-number',
      message: 'not a valid phone number (use international format, e.g. +86 10 6552 9988, with an extension as "ext. 8001")',
    };
  }
  const type = parsed.getType();
  if (!type || !ACCEPTED_PHONE_TYPES[kind].includes(type)) {
    const wanted = kind === 'landline' ? 'a landline (FIXED_LINE) the CA can call to reach the organization' : 'a mobile number (MOBILE)';
    return { ok: false, rule: 'phone-type', message: `${type ? `is a ${type} number` : 'is a number of unknown type'}; ${wanted} is required` };
  }
  const extension = parsed.ext ? parseDigits(parsed.ext) : undefined;
  if (extension && kind === 'mobile') return { ok: false, rule: 'mobile-extension', message: 'a mobile number has no extension' };
  return { ok: true, value: extension ? `${parsed.number};ext=${extension}` : parsed.number };
}
