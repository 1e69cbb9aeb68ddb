/**
 * `X-Request-Id`: a caller's id is kept when it is 1–128 visible ASCII characters without quotes or
 * backslashes (a UUID, a ULID, a proxy's trace id); anything else is replaced by a new UUID. Every answer
 * carries the id its request ran under (src/api/request-observer.ts), and so do the logs it caused.
 */
export const WELL_FORMED_REQUEST_ID = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;

/** The request header, as the API document declares it on every operation. */
export const requestIdParameter = {
  name: 'X-Request-Id',
  in: 'header',
  description: "The caller's id for this request (1–128 visible ASCII characters, no quotes or backslashes); anything else is replaced by a new UUID",
  schema: { type: 'string', pattern: WELL_FORMED_REQUEST_ID.source },
} as const;

/** The response header, on every answer. */
export const requestIdHeader = {
  description: "The request's id: the caller's `X-Request-Id` when well formed, else a new UUID; log lines of the request carry it",
  required: true,
  schema: { type: 'string', minLength: 1, maxLength: 128 },
} as const;
