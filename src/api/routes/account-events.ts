import { Router } from 'express';
import { z } from 'zod';
import { decimalInteger } from '../../domain/query-params';
import { brokenRule } from '../../problem';
import { EVENT_TYPES, isEventType } from '../../notify/event-types';
import { eventIdOf, feedEventView, positionOf, readFeed, rowIdOf } from '../../notify/feed';
import { customerOf } from '../auth';
import type { ApiContext } from '../context';
import { parse, Problem } from '../problem';

/** `type=a,b`: each one of the feed's event types. */
const typeList = z.string().transform((text, ctx) => {
  const types = text.split(',').map((t) => t.trim());
  const unknown = types.filter((t) => !isEventType(t));
  if (unknown.length) {
    ctx.addIssue({ code: 'custom', message: `unknown event type ${unknown.join(', ')}; one of ${EVENT_TYPES.join(', ')}`, params: brokenRule('event-type') });
    return z.NEVER;
  }
  return types;
});

export const feedQuery = z.object({
  type: typeList.optional(),
  after: z
    .string()
    .regex(/^evt_[1-9][0-9]{0,17}$/, 'an event id (evt_…) from this feed')
    .optional(),
  limit: decimalInteger(1, 100).default(20),
});

/**
 * `GET /v1/events`: the account's event feed, oldest first in commit order. `after` is the id of the
 * last event the client has handled (each page's `nextCursor` is its last event's id), so a client that
 * stores that id never misses an event and never sees one twice.
 */
export function accountEventsRouter(ctx: ApiContext): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const { accountId } = customerOf(res);
    const query = parse(feedQuery, req.query);
    const after = query.after === undefined ? undefined : await positionOf(ctx.db, accountId, rowIdOf(query.after)!);
    if (query.after !== undefined && !after) {
      throw new Problem(400, 'Invalid request', 'after: no such event in this account', {
        errors: [{ field: 'after', message: 'no such event in this account' }],
      });
    }
    const rows = await readFeed(ctx.db, accountId, { after, types: query.type, limit: query.limit });
    const items = rows.slice(0, query.limit);
    res.json({
      items: items.map((row) => feedEventView(row, ctx.dcv)),
      nextCursor: rows.length > query.limit ? eventIdOf(items[items.length - 1].id) : null,
    });
  });
  return router;
}
