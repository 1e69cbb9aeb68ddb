import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Caller } from '../../test/faults/support/production';
import { workflowIdFor } from '../../src/temporal/ids';
import { pairedFigure, type Figures } from '../support/report';
import type { BurstJob } from '../support/burst-client';
import { createOrganizationAsClient, type Stack } from '../support/stack';
import { percentile } from '../support/stats';
import { within } from '../../src/app/within';

const ORGANIZATIONS_PER_ACCOUNT = 10;

/**
 * `decision_p99_under_burst` (issue 6 item 5, issue 9): a reviewer's decision on an organization while
 * a burst of creates floods the task queue, against the same decision on the idle service. Each
 * repetition decides `decisions` organizations idle, then starts `burst` creates at concurrency 32 and
 * decides `decisions` others while the burst's workflows are still queued. Decisions go one at a time,
 * as a reviewer's do. The burst comes from a process of its own (bench/support/burst-client.ts), as a
 * customer's import comes from another machine than the reviewer's browser, so the decisions' timing does
 * not wait on the burst's event loop. The run records when the burst's last workflow got its first task,
 * to show the decisions really ran against a backlog.
 */
export async function decisionUnderBurst(stack: Stack, options: { repetitions: number; burst: number; decisions: number }): Promise<Figures> {
  const { service } = stack;
  const reviewer = await service.reviewer('Bench reviewer');
  let serial = 0;

  async function organizationsUnderReview(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let made = 0; made < count; made += ORGANIZATIONS_PER_ACCOUNT) {
      const customer = await service.customer(`Bench ${serial}`);
      for (let i = 0; i < Math.min(ORGANIZATIONS_PER_ACCOUNT, count - made); i++) {
        ids.push(await createOrganizationAsClient(customer, serial++, i === 0));
      }
    }
    return ids;
  }

  async function decide(ids: string[], spacingMs: number): Promise<number[]> {
    const latencies: number[] = [];
    for (const id of ids) {
      const answer = await reviewer.request('POST', `/v1/reviews/organizations/${id}/decision`, { decision: 'reject', reason: 'Bench: landline unanswered' });
      // A decision that did not land within the deadline counts with the time it took to say so; any other failure is the bench's or the service's bug.
      if (answer.status === 503) console.log(`    decision ${id}: 503 after ${answer.ms} ms`);
      else if (answer.status !== 200) throw new Error(`decision ${id}: ${answer.status} ${JSON.stringify(answer.body)}`);
      latencies.push(answer.ms);
      await sleep(spacingMs);
    }
    return latencies;
  }

  /**
   * Starts `count` creates from a process of its own (bench/support/burst-client.ts); resolves once its first
   * request goes out. `stop()` ends the process if it still runs (it also ends when this process goes).
   */
  async function burstOfCreates(count: number): Promise<{ done: Promise<string[]>; startedAt: number; stop(): void }> {
    const customers: Caller[] = [];
    for (let i = 0; i < Math.ceil(count / ORGANIZATIONS_PER_ACCOUNT); i++) customers.push(await service.customer(`Burst ${serial}-${i}`));
    const job: BurstJob = {
      urls: service.apis.map((api) => api.url),
      customers: customers.map(({ key, id }) => ({ key, id })),
      first: serial,
      count,
      perAccount: ORGANIZATIONS_PER_ACCOUNT,
      concurrency: 32,
    };
    serial += count;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'support', 'burst-client.ts')], {
      cwd: path.join(__dirname, '..', '..'),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // The job on stdin, which stays open: the child ends when it closes, as it does when this process goes.
    child.stdin.on('error', () => undefined); // a child gone early: said by its exit code
    child.stdin.write(`${JSON.stringify(job)}\n`);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const closed = new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    const stop = () => {
      child.stdin.end();
      child.kill('SIGKILL');
    };
    const started = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.startsWith('started\n')) resolve();
      });
      closed.then(
        () => reject(new Error(`the burst client exited before its first create: ${stderr}`)),
        (error: unknown) => reject(error),
      );
    });
    const outcome = await within(
      started.then(
        () => undefined,
        (error: unknown) => error,
      ),
      60_000,
      'timeout' as const,
    );
    if (outcome !== undefined) {
      stop();
      throw outcome === 'timeout' ? new Error(`the burst client did not start within 60 s: ${stderr}`) : outcome;
    }
    const startedAt = Date.now();
    const done = closed.then((code) => {
      if (code !== 0) throw new Error(`the burst client failed (${code}): ${stderr}`);
      // Its last line: the ids (anything it printed before them is not the answer).
      return JSON.parse(stdout.trim().split('\n').pop()!) as string[];
    });
    // Awaited later; a failure meanwhile must not end the bench before its stack is stopped.
    done.catch(() => undefined);
    return { done, startedAt, stop };
  }

  /** Until the workflow's first task completed (WorkflowTaskCompleted is the history's fourth event). */
  async function firstTaskDone(organizationId: string): Promise<void> {
    const handle = service.client.workflow.getHandle(workflowIdFor('organization', organizationId));
    for (;;) {
      const description = await handle.describe().catch(() => undefined);
      if (description && description.historyLength >= 4) return;
      await sleep(200);
    }
  }

  const runs: Array<{ value: number; baseline: number; burstCreatesPerS: number; burstDrainedS: number; decisionsBeforeDrain: number }> = [];
  for (let r = 0; r < options.repetitions; r++) {
    const idle = await organizationsUnderReview(options.decisions);
    const busy = await organizationsUnderReview(options.decisions);
    await Promise.all([...idle, ...busy].map(firstTaskDone));
    const idleLatencies = await decide(idle, 50);

    const burst = await burstOfCreates(options.burst);
    let measured: { decisionsStarted: number; decided: { latencies: number[]; at: number }; createdAt: number; drainedAt: number };
    try {
      await sleep(1000);
      const decisionsStarted = Date.now();
      const decisionsFinished = decide(busy, 100).then((latencies) => ({ latencies, at: Date.now() }));
      // Awaited below; a failure meanwhile must not end the bench before the burst and the stack are stopped.
      decisionsFinished.catch(() => undefined);
      const ids = await burst.done;
      const createdAt = Date.now();
      await firstTaskDone(ids[ids.length - 1]);
      measured = { decisionsStarted, decided: await decisionsFinished, createdAt, drainedAt: Date.now() };
    } finally {
      burst.stop();
    }
    const { decisionsStarted, decided, createdAt, drainedAt } = measured;
    if (process.env.BENCH_DEBUG) {
      const history = await service.client.workflow.getHandle(workflowIdFor('organization', busy[0])).fetchHistory();
      const t0 = Number(history.events![0].eventTime!.seconds) * 1000 + Math.round((history.events![0].eventTime!.nanos ?? 0) / 1e6);
      for (const e of history.events!) {
        const t = Number(e.eventTime!.seconds) * 1000 + Math.round((e.eventTime!.nanos ?? 0) / 1e6);
        console.log(`      ${new Date(t).toISOString()} +${t - t0} ${e.eventType} ${e.workflowTaskScheduledEventAttributes?.taskQueue?.kind ?? ''}`);
      }
      console.log(`      decisions started ${new Date(decisionsStarted).toISOString()}`);
    }
    runs.push({
      value: percentile(decided.latencies, 99),
      baseline: percentile(idleLatencies, 99),
      burstCreatesPerS: options.burst / ((createdAt - burst.startedAt) / 1000),
      burstDrainedS: (drainedAt - burst.startedAt) / 1000,
      decisionsBeforeDrain:
        decided.at <= drainedAt
          ? decided.latencies.length
          : Math.round(((drainedAt - decisionsStarted) / (decided.at - decisionsStarted)) * decided.latencies.length),
    });
    console.log(`  decision_p99_under_burst #${r + 1}: ${JSON.stringify(runs[runs.length - 1])}`);
    console.log(`    idle ${idleLatencies.join(' ')}\n    busy ${decided.latencies.join(' ')}`);
  }
  const figure = pairedFigure(runs, 'ms', false, 'p99 ≤ 2× idle');
  figure.runs = runs;
  return { decision_p99_under_burst: figure };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
