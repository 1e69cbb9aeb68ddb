import { type Client, type WorkflowStartOptions, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { SignalDefinition, Workflow } from '@temporalio/common';

/**
 * Starts a workflow at most once per workflow ID: one that is running is left as it is
 * (`USE_EXISTING`), and one that has already closed is not started again (`REJECT_DUPLICATE`; the
 * server answers WorkflowExecutionAlreadyStarted, taken as done). A create's start may come after
 * the customer's next request has started the workflow itself (`executeUpdateWithStart`), run it and
 * ended it (a delete): starting it again would run a workflow for a row that is gone.
 * Gives up (throws) when `signal` aborts.
 */
export async function startOnce<T extends Workflow>(
  client: Client,
  signal: AbortSignal,
  workflowType: string,
  options: WorkflowStartOptions<T>,
): Promise<void> {
  try {
    await client.withAbortSignal(signal, () =>
      client.workflow.start<T>(workflowType, { ...options, workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE' }),
    );
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

/** Signals workflow `workflowId` within `deadlineMs`; one that has ended or never ran is no error. */
export async function signalIfRunning<Args extends unknown[]>(
  client: Client,
  deadlineMs: number,
  workflowId: string,
  signal: SignalDefinition<Args>,
  ...args: Args
): Promise<void> {
  try {
    await client.withAbortSignal(AbortSignal.timeout(deadlineMs), () => client.workflow.getHandle(workflowId).signal(signal, ...args));
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}
