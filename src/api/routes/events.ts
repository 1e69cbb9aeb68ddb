import type { RequestHandler } from 'express';
import { listEvents } from '../../db/profile-queries';
import { customerOf } from '../auth';
import { type ApiContext, pathId } from '../context';
import { readSerialPage, toPage } from '../pagination';
import { notFound } from '../problem';
import { eventView } from '../views';

/** The audit trail outlives its object: a deleted organization's history is still readable by its account. */
export function eventsHandler(ctx: ApiContext, kind: 'organization' | 'administrator' | 'domain'): RequestHandler {
  return async (req, res) => {
    const id = pathId(req, 'id', kind);
    const { limit, after } = readSerialPage(req.query);
    const rows = await listEvents(ctx.db, customerOf(res).accountId, id, limit, after?.id);
    if (rows.length === 0 && !after) throw notFound(`${kind} ${id}`);
    res.json(toPage(rows, limit, (r) => ({ at: new Date(r.at).toISOString(), id: String(r.id) }), eventView));
  };
}
