import { AsyncLocalStorage } from 'node:async_hooks';
import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js/max';
import type { LogLevel as SdkLogLevel } from '@temporalio/common';
import type { LogEntry } from '@temporalio/worker';
import pino from 'pino';

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

/** IPv4 addresses, with a port: the phone matcher would otherwise take `10.255.255.53:53` for a number. */
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g;

/**
 * Phone numbers are found by libphonenumber's matcher (valid numbers only, so dates, ports, UUIDs and
 * durations stay): every number written in international form (`+86 138 0013 8000`, E.164 as stored,
 * `tel:` URIs, extensions included), and numbers in the national form of these regions.
 */
const NATIONAL_FORMS: CountryCode[] = ['CN'];

/** The matcher takes an opening parenthesis before `+86` as part of the number: it stays with the text. */
const unbalancedOpening = (found: string) => found.startsWith('(') && found.split('(').length > found.split(')').length;

function maskPhones(text: string): string {
  const addresses = [...text.matchAll(IPV4)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  const spans = [undefined, ...NATIONAL_FORMS]
    .flatMap((defaultCountry) => findPhoneNumbersInText(text, defaultCountry ? { defaultCountry } : {}))
    .map((found) => ({ start: found.startsAt + (unbalancedOpening(text.slice(found.startsAt, found.endsAt)) ? 1 : 0), end: found.endsAt }))
    .filter((span) => !addresses.some((a) => span.start >= a.start && span.end <= a.end))
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

/** Every string inside `value` masked (objects and arrays copied, to a bounded depth); errors are left to the `err` serializer. */
function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPersonalData(value);
  if (value === null || typeof value !== 'object' || value instanceof Error || depth > 6) return value;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, depth + 1)]));
}

/** Keys that hold personal data by name: removed from log objects whatever their value (pino redaction, by path). */
const PERSONAL_KEYS = ['email', 'phone', 'mobile', 'landline', 'firstName', 'lastName', 'first_name', 'last_name', 'contact', 'answeredBy'];

/**
 * The request a piece of work serves: the API sets it per HTTP request, the activity interceptor per
 * activity (from the Temporal header the request put on its workflow calls). Every log line written
 * inside carries its `requestId`.
 */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

/** The request id of the work under way, if it serves a request. */
export const currentRequestId = (): string | undefined => requestContext.getStore()?.requestId;

const PINO_LEVELS: Record<SdkLogLevel, pino.Level> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * A logger as the service's: one JSON object a line (pino): `time` (ISO 8601), `level` (`debug`,
 * `info`, `warn`, `error`), `msg`, `service`, the `requestId` of the request being served, and the line's
 * own fields. Personal data is kept out in one place: keys that name it are redacted, and emails and
 * phone numbers inside any message, field or error are masked as `[email]` / `[phone]`.
 */
export function serviceLogger(destination: pino.DestinationStream, level: pino.LevelWithSilent = 'info'): pino.Logger {
  return pino(
    {
      level,
      base: { service: 'certificate-profiles' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => maskDeep(object) as Record<string, unknown>,
      },
      serializers: { err: (error: Error) => maskDeep({ ...pino.stdSerializers.err(error) }) },
      redact: { paths: [...PERSONAL_KEYS, ...PERSONAL_KEYS.map((key) => `*.${key}`)], censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? maskPersonalData(arg) : arg)) as Parameters<typeof method>);
        },
      },
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
    },
    destination,
  );
}

/**
 * The service's log, on stdout. Threshold: LOG_LEVEL (default INFO), applied by {@link setLogLevel}
 * once the configuration is read.
 */
export const log = serviceLogger(pino.destination({ fd: 1, sync: true }), PINO_LEVELS[process.env.LOG_LEVEL?.toUpperCase() as SdkLogLevel] ?? 'info');

/**
 * Start-up and shutdown lines (where the API, its docs, the DNS server and Temporal are): written at
 * `info` whatever LOG_LEVEL says, so an operator always learns where things are.
 */
export const startupLog = log.child({}, { level: 'info' });

/** The threshold for every line (LOG_LEVEL); the start-up lines stay. */
export function setLogLevel(level: SdkLogLevel): void {
  log.level = PINO_LEVELS[level];
}

/**
 * SDK messages that are expected in this service's shape and say nothing to an operator: written at
 * `debug`. An activity-only worker (each DCV perspective's) registers no workflows by design, none
 * serves Nexus, and the bundler's build report is for whoever debugs the bundle.
 */
const EXPECTED_SDK_MESSAGES = [
  (message: string) => message === 'No workflows registered, not polling for workflow tasks',
  (message: string) => message === 'No Nexus services registered, not polling for Nexus tasks',
  (message: string) => message.startsWith('asset workflow-bundle-'),
];

/**
 * The Temporal SDK's log lines (worker, activities, workflows through the sinks, and the core's own
 * when forwarded) written as lines of `logger`: the entry's metadata become fields (`error` becomes the
 * serialized `err`), with `sdk: true`; masking and the request id as for every line.
 */
export function temporalLogWriter(logger: pino.Logger): (entry: LogEntry) => void {
  return (entry) => {
    const { error, ...meta } = (entry.meta ?? {}) as Record<string, unknown>;
    const level = EXPECTED_SDK_MESSAGES.some((expected) => expected(entry.message)) ? 'debug' : PINO_LEVELS[entry.level];
    logger[level]({ sdk: true, ...meta, ...(error === undefined ? {} : { err: error }) }, entry.message);
  };
}

/** The Temporal SDK's lines into the service's log (the Runtime's logger). */
export const writeTemporalLogEntry = temporalLogWriter(log);
