import type { RequestHandler } from 'express';
import { actorNames } from '../../db/principals';
import { listEvents } from '../../db/profile-queries';
import { customerOf } from '../auth';
import { type ApiContext, pathId } from '../context';
import { readSerialPage, toPage } from '../pagination';
import { notFound } from '../problem';
import { eventView } from '../views';

/**
 * The audit trail outlives its object: a deleted organization's history is still readable by its account.
 * Each event names its actor readably (the key's name, the reviewer's display name, "system").
 */
export function eventsHandler(ctx: ApiContext, kind: 'organization' | 'administrator' | 'domain'): RequestHandler {
  return async (req, res) => {
    const id = pathId(req, 'id', kind);
    const { limit, after } = readSerialPage(req.query);
    const rows = await listEvents(ctx.db, customerOf(res).accountId, id, limit, after?.id);
    if (rows.length === 0 && !after) throw notFound(`${kind} ${id}`);
    const names = await actorNames(
      ctx.db,
      rows.slice(0, limit).map((r) => ({ kind: r.actor_kind, id: r.actor_id })),
    );
    res.json(
      toPage(
        rows,
        limit,
        (r) => ({ at: new Date(r.at).toISOString(), id: String(r.id) }),
        (r) => eventView(r, names),
      ),
    );
  };
}
