import type { RequestHandler } from 'express';
import { auditTrail } from '../../app/audit';
import { customerOf } from '../auth';
import { type ApiContext, pathId } from '../context';
import { readSerialPage, toPage } from '../pagination';
import { eventView } from '../views';

/**
 * The audit trail outlives its object: a deleted organization's history is still readable by its account.
 * Each event names its actor readably (the key's or user's name, the reviewer's display name, "system").
 */
export function eventsHandler(ctx: ApiContext, kind: 'organization' | 'administrator' | 'domain'): RequestHandler {
  return async (req, res) => {
    const id = pathId(req, 'id', kind);
    const { limit, after } = readSerialPage(req.query);
    const { rows, names } = await auditTrail(ctx, customerOf(res).accountId, kind, id, limit, after?.id);
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
