import { z } from 'zod';
import { decimalInteger } from '../domain/query-params';
import { brokenRule } from '../problem';
import { EVENT_TYPES, isEventType } from './event-types';
import { eventId } from './webhook-input';

/** `type=a,b`: each one of the feed's event types (400 rule `event-type` naming the unknown ones). */
const typeList = z
  .string()
  .transform((text, ctx) => {
    const types = text.split(',').map((t) => t.trim());
    const unknown = types.filter((t) => !isEventType(t));
    if (unknown.length) {
      // Quoted, so an empty one (`a,,b`) is seen: `unknown event type "", ""`, not `unknown event type , `.
      const named = unknown.map((t) => JSON.stringify(t)).join(', ');
      ctx.addIssue({ code: 'custom', message: `unknown event type ${named}; one of ${EVENT_TYPES.join(', ')}`, params: brokenRule('event-type') });
      return z.NEVER;
    }
    return types;
  })
  .describe(`Only these types, comma-separated: ${EVENT_TYPES.join(', ')}`);

/** `GET /v1/events?type=&after=&limit=`: the account feed after the last event a client handled. */
export const feedQuery = z.object({
  type: typeList.optional(),
  after: eventId.optional().describe('Id of the last event already handled (the `nextCursor` of the previous page)'),
  limit: decimalInteger(1, 100).default(20).describe('Events per page'),
});
export type FeedQuery = z.output<typeof feedQuery>;
