import { Router } from 'express';
import { accountFeed } from '../../app/event-feed';
import { feedQuery } from '../../notify/feed-query';
import { customerOf } from '../auth';
import type { ApiContext } from '../context';
import { parse } from '../problem';

/** `GET /v1/events`: the account's event feed, oldest first in commit order (src/app/event-feed.ts). */
export function accountEventsRouter(ctx: ApiContext): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    res.json(await accountFeed(ctx, customerOf(res).accountId, parse(feedQuery, req.query)));
  });
  return router;
}
