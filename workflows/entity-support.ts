// Workflow-safe helpers shared by the long-lived entity workflows.
import { ActivityFailure, ApplicationFailure, condition, workflowInfo } from '@temporalio/workflow';

/** Runs changes one at a time, so a handler never interleaves with another handler or a timer. */
export function serializer() {
  let busy = false;
  return {
    get busy() {
      return busy;
    },
    async exclusive<T>(work: () => Promise<T>): Promise<T> {
      await condition(() => !busy);
      busy = true;
      try {
        return await work();
      } finally {
        busy = false;
      }
    },
  };
}

/** Surfaces an activity's business failure (e.g. Conflict) to the update caller instead of failing the workflow task. */
export async function callerFacing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) throw error.cause;
    throw error;
  }
}

/** The server's suggestion, or a test's small history cap. */
export function shouldContinueAsNew(afterEvents: number | undefined): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || (afterEvents !== undefined && info.historyLength > afterEvents);
}
