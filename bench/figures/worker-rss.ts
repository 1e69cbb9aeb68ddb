import { readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config';
import { startWorkflowsOf } from '../../src/app/start-workflows';
import { domainWorkflows } from '../../src/temporal/domain-client';
import { workflowIdFor } from '../../src/temporal/ids';
import { profileWorkflows } from '../../src/temporal/profile-client';
import { soloFigure, type Figures } from '../support/report';
import { accountWithOrganizations, seedDomains } from '../support/seed';
import type { Stack } from '../support/stack';

/**
 * `worker_rss_10k_domains` (issue 9): the worker's resident memory with `domains` open domain workflows,
 * each waiting for its next record check (manual TXT, pending), started through the service's own use
 * case (`startWorkflowsOf`, as creates and the reconciler do) on the production shape's worker with its
 * default sizing (WORKER_MEMORY_BUDGET 1024 MiB). Measured three times, 5 s apart, once the last
 * workflows have run their first task. Goal ≤ 1024 MiB.
 */
export async function workerRss(stack: Stack, options: { domains: number }): Promise<Figures> {
  const { service } = stack;
  const config = loadConfig({ ...service.env });
  const account = await accountWithOrganizations(service.db, config, 1);
  const ids = await seedDomains(service.db, { ids: [account.accountId] }, account.administratorId, options.domains);
  const workflows = {
    profiles: profileWorkflows(service.client, service.taskQueue, config.timings, undefined, 60_000),
    domains: domainWorkflows(service.client, service.taskQueue, config.dcv, undefined, 60_000),
  };
  const started = performance.now();
  for (let i = 0; i < ids.length; i += 200) {
    const rows = await service.db
      .selectFrom('domains')
      .selectAll()
      .where('id', 'in', ids.slice(i, i + 200))
      .execute();
    const { failures } = await startWorkflowsOf(service.db, workflows, { domains: rows });
    if (failures.length) throw failures[0];
  }
  for (const id of ids.slice(-20)) {
    const handle = service.client.workflow.getHandle(workflowIdFor('domain', id));
    while (((await handle.describe()).historyLength ?? 0) < 4) await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`  worker_rss_10k_domains: ${ids.length} workflows started and past their first task in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    runs.push(residentMiB(service.worker.pid()!));
    console.log(`  worker_rss_10k_domains #${r + 1}: ${runs[r].toFixed(0)} MiB`);
  }
  return { worker_rss_10k_domains: soloFigure(runs, 'MiB', '≤ 1024 MiB') };
}

/** VmRSS of a process (Linux), MiB. */
function residentMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}
