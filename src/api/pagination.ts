import { z } from 'zod';
import type { PageCursor } from '../db/keyset';
import { parse, Problem } from './problem';

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

/** Opaque to clients: base64url of the last item's sort key. */
export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(text: string | undefined): PageCursor | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (typeof value?.at === 'string' && typeof value?.id === 'string' && !Number.isNaN(Date.parse(value.at))) return value;
  } catch {
    // fall through
  }
  throw badCursor();
}

const badCursor = () => new Problem(400, 'Invalid request', 'cursor: not a cursor this API returned', { errors: [{ field: 'cursor', message: 'not a cursor this API returned' }] });

export function readPage(query: unknown): { limit: number; after?: PageCursor } {
  const { limit, cursor } = parse(pageQuery, query);
  return { limit, after: decodeCursor(cursor) };
}

/** For lists keyed by a bigserial id (events, checks): the cursor's id must be one. */
export function readSerialPage(query: unknown): { limit: number; after?: PageCursor } {
  const page = readPage(query);
  if (page.after && !/^\d{1,18}$/.test(page.after.id)) throw badCursor();
  return page;
}

/** Rows are fetched with limit + 1 to know whether another page exists. */
export function toPage<R, V>(rows: R[], limit: number, keyOf: (row: R) => PageCursor, view: (row: R) => V): { items: V[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(view), nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
