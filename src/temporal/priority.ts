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
 * waiting at the new priority, and a repeated lift records nothing. A workflow that does not exist yet is
 * not an error: an update-with-start creates it already in the interactive lane, unless a create's start,
 * which runs after the create's answer, creates it in the bulk lane meanwhile; so while the request is
 * pending, a lift that found no workflow tries again (`LIFT_RETRIES_MS`).
 * Errors: whatever `request` throws; the lift's own failure is left to the request to report.
 */
export async function interactively<T>(client: Client, workflowId: string, request: () => Promise<T>): Promise<T> {
  let pending = true;
  const liftOnce = () =>
    client.workflowService.updateWorkflowExecutionOptions({
      namespace: client.options.namespace,
      workflowExecution: { workflowId },
      workflowExecutionOptions: { priority: PRIORITY.interactive },
      updateMask: { paths: ['priority'] },
    });
  const lift = async () => {
    for (const waitMs of [...LIFT_RETRIES_MS, undefined]) {
      try {
        return void (await liftOnce());
      } catch (error) {
        if ((error as { code?: number }).code !== GRPC_NOT_FOUND || waitMs === undefined) return;
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        if (!pending) return;
      }
    }
  };
  // Never rejects, and not waited for: a lift still retrying must not hold the answer back.
  void lift();
  try {
    return await request();
  } finally {
    pending = false;
  }
}

/** gRPC NOT_FOUND: no workflow with this ID runs. */
const GRPC_NOT_FOUND = 5;

/** The waits before a lift that found no workflow tries again, while its request is pending. */
const LIFT_RETRIES_MS = [25, 50, 100, 200];
