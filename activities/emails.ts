import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'kysely';
import type { Db } from '../src/db/connect';
import type { ServiceMetrics } from '../src/metrics';
import { EmailRefused, type Mailer } from '../src/notify/mailer';

/**
 * The email workflow's activities (workflows/email.ts). Every attempt's outcome is recorded on the
 * message: sent with the server's answer, refused for good (a bounce at the door: recorded, not
 * retried), or a temporary failure (recorded and thrown, so Temporal retries it with backoff).
 *
 * A mail server's answer often names the recipient (`451 <li.lei@acme.cn>: greylisted`), and Temporal keeps
 * an activity's failure message in clear (it is no payload): the failure thrown names the message id and
 * the SMTP code only; the answer itself is recorded with the message.
 */
export function createEmailActivities(deps: { db: Db; mailer: Mailer; now?: () => Date; metrics?: Pick<ServiceMetrics, 'emailAttempts' | 'emails'> }) {
  const { db, mailer, metrics } = deps;
  const now = deps.now ?? (() => new Date());
  const attempted = (id: string, set: Record<string, unknown>) =>
    db
      .updateTable('email_messages')
      .set((eb) => ({ ...set, attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .execute();

  return {
    /** Sends the message unless it was sent or refused already; 'refused' when the mail server refused it for good. */
    async sendEmail(id: string): Promise<'sent' | 'refused'> {
      const message = await db.selectFrom('email_messages').selectAll().where('id', '=', id).executeTakeFirst();
      if (!message || message.status === 'sent') return 'sent';
      if (message.status === 'failed') return 'refused';
      try {
        const sent = await mailer.send({
          id,
          to: message.recipient,
          subject: message.subject,
          text: message.text_body,
          html: message.html_body,
          language: message.language,
        });
        await attempted(id, { status: 'sent', sent_at: now(), smtp_response: sent.response, last_error: null });
        metrics?.emailAttempts.inc({ outcome: 'sent' });
        metrics?.emails.inc({ status: 'sent' });
        return 'sent';
      } catch (error) {
        // Logged with the message id and the SMTP code only: the server's answer may name the recipient.
        const code = (error as { responseCode?: number }).responseCode;
        if (error instanceof EmailRefused) {
          await attempted(id, { status: 'failed', last_error: error.message, smtp_response: error.response });
          log.warn('email refused for good by the mail server; recorded as failed with its answer', { emailId: id, smtpCode: code });
          metrics?.emailAttempts.inc({ outcome: 'refused' });
          metrics?.emails.inc({ status: 'refused' });
          return 'refused';
        }
        await attempted(id, { last_error: error instanceof Error ? error.message : String(error) });
        metrics?.emailAttempts.inc({ outcome: 'temporary_failure' });
        log.warn('email not sent this time (a temporary failure, recorded with the message); retried', { emailId: id, smtpCode: code });
        throw ApplicationFailure.retryable(
          `email ${id}: temporary failure${code ? ` (SMTP ${code})` : ''}; the mail server's answer is recorded with the message`,
          'EmailTemporaryFailure',
        );
      }
    },

    /** Every attempt failed: the message is recorded as failed, keeping the mail server's last answer (`reason` when there is none). */
    async emailGaveUp(id: string, reason: string): Promise<void> {
      const given = await db
        .updateTable('email_messages')
        .set({ status: 'failed', last_error: sql<string>`coalesce(last_error, ${reason})` })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(given.numUpdatedRows) === 0) return;
      metrics?.emails.inc({ status: 'failed' });
      log.warn('email given up: every attempt failed; recorded as failed', { emailId: id });
    },
  };
}

export type EmailActivities = ReturnType<typeof createEmailActivities>;
