import { sql } from 'kysely';

/** Where a page ended: the last item's sort key. */
export interface PageCursor {
  at: string;
  id: string;
}

/** Keyset pagination on (<timestamp column>, id): stable under inserts, no OFFSET scans. */
export function afterCursor<T extends { where: (...args: any[]) => T }>(query: T, column: string, cursor?: PageCursor): T {
  if (!cursor) return query;
  return query.where(sql`(${sql.ref(column)}, id)`, '>', sql`(${new Date(cursor.at)}, ${cursor.id}::uuid)`);
}
