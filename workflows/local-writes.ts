// Workflow-safe: options shared by the workflows' local activities that write.
import type { LocalActivityOptions, RetryPolicy } from '@temporalio/common';

/** The SDK's default: a local activity's backoff longer than this becomes a server timer. */
export const LOCAL_RETRY_THRESHOLD_MS = 60_000;

/**
 * Options for a local activity that writes (database transactions run in the worker, inside the workflow
 * task, instead of a task queue round trip each way).
 *
 * Its operation id (activities/operation.ts) is its run id and sequence number. The SDK gives a local
 * activity a new sequence number when a backoff outgrows the local retry threshold and turns into a
 * timer, so the backoff is capped well below it: every attempt keeps the first one's id and finds that
 * attempt's committed change (a retry after the commit returns the recorded outcome, never a conflict).
 * Attempts are unlimited, as for the activities they replace; a long outage keeps the workflow task
 * open by heartbeats meanwhile.
 */
export function localWriteOptions(nonRetryableErrorTypes: string[]): LocalActivityOptions & { retry: RetryPolicy } {
  return {
    startToCloseTimeout: '15 seconds',
    localRetryThreshold: LOCAL_RETRY_THRESHOLD_MS,
    retry: { maximumInterval: '10 seconds', nonRetryableErrorTypes },
  };
}
