import type { Client } from '@temporalio/client';
import { startOnce } from './idempotent-calls';
import type { Duration } from '../domain/duration';
import type { emailWorkflow } from '../../workflows/email';
import { emailWorkflowId, type EmailWorkflowInput } from '../../workflows/email-messages';
import { DEFAULT_DEADLINE_MS } from './update-errors';

export interface EmailWorkflows {
  /** Starts the message's workflow; one that was ever started is not started again. Bounded by the deadline. */
  start(messageId: string): Promise<void>;
}

/**
 * `email:<messageId>`: one workflow per message, never reused (a retried start cannot send it twice).
 * Its ID and summary name the message id only: recipients and words stay in PostgreSQL.
 */
export function emailWorkflows(
  client: Client,
  taskQueue: string,
  retry: () => { interval: Duration; maxAttempts: number },
  deadlineMs = DEFAULT_DEADLINE_MS,
): EmailWorkflows {
  return {
    async start(messageId) {
      const { interval, maxAttempts } = retry();
      const input: EmailWorkflowInput = { messageId, retry: { initialIntervalMs: interval.ms ?? 30_000, maximumAttempts: maxAttempts } };
      await startOnce<typeof emailWorkflow>(client, AbortSignal.timeout(deadlineMs), 'emailWorkflow', {
        workflowId: emailWorkflowId(messageId),
        taskQueue,
        args: [input],
        staticSummary: `Email ${messageId}`,
      });
    },
  };
}
