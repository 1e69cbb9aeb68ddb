import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
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
      try {
        await client.withAbortSignal(AbortSignal.timeout(deadlineMs), () =>
          client.workflow.start<typeof emailWorkflow>('emailWorkflow', {
            workflowId: emailWorkflowId(messageId),
            taskQueue,
            args: [input],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            staticSummary: `Email ${messageId}`,
          }),
        );
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    },
  };
}
