/**
 * How big the service's main worker may grow, derived from its memory budget (issue 9). Everything a
 * slot holds waits in the worker's own queue, where task queue priority no longer applies; so slots stay
 * few (a multiple of the cores: workflow tasks are CPU work in this process) and the backlog stays in
 * Temporal's matching service, which hands the interactive lane's tasks out first (src/temporal/priority.ts).
 */
export interface WorkerSizing {
  /** WORKER_MEMORY_BUDGET, MiB: what the worker process may use in all. */
  memoryBudgetMiB: number;
  /** Workflows kept in memory between tasks (sticky cache); evicted ones replay from history when woken. */
  maxCachedWorkflows: number;
  /** Workflow tasks in progress at once. */
  workflowTaskSlots: number;
  /** Activities in progress at once (database work; more than the pool's connections would only queue). */
  activityTaskSlots: number;
}

/** Memory the process needs before it caches anything (runtime, bundle, connections), MiB. */
const BASE_MIB = 256;
/**
 * Per cached workflow with reused V8 contexts, MiB, with room for the garbage V8 keeps between
 * collections. Measured with 10,000 open domain workflows (`npm run bench`, worker_rss_10k_domains):
 * 3,072 cached held the worker at 1.4 GiB RSS, 1,536 at 1.13 GiB, 1,024 at 1.0 GiB: about 0.75 MiB
 * each above the base. One MiB each keeps the default budget's cache (768) below its 1 GiB.
 */
const CACHED_WORKFLOW_MIB = 1;

/** Defaults for a budget and a core count; each can be overridden by its own variable. */
export function workerSizing(options: { memoryBudgetMiB: number; cpus: number; poolSize: number }): WorkerSizing {
  return {
    memoryBudgetMiB: options.memoryBudgetMiB,
    maxCachedWorkflows: Math.max(10, Math.floor((options.memoryBudgetMiB - BASE_MIB) / CACHED_WORKFLOW_MIB)),
    workflowTaskSlots: Math.max(4, 2 * options.cpus),
    activityTaskSlots: options.poolSize,
  };
}

/**
 * Activity task polls the main worker keeps open: a quarter of its activity slots, at least one. Each
 * open poll holds a slot (the SDK's core takes one before it polls), and eager dispatch (the server
 * handing an activity back with the workflow task that scheduled it) needs a free one; the SDK's
 * default, as many polls as slots up to ten, would hold all of them and no activity would go eagerly.
 */
export function activityTaskPolls(activityTaskSlots: number): number {
  return Math.max(1, Math.floor(activityTaskSlots / 4));
}

/** The Worker.create options a sizing sets (the main worker's cache, slots and activity polls). */
export function workerSlotOptions(sizing: WorkerSizing) {
  return {
    maxCachedWorkflows: sizing.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: sizing.workflowTaskSlots,
    maxConcurrentActivityTaskExecutions: sizing.activityTaskSlots,
    activityTaskPollerBehavior: { type: 'simple-maximum' as const, maximum: activityTaskPolls(sizing.activityTaskSlots) },
  };
}
