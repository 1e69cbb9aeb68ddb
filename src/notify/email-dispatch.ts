import type { Transaction } from 'kysely';
import type { DcvConfig } from '../config';
import type { Db } from '../db/connect';
import type { Database, EmailLanguage } from '../db/schema';
import type { EmailWorkflows } from '../temporal/email-client';
import type { NotifyConfig } from './config';
import { readFeedOnce } from './dispatch';
import { type Audience, emailTemplateOf, factsOf, recipientsOf } from './email-plan';
import { renderEmail } from './email-templates';
import { feedEventView, type FeedEvent } from './feed';

/** An account's language and contacts; English and none until it sets them. */
export async function notificationSettingsOf(db: Db | Transaction<Database>, accountId: string) {
  const row = await db.selectFrom('notification_settings').select(['language', 'contacts']).where('account_id', '=', accountId).executeTakeFirst();
  return { language: (row?.language ?? 'en') as EmailLanguage, contacts: row?.contacts ?? [] };
}

/** The account's console owners still in it (invited ones included: the invitation went to that address). */
async function ownersOf(trx: Transaction<Database>, accountId: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('users')
    .select('email')
    .where('account_id', '=', accountId)
    .where('role', '=', 'owner')
    .where('removed_at', 'is', null)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => r.email);
}

/** The administrators an event concerns, as they are now (a domain's administrator is read from its table). */
async function administratorsOf(trx: Transaction<Database>, event: FeedEvent): Promise<string[]> {
  const data = event.data as Record<string, any>;
  if (event.objectKind === 'organization') return (data.administrators ?? []).map((a: { email: string }) => a.email);
  if (event.objectKind === 'administrator') return [data.email];
  if (event.objectKind !== 'domain') return [];
  const administrator = await trx.selectFrom('administrators').select('email').where('id', '=', data.administratorId).executeTakeFirst();
  return administrator ? [administrator.email] : [];
}

/**
 * The emails' pass over the feed: each event that is emailed (src/notify/email-plan.ts) becomes one
 * rendered message per recipient, in the recipient's language, in one transaction with the cursor (one
 * message per event and address, whatever is retried). Returns how many events it read.
 */
export function composeEmails(db: Db, dcv: DcvConfig, email: NotifyConfig['email'], batch = 200): Promise<number> {
  return readFeedOnce(db, 'emails', batch, async (trx, events) => {
    for (const row of events) {
      const event = feedEventView(row, dcv);
      const plan = emailTemplateOf(row.type, event.data);
      if (!plan) continue;
      const facts = factsOf(event, row.account_id);
      if (!facts) continue;
      const settings = plan.to === 'reviewers' ? { language: 'en' as const, contacts: [] } : await notificationSettingsOf(trx, row.account_id);
      const audience: Audience = {
        administrators: plan.to === 'account' ? await administratorsOf(trx, event) : [],
        contacts: settings.contacts.map((c) => ({ email: c.email, language: c.language ?? settings.language })),
        owners: plan.to === 'contacts' && settings.contacts.length === 0 ? await ownersOf(trx, row.account_id) : [],
        language: settings.language,
        reviewers: email.reviewerEmails.map((address) => ({ email: address, language: email.reviewerLanguage })),
      };
      for (const recipient of recipientsOf(plan.to, audience)) {
        const rendered = renderEmail(plan.template, recipient.language, facts);
        await trx
          .insertInto('email_messages')
          .values({
            account_id: row.account_id,
            event_id: row.id,
            template: plan.template,
            language: recipient.language,
            recipient: recipient.email,
            subject: rendered.subject,
            text_body: rendered.text,
            html_body: rendered.html,
          })
          .onConflict((oc) => oc.columns(['event_id', 'recipient']).doNothing())
          .execute();
      }
    }
  });
}

/**
 * Starts the sending workflow of every message that has none yet, then marks it. A start that fails
 * (Temporal unreachable) leaves the message for the next pass; a start twice is refused by Temporal
 * (one workflow per message, ever), so no message is sent by two. Returns how many it started.
 */
export async function startEmails(db: Db, emails: EmailWorkflows): Promise<number> {
  const unstarted = await db.selectFrom('email_messages').select('id').where('workflow_started', '=', false).orderBy('created_at').limit(500).execute();
  let failure: unknown;
  let started = 0;
  for (const { id } of unstarted) {
    try {
      await emails.start(id);
    } catch (error) {
      failure ??= error;
      continue;
    }
    await db.updateTable('email_messages').set({ workflow_started: true }).where('id', '=', id).execute();
    started++;
  }
  if (failure) throw failure;
  return started;
}

/** One pass: every settled event composed into messages, then every new message's workflow started. */
export async function dispatchEmails(db: Db, dcv: DcvConfig, email: NotifyConfig['email'], emails: EmailWorkflows, batch = 200): Promise<number> {
  let read = 0;
  for (let n = batch; n === batch; read += n) n = await composeEmails(db, dcv, email, batch);
  await startEmails(db, emails);
  return read;
}
