import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { EmailActivities } from '../activities/emails';
import type { EmailWorkflowInput } from './email-messages';

const record = proxyActivities<Pick<EmailActivities, 'emailGaveUp'>>({ startToCloseTimeout: '15 seconds' });

/**
 * Sends one email (workflow `email:<messageId>`): the sending activity is retried with backoff on
 * temporary failures (the mail server unreachable, a 4xx answer); a refusal (5xx) is recorded by the
 * activity and not retried; after the last attempt the message is recorded as failed. Nothing waits on
 * it: entity workflows only write events, and emails are composed from the feed.
 */
export async function emailWorkflow(input: EmailWorkflowInput): Promise<void> {
  const send = proxyActivities<Pick<EmailActivities, 'sendEmail'>>({
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: input.retry.initialIntervalMs, backoffCoefficient: 2, maximumInterval: '1 hour', maximumAttempts: input.retry.maximumAttempts },
  });
  try {
    await send.sendEmail(input.messageId);
  } catch (error) {
    const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
    await record.emailGaveUp(input.messageId, cause instanceof Error ? cause.message : String(cause));
  }
}
