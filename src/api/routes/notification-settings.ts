import { Router } from 'express';
import { notificationSettingsOf } from '../../notify/email-dispatch';
import { notificationSettingsInput } from '../../notify/settings-input';
import { customerOf } from '../auth';
import { type ApiContext, bodyOf } from '../context';
import { parse } from '../problem';

/** `/v1/notification-settings`: the account's email language and contacts. */
export function notificationSettingsRouter(ctx: ApiContext): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    res.json(await notificationSettingsOf(ctx.db, customerOf(res).accountId));
  });
  router.put('/', async (req, res) => {
    const { accountId } = customerOf(res);
    const input = parse(notificationSettingsInput, bodyOf(req));
    const contacts = input.contacts.map((c) => ({ email: c.email, name: c.name ?? null, language: c.language ?? null }));
    await ctx.db
      .insertInto('notification_settings')
      .values({ account_id: accountId, language: input.language, contacts: JSON.stringify(contacts), updated_at: new Date() })
      .onConflict((oc) => oc.column('account_id').doUpdateSet({ language: input.language, contacts: JSON.stringify(contacts), updated_at: new Date() }))
      .execute();
    res.json(await notificationSettingsOf(ctx.db, accountId));
  });
  return router;
}
