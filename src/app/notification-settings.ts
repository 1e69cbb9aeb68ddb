import { notificationSettingsOf } from '../notify/email-dispatch';
import { notificationSettingsInput } from '../notify/settings-input';
import { parse } from '../problem';
import type { AppContext } from './context';

/** The account's email language and contacts (English and none until set). */
export function notificationSettings(ctx: Pick<AppContext, 'db'>, accountId: string) {
  return notificationSettingsOf(ctx.db, accountId);
}

/** Replaces the account's email language and contacts (`body`: src/notify/settings-input.ts) and answers them as stored. */
export async function saveNotificationSettings(ctx: Pick<AppContext, 'db'>, accountId: string, body: unknown) {
  const input = parse(notificationSettingsInput, body);
  const contacts = JSON.stringify(input.contacts.map((c) => ({ email: c.email, name: c.name ?? null, language: c.language ?? null })));
  await ctx.db
    .insertInto('notification_settings')
    .values({ account_id: accountId, language: input.language, contacts, updated_at: new Date() })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ language: input.language, contacts, updated_at: new Date() }))
    .execute();
  return notificationSettingsOf(ctx.db, accountId);
}
