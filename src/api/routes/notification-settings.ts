import { Router } from 'express';
import { notificationSettings, saveNotificationSettings } from '../../app/notification-settings';
import { customerOf } from '../auth';
import { type ApiContext, bodyOf } from '../context';

/** `/v1/notification-settings`: the account's email language and contacts (src/app/notification-settings.ts). */
export function notificationSettingsRouter(ctx: ApiContext): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    res.json(await notificationSettings(ctx, customerOf(res).accountId));
  });
  router.put('/', async (req, res) => {
    res.json(await saveNotificationSettings(ctx, customerOf(res).accountId, bodyOf(req)));
  });
  return router;
}
