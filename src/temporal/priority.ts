import type { Client } from '@temporalio/client';
import type { Priority } from '@temporalio/common';

/**
 * Two lanes on one task queue (Temporal task queue priority: keys 1–5, lower runs first, 3 when unset).
 * Workflows start in the bulk lane, so a burst of creates queues behind everything a person waits for.
 * A person's request (a decision, an edit, a delete, a pre-check) lifts its workflow to the interactive
 * lane; its pending and future tasks, and the activities they schedule, then cut ahead of any bulk backlog.
 */
export const PRIORITY = {
  interactive: { priorityKey: 1 },
  bulk: { priorityKey: 4 },
} as const satisfies Record<string, Priority>;

/**
 * Sends `request` to workflow `workflowId` with the workflow lifted to the interactive lane. The lift
 * (UpdateWorkflowExecutionOptions) runs alongside the request: the server re-queues a task already
 * waiting at the new priority, and a repeated lift records nothing. A workflow that does not exist yet
 * (an update-with-start creates it, already in the interactive lane) is not an error.
 * Errors: whatever `request` throws; the lift's own failure is left to the request to report.
 */
export async function interactively<T>(client: Client, workflowId: string, request: () => Promise<T>): Promise<T> {
  const lift = client.workflowService
    .updateWorkflowExecutionOptions({
      namespace: client.options.namespace,
      workflowExecution: { workflowId },
      workflowExecutionOptions: { priority: PRIORITY.interactive },
      updateMask: { paths: ['priority'] },
    })
    .catch(() => undefined);
  const [answer] = await Promise.all([request(), lift]);
  return answer;
}
