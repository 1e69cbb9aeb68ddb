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
 * which runs after the create's answer, creates it in the bulk lane meanwhile. So a lift that found no
 * workflow tries again while the request is pending (after 25 ms, backing off to every 200 ms), and, if
 * none got through, once more when the request has succeeded (the workflow exists by then).
 * Errors: whatever `request` throws; the lift's own failure is left to the request to report.
 */
export async function interactively<T>(client: Client, workflowId: string, request: () => Promise<T>): Promise<T> {
  const lift = (): Promise<'done' | 'missing'> =>
    client.workflowService
      .updateWorkflowExecutionOptions({
        namespace: client.options.namespace,
        workflowExecution: { workflowId },
        workflowExecutionOptions: { priority: PRIORITY.interactive },
        updateMask: { paths: ['priority'] },
      })
      .then(
        () => 'done' as const,
        (error: { code?: number }) => (error.code === GRPC_NOT_FOUND ? 'missing' : 'done'),
      );
  let pending = true;
  let liftDone = false;
  const liftWhilePending = async () => {
    for (let waitMs = 25; pending; waitMs = Math.min(waitMs * 2, 200)) {
      if ((await lift()) === 'done') return void (liftDone = true);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  };
  // Never rejects; not waited for, so a lift waiting to try again does not hold the answer back.
  void liftWhilePending();
  let answer: T;
  try {
    answer = await request();
  } finally {
    pending = false;
  }
  if (!liftDone) await lift();
  return answer;
}

/** gRPC NOT_FOUND: no workflow with this ID runs. */
const GRPC_NOT_FOUND = 5;
