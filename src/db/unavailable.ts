/**
 * Is this error PostgreSQL (or the way to it) being unavailable, rather than a bug or a refusal?
 * Such errors answer 503 with Retry-After: the request may well succeed once the database is back.
 *
 * Covers: the socket (refused, reset, timed out, unreachable), pg-pool's connect timeout, pg's
 * query read timeout, a connection the server ended, SQLSTATE class 08 (connection exception),
 * 57P01/57P02/57P03/57P04 (shutdown, crash, cannot connect now, database dropped), class 53 (too many
 * connections, out of memory or disk), 57014 (statement_timeout: a query that ran past the request
 * deadline), and what the operator's side refuses a connection with: 3D000 (no such database: being
 * restored), 28000/28P01 (no pg_hba.conf entry, a rotated password), 55000 "is not currently accepting
 * connections" (ALLOW_CONNECTIONS false) and 25006 (a write sent to a read-only standby during a failover).
 * None of these is the client's doing, so none is its 4xx, and none is a bug of ours worth a 500.
 */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '57P04', '53300', '57014', '53000', '53100', '53200', '3D000', '28000', '28P01', '25006']);
const MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /Connection terminated/i,
  /Query read timeout/i,
  /Client has encountered a connection error and is not queryable/i,
  /Client was closed and is not queryable/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection due to administrator command/i,
  /sorry, too many clients already/i,
  // 55000 (object_not_in_prerequisite_state) is a bug's code too: only this message of it is an outage.
  /is not currently accepting connections/i,
];

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const { code, message, cause, errors } = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (typeof message === 'string' && MESSAGES.some((pattern) => pattern.test(message))) return true;
  if (Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}
