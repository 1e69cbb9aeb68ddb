// Workflow-safe: the Temporal floor of `dcv_rate` (bench/figures/dcv-rate.ts), bundled by bench/floor/worker.ts.
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { PerspectiveActivities } from '../../activities/perspective';
import { type CheckRequest, perspectiveTaskQueue } from '../../workflows/domain-messages';

export interface FloorInput {
  /** The perspectives' names, as DCV_PERSPECTIVES lists them. */
  perspectives: string[];
  /** The domain workflow's first wait before its first check (DCV_RETRY_SCHEDULE's first entry). */
  firstWaitMs: number;
  request: CheckRequest;
}

/**
 * What Temporal must do at least for one validation with the domain workflow's perspective fan-out:
 * the first wait, the quick look from the first perspective, then the others in parallel, each on its
 * perspective's task queue. Its activities do nothing (bench/floor/worker.ts).
 */
export async function dcvFloorWorkflow(input: FloorInput): Promise<void> {
  await sleep(input.firstWaitMs);
  const ask = (name: string) =>
    proxyActivities<PerspectiveActivities>({ taskQueue: perspectiveTaskQueue(workflowInfo().taskQueue, name), startToCloseTimeout: '1 minute' }).checkDomain(
      input.request,
    );
  const [first, ...others] = input.perspectives;
  await ask(first);
  await Promise.all(others.map(ask));
}
