import type { Request } from 'express';
import { recentAuditTrail } from '../app/audit';
import type { AppContext } from '../app/context';
import { eventView } from '../api/views';
import type { EventRow } from '../db/schema';

/** Events on one page of a trail: the latest ones first, then earlier pages through a link. */
const TRAIL_PAGE = 100;

/**
 * An object's audit trail as a page shows it (src/console/views/partials/history.njk): the latest
 * `TRAIL_PAGE` events, oldest of them first, or those before `?events_before=<event id>`; `eventsEarlier`
 * links to the page before, `eventsLatest` back to the latest. A long-lived domain's trail grows with every
 * rotation and check, so the first events ever are not what the page shows.
 */
export async function trailOf(ctx: Pick<AppContext, 'db'>, req: Request, accountId: string, kind: EventRow['entity_kind'], id: string) {
  const asked = req.query.events_before;
  const before = typeof asked === 'string' && /^\d{1,18}$/.test(asked) ? asked : undefined;
  const trail = await recentAuditTrail(ctx, accountId, kind, id, TRAIL_PAGE, before);
  const here = `${req.baseUrl}${req.path}`;
  return {
    events: trail.rows.map((e) => eventView(e, trail.names)),
    eventsEarlier: trail.earlierBefore ? `${here}?events_before=${trail.earlierBefore}#audit` : null,
    eventsLatest: before ? `${here}#audit` : null,
  };
}
