import { formatWithOptions } from 'node:util';
import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js/max';
import type { LogEntry } from '@temporalio/worker';

export const MASKED_EMAIL = '[email]';
export const MASKED_PHONE = '[phone]';

/**
 * An address in the RFC 5322 `local@domain` shape, Unicode allowed on both sides (RFC 6531 / RFC 5890),
 * so `li.lei@acme.cn`, `admin@例子.公司` and `admin@example.xn--fiqs8s` are all caught. Deliberately wider
 * than a validator: a log line may only lose too much, never keep an address. A quoted local part
 * (`"li lei"@acme.cn`, RFC 5321 §4.1.2) is an address too, though the API refuses to store one.
 */
const EMAIL =
  /(?:"[^"\r\n]{0,64}"|[\p{L}\p{N}.!#$%&'*+/=?^_`{|}~-]+)@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)+/gu;

/**
 * Phone numbers are found by libphonenumber's matcher (valid numbers only, so dates, ports, UUIDs and
 * durations stay): every number written in international form (`+86 138 0013 8000`, E.164 as stored,
 * `tel:` URIs, extensions included), and numbers in the national form of these regions.
 */
const NATIONAL_FORMS: CountryCode[] = ['CN'];

/** The matcher takes an opening parenthesis before `+86` as part of the number: it stays with the text. */
const unbalancedOpening = (found: string) => found.startsWith('(') && found.split('(').length > found.split(')').length;

function maskPhones(text: string): string {
  const spans = [undefined, ...NATIONAL_FORMS]
    .flatMap((defaultCountry) => findPhoneNumbersInText(text, defaultCountry ? { defaultCountry } : {}))
    .map((found) => ({ start: found.startsAt + (unbalancedOpening(text.slice(found.startsAt, found.endsAt)) ? 1 : 0), end: found.endsAt }))
    .sort((a, b) => a.start - b.start);
  // Two passes may find the same number, or overlapping parts of it: merged, so each is masked whole.
  const merged: { start: number; end: number }[] = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last && span.start < last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  let masked = text;
  for (const { start, end } of merged.reverse()) masked = masked.slice(0, start) + MASKED_PHONE + masked.slice(end);
  return masked;
}

/** `text` with every email address and phone number replaced by `[email]` / `[phone]`. */
export function maskPersonalData(text: string): string {
  return maskPhones(text.replace(EMAIL, MASKED_EMAIL));
}

const line = (args: unknown[]) => maskPersonalData(formatWithOptions({ colors: false, depth: 6 }, ...args));

/**
 * The service's log: every line it writes goes through {@link maskPersonalData} (one place), objects and
 * errors included once formatted. `info` to stdout, `warn` and `error` to stderr, as `console` does.
 */
export const log = {
  info: (...args: unknown[]) => console.log(line(args)),
  warn: (...args: unknown[]) => console.warn(line(args)),
  error: (...args: unknown[]) => console.error(line(args)),
};

/** The Temporal SDK's log lines (worker, activities, workflows through the sinks), masked the same way. */
export function maskedTemporalLogLine(entry: LogEntry): void {
  const date = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const meta = entry.meta === undefined ? '' : ` ${formatWithOptions({ colors: false, depth: 6 }, entry.meta)}`;
  process.stderr.write(`${date} [${entry.level}] ${maskPersonalData(`${entry.message}${meta}`)}\n`);
}
