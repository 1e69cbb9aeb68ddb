// Workflow-safe helpers shared by the long-lived entity workflows.
import { ActivityFailure, ApplicationFailure, condition, workflowInfo } from '@temporalio/workflow';
import { NOT_FOUND } from './messages';

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

/** The row is gone: deleted while this run was being started by an update that loaded it just before. */
const isGone = (error: unknown) => error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === NOT_FOUND;

/**
 * Surfaces an activity's business failure (e.g. Conflict) to the update caller instead of failing the
 * workflow task; `onGone` lets the workflow end when the row no longer exists.
 */
export async function callerFacing<T>(work: () => Promise<T>, onGone?: () => void): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isGone(error)) onGone?.();
    if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) throw error.cause;
    throw error;
  }
}

/** Timer work for a row that no longer exists ends the workflow quietly instead of failing it. */
export async function unlessGone(work: () => Promise<void>, onGone: () => void): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!isGone(error)) throw error;
    onGone();
  }
}

/** The server's suggestion, or a test's small history cap. */
export function shouldContinueAsNew(afterEvents: number | undefined): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || (afterEvents !== undefined && info.historyLength > afterEvents);
}
