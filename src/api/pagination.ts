import { z } from 'zod';
import type { PageCursor } from '../db/keyset';
import { decimalInteger } from '../domain/query-params';
import { parse, Problem } from './problem';

export const pageQuery = z.object({
  limit: decimalInteger(1, 100).default(20).describe('Items per page'),
  cursor: z.string().max(200).optional().describe('`nextCursor` of the previous page'),
});

/** Opaque to clients: base64url of the last item's sort key. */
export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SERIAL = /^\d{1,18}$/;
// PostgreSQL's timestamptz holds far more, but no row here was written outside these years.
const EARLIEST = Date.parse('1970-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * A cursor this API returned, or a 400: a tampered one must never reach the database as a bad
 * `uuid` cast or an out-of-range timestamp (a 500).
 */
export function decodeCursor(text: string | undefined, id: 'uuid' | 'serial' = 'uuid'): PageCursor | undefined {
  if (text === undefined) return undefined;
  let value: { at?: unknown; id?: unknown } | undefined;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  const at = typeof value?.at === 'string' ? Date.parse(value.at) : NaN;
  const idOk = typeof value?.id === 'string' && (id === 'uuid' ? UUID : SERIAL).test(value.id);
  // `at` is written by toISOString, so a cursor of ours reads back to the same text.
  if (!idOk || !(at >= EARLIEST && at <= LATEST) || new Date(at).toISOString() !== value!.at) throw badCursor();
  return { at: value!.at as string, id: value!.id as string };
}

const badCursor = () =>
  new Problem(400, 'Invalid request', 'cursor: not a cursor this API returned', { errors: [{ field: 'cursor', message: 'not a cursor this API returned' }] });

/** For lists keyed by (timestamp, uuid). */
export function readPage(query: unknown): { limit: number; after?: PageCursor } {
  const { limit, cursor } = parse(pageQuery, query);
  return { limit, after: decodeCursor(cursor) };
}

/** For lists keyed by a bigserial id (events, checks). */
export function readSerialPage(query: unknown): { limit: number; after?: PageCursor } {
  const { limit, cursor } = parse(pageQuery, query);
  return { limit, after: decodeCursor(cursor, 'serial') };
}

/** Rows are fetched with limit + 1 to know whether another page exists. */
export function toPage<R, V>(rows: R[], limit: number, keyOf: (row: R) => PageCursor, view: (row: R) => V): { items: V[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(view), nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
