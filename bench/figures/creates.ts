import { WorkflowNotFoundError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { Caller } from '../../test/faults/support/production';
import { loadConfig } from '../../src/config';
import type { AdministratorRow, OrganizationRow } from '../../src/db/schema';
import { workflowIdFor } from '../../src/temporal/ids';
import { profileWorkflows } from '../../src/temporal/profile-client';
import { type CpuParts, cpuMeter, describeCpu, medianPerItem } from '../support/cpu';
import { pairedFigure, type Figures } from '../support/report';
import { createOrganizationAsClient, type Stack } from '../support/stack';
import { pool } from '../support/stats';

/**
 * `create_c1`, `create_c8`, `create_c32` (issue 9): organizations created with their administrator over
 * HTTP per second at 1, 8 and 32 clients, each create an account's first, against the baseline of a
 * raw Temporal client starting the same two workflows in parallel at the same concurrency (no HTTP, no
 * database). Both count until the last workflow started (the server's start time): the service answers a
 * create before its workflows start, so its answers alone would flatter it. Ratio = baseline ÷ value;
 * goal ≤ 1.1. Repetitions interleave the two, alternating which goes first, and each run waits until the
 * worker has given its last workflows their first task, so neither run pays for the other's backlog.
 * Each figure also carries the machine's CPU per create by part (`cpu`: the APIs, the worker, the Temporal
 * server, PostgreSQL, this process, the rest of the machine), each side's median: on a machine the creates keep busy,
 * the ratio follows what the service spends beyond the raw client's starts.
 */
export async function creates(stack: Stack, options: { repetitions: number; perConcurrency: Record<number, number> }): Promise<Figures> {
  const { service } = stack;
  const timings = loadConfig({}).timings;
  const raw = profileWorkflows(service.client, service.taskQueue, timings, undefined, 60_000);
  let serial = 0;
  // The CPU each side spent, from its first create until the worker has run the last workflows' first task.
  const temporalPort = stack.temporal.address.split(':').pop();
  const meter = () =>
    cpuMeter({
      api: { groups: service.apis.map((api) => api.pid()) },
      worker: { groups: [service.worker.pid()] },
      'temporal server': { match: ({ command, args }) => command === 'temporal' && args.includes(temporalPort!) },
      postgres: { match: ({ command }) => command === 'postgres' },
    });

  async function overHttp(count: number, concurrency: number): Promise<Run> {
    const customers: Caller[] = [];
    for (let i = 0; i < count; i++) customers.push(await service.customer(`Create ${serial}-${i}`));
    const first = serial;
    serial += count;
    const cpuSince = meter();
    const started = Date.now();
    // 503s are retried after Retry-After; the time they waited counts against the figure.
    const ids = await pool(customers, concurrency, (customer, i) => createOrganizationAsClient(customer, first + i, true));
    const administrators = await service.db.selectFrom('administrators').select(['id', 'organization_id']).where('organization_id', 'in', ids).execute();
    const administratorOf = new Map(administrators.map((a) => [a.organization_id, a.id]));
    const workflowIds = ids.flatMap((id) => [workflowIdFor('organization', id), workflowIdFor('administrator', administratorOf.get(id)!)]);
    const rate = (count / ((await lastStart(workflowIds)) - started)) * 1000;
    await drained(workflowIds);
    return { rate, cpu: cpuSince() };
  }

  async function rawClient(count: number, concurrency: number): Promise<Run> {
    const rows = Array.from({ length: count }, () => syntheticRows());
    const cpuSince = meter();
    const started = Date.now();
    await pool(rows, concurrency, async ({ organization, administrator }) => {
      await Promise.all([raw.start('organization', organization), raw.start('administrator', administrator)]);
    });
    const workflowIds = rows.flatMap(({ organization, administrator }) => [
      workflowIdFor('organization', organization.id),
      workflowIdFor('administrator', administrator.id),
    ]);
    const rate = (count / ((await lastStart(workflowIds)) - started)) * 1000;
    await drained(workflowIds);
    return { rate, cpu: cpuSince() };
  }

  /**
   * When the last of these workflows started (the server's start time, epoch ms), read after the run: a
   * create counts once its workflows run, not once it is answered (the service answers before its starts).
   */
  async function lastStart(workflowIds: string[]): Promise<number> {
    const startTime = async (id: string): Promise<number> => {
      for (;;) {
        try {
          return (await service.client.workflow.getHandle(id).describe()).startTime.getTime();
        } catch (error) {
          // Not started yet: the service's starts follow its answers.
          if (!(error instanceof WorkflowNotFoundError)) throw error;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    return Math.max(...(await pool(workflowIds, 16, startTime)));
  }

  /** Until the last creates' workflows (organizations' and administrators') have had their first task (WorkflowTaskCompleted is the fourth event). */
  async function drained(workflowIds: string[]): Promise<void> {
    for (const id of workflowIds.slice(-16)) {
      const handle = service.client.workflow.getHandle(id);
      while (((await handle.describe()).historyLength ?? 0) < 4) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const figures: Figures = {};
  for (const [concurrencyText, count] of Object.entries(options.perConcurrency)) {
    const concurrency = Number(concurrencyText);
    const runs: Array<{ value: number; baseline: number }> = [];
    const cpus: Record<'value' | 'baseline', Array<{ cpu: CpuParts; per: number }>> = { value: [], baseline: [] };
    const measured = async (side: 'value' | 'baseline') => {
      const { rate, cpu } = await (side === 'value' ? overHttp : rawClient)(count, concurrency);
      cpus[side].push({ cpu, per: count });
      return rate;
    };
    await overHttp(Math.min(count, 20), concurrency); // warm-up: connections, pools, code paths
    for (let r = 0; r < options.repetitions; r++) {
      let baseline = r % 2 === 0 ? await measured('baseline') : undefined;
      const value = await measured('value');
      baseline ??= await measured('baseline');
      runs.push({ value, baseline });
      console.log(`  create_c${concurrency} #${r + 1}: ${value.toFixed(1)}/s over HTTP, ${baseline.toFixed(1)}/s raw client`);
    }
    const cpuPerCreate = { unit: 'ms CPU per create', value: medianPerItem(cpus.value), baseline: medianPerItem(cpus.baseline) };
    console.log(`  create_c${concurrency} CPU per create: ${describeCpu(cpuPerCreate.value)} over HTTP; ${describeCpu(cpuPerCreate.baseline)} raw client`);
    figures[`create_c${concurrency}`] = { ...pairedFigure(runs, 'creates/s', true, '≤ 1.1× the raw client'), cpu: cpuPerCreate };
  }
  return figures;
}

/** One side's run: creates per second, and the CPU the machine spent on them by part. */
interface Run {
  rate: number;
  cpu: CpuParts;
}

/** The rows a create would write, for the raw client's starts (never stored: the baseline has no database). */
function syntheticRows(): { organization: OrganizationRow; administrator: AdministratorRow } {
  const now = new Date();
  const due = new Date(now.getTime() + 86_400_000);
  const accountId = randomUUID();
  const organizationId = randomUUID();
  const common = { account_id: accountId, status: 'under_review', due_at: due, valid_until: null, created_at: now, updated_at: now };
  return {
    organization: { ...common, id: organizationId, name: 'Acme Network Technology Co., Ltd.' } as unknown as OrganizationRow,
    administrator: { ...common, id: randomUUID(), organization_id: organizationId, email: 'li.lei@acme.cn' } as unknown as AdministratorRow,
  };
}
