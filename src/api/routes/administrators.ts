import { Router } from 'express';
import { loadProfile } from '../../app/profiles';
import { customerOf } from '../auth';
import { type ApiContext, pathId } from '../context';
import { administratorView } from '../views';
import { administratorDomainsRouter } from './domains';
import { eventsHandler } from './events';
import { addProfileUpdateRoutes } from './profile-updates';
import { customerReviewsHandler } from './review-history';

export function administratorsRouter(ctx: ApiContext): Router {
  const router = Router();

  router.get('/:id', async (req, res) => {
    res.json(administratorView(await loadProfile(ctx, 'administrator', customerOf(res).accountId, pathId(req, 'id', 'administrator'))));
  });

  addProfileUpdateRoutes(router, ctx, { kind: 'administrator', view: administratorView });

  router.get('/:id/events', eventsHandler(ctx, 'administrator'));
  router.get('/:id/reviews', customerReviewsHandler(ctx, 'administrator'));
  router.use('/:id/domains', administratorDomainsRouter(ctx));

  return router;
}
