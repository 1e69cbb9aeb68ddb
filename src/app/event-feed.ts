import type { FeedQuery } from '../notify/feed-query';
import { eventIdOf, feedEventView, positionOf, readFeed, rowIdOf } from '../notify/feed';
import { Problem } from '../problem';
import type { AppContext } from './context';

/**
 * One page of the account's event feed, oldest first in commit order, after the event the client last
 * handled (`query.after`, 400 when it is not one of the account's events). Each page's `nextCursor` is its
 * last event's id, so a client that stores it never misses an event and never sees one twice.
 */
export async function accountFeed(ctx: Pick<AppContext, 'db' | 'dcv'>, accountId: string, query: FeedQuery) {
  const after = query.after === undefined ? undefined : await positionOf(ctx.db, accountId, rowIdOf(query.after)!);
  if (query.after !== undefined && !after) {
    throw new Problem(400, 'Invalid request', 'after: no such event in this account', {
      errors: [{ field: 'after', message: 'no such event in this account', rule: 'not-in-account' }],
    });
  }
  const rows = await readFeed(ctx.db, accountId, { after, types: query.type, limit: query.limit });
  const items = rows.slice(0, query.limit);
  return {
    items: items.map((row) => feedEventView(row, ctx.dcv)),
    nextCursor: rows.length > query.limit ? eventIdOf(items[items.length - 1].id) : null,
  };
}
