import { activityTaskPolls, workerSizing, workerSlotOptions } from '../../src/temporal/worker-sizing';

test('activity polls hold a quarter of the activity slots, at least one, so eager dispatch finds a free slot', () => {
  expect([1, 3, 4, 10, 40].map(activityTaskPolls)).toEqual([1, 1, 1, 2, 10]);
  for (const slots of [1, 2, 5, 10, 100]) expect(slots - activityTaskPolls(slots)).toBeGreaterThanOrEqual(slots === 1 ? 0 : 1);
});

test('the default sizing (1 GiB, 2 cores, a pool of 10) caches 768 workflows, runs 4 workflow tasks and 10 activities, 2 of them polling', () => {
  const options = workerSlotOptions(workerSizing({ memoryBudgetMiB: 1024, cpus: 2, poolSize: 10 }));
  expect(options).toEqual({
    maxCachedWorkflows: 768,
    maxConcurrentWorkflowTaskExecutions: 4,
    maxConcurrentActivityTaskExecutions: 10,
    activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 2 },
  });
});
