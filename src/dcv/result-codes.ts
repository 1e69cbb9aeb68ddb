/** Outcome codes of one DCV check from one network perspective. */

export const RESULT_CODES = [
  'passed',
  'record_not_found',
  'value_mismatch',
  'cname_not_delegated',
  'file_not_found',
  'file_content_mismatch',
  'timeout',
  'dns_error',
  'blocked_address',
  'redirect_not_allowed',
  'too_many_redirects',
  'body_too_large',
  'caa_forbids',
  'tls_error',
  'connection_refused',
  'http_error',
  /** The perspective itself did not answer (its worker is down or overloaded): the CA's side. */
  'perspective_unavailable',
] as const;

export type ResultCode = (typeof RESULT_CODES)[number];

export function isResultCode(value: string): value is ResultCode {
  return (RESULT_CODES as readonly string[]).includes(value);
}

/** One request of a file check (one per redirect hop), kept for the audit log. */
export interface HttpHop {
  url: string;
  /** The IP address connected to, when resolution succeeded. */
  address?: string;
  status?: number;
}

export interface CheckResult {
  /** Name of the network perspective that ran the check. */
  perspective: string;
  code: ResultCode;
  passed: boolean;
  /** What the check looked for (value, CNAME target, issuer…). */
  expected: string;
  /** What it saw, short and truncated: TXT values, CNAME targets, CAA records, HTTP status and body excerpt. */
  observed: string[];
  /** One human sentence. */
  detail: string;
  hops?: HttpHop[];
  /** DNS checks: the name looked up and, when the lookup failed, the resolver's error code. */
  lookup?: { name: string; error?: string };
  /** Set when stored: whose side a failure is on (src/dcv/fault-side.ts). */
  faultSide?: 'ca' | 'customer';
}

export function checkResult(perspective: string, code: ResultCode, expected: string, observed: string[], detail: string, hops?: HttpHop[]): CheckResult {
  const result: CheckResult = { perspective, code, passed: code === 'passed', expected, observed, detail };
  if (hops) result.hops = hops;
  return result;
}

/** Shorten anything seen on the network before it is stored or shown (RFC 8555 §10.4: never echo large content). */
export function excerpt(value: string, max = 100): string {
  // eslint-disable-next-line no-control-regex
  const printable = value.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}
