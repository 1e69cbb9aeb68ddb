import type { Request, RequestHandler, Response } from 'express';
import type { CreateRequest, Submitted } from '../app/context';
import { inBulkLane } from './bulk-lane';
import { type ApiContext, idempotencyOf } from './context';
import { deadlineOf } from './deadline';

/**
 * A create route (`POST` of an organization, an administrator, a domain) in the bulk lane: `submit` runs
 * with the request's deadline and Idempotency-Key, and its answer (201, or the key's first answer) goes
 * out with `Location: {collection}/{id}`
 * while the create's workflows start; it keeps its place in the lane until they run (one more request
 * deadline at most, src/api/bulk-lane.ts).
 */
export function createRoute<T extends { id: string }>(
  ctx: ApiContext,
  collection: string,
  submit: (req: Request, res: Response, request: CreateRequest) => Promise<Submitted<T>>,
): RequestHandler {
  return inBulkLane(ctx.bulkLane, async (req, res) => {
    const created = await submit(req, res, { deadline: deadlineOf(res), idempotency: idempotencyOf(req) });
    res.status(created.status).location(`${collection}/${created.body.id}`).json(created.body);
    await created.workflowsStarted;
  });
}
