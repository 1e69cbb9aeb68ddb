import { randomUUID, createHash } from 'node:crypto';
import type { Request } from 'express';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { COUNTRY_CODES } from '../domain/countries';
import type { Idempotency } from '../db/idempotent-create';

/** Countries for a select, named in the viewer's language (Intl.DisplayNames), sorted by name. */
export function countryOptions(lang: string): Array<{ value: string; label: string }> {
  const names = new Intl.DisplayNames([lang], { type: 'region' });
  return [...COUNTRY_CODES].map((code) => ({ value: code, label: `${names.of(code) ?? code} (${code})` })).sort((a, b) => a.label.localeCompare(b.label, lang));
}

/**
 * A stored number for people: `+86 10 6552 9988 ext. 8001`, and its `tel:` URI (RFC 3966, extension kept) to dial it.
 * A number libphonenumber cannot read is shown as stored.
 */
export function phoneDisplay(stored: string | null | undefined, extLabel = 'ext.'): { text: string; uri: string } | null {
  if (!stored) return null;
  const [number, ...params] = stored.split(';');
  const ext = params.find((p) => p.startsWith('ext='))?.slice(4);
  const parsed = parsePhoneNumberFromString(number);
  const text = `${parsed?.formatInternational() ?? number}${ext ? ` ${extLabel} ${ext}` : ''}`;
  return { text, uri: `tel:${stored}` };
}

/**
 * A hidden form field that makes a create safe to send twice (a double click, a reload of the answer):
 * the same value is an Idempotency-Key to the use case, which answers the first request's result.
 */
export const newFormKey = () => randomUUID();

/** The Idempotency-Key of a console form: its hidden `_idempotency` value, fingerprinted with the route and the fields sent. */
export function formIdempotency(req: Request, body: unknown): Idempotency | undefined {
  const key = (req.body as Record<string, unknown>)?._idempotency;
  if (typeof key !== 'string' || !/^[0-9a-f-]{36}$/.test(key)) return undefined;
  return {
    key: `console:${key}`,
    fingerprint: createHash('sha256')
      .update(`POST ${req.baseUrl}${req.path} ${JSON.stringify(body)}`)
      .digest('hex'),
  };
}
