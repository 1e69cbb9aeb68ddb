import { type SelectQueryBuilder, sql } from 'kysely';

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

/**
 * One page of `query`'s rows in creation order, (created_at, id), after `cursor`: `limit + 1` rows, so the
 * caller can tell whether another page follows (src/api/pagination.ts `toPage`).
 */
export function creationPage<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, limit: number, cursor?: PageCursor): Promise<O[]> {
  return afterCursor(query, 'created_at', cursor)
    .orderBy(sql.ref('created_at'))
    .orderBy(sql.ref('id'))
    .limit(limit + 1)
    .execute();
}
