/**
 * `npm run bench [-- --quick] [-- --only=name,…]`: the service's speed and size figures, each beside a
 * baseline measured in the same run (issue 9). Prints a table and writes bench/results/latest.json.
 * Runs on real parts: the machine's PostgreSQL, a Temporal dev server of its own, the production shape
 * (`npm run api` ×2 + `npm run worker`). Not part of `npm test`: the machines are noisy, ratios are the figures.
 */
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { findTemporalCli } from '../src/temporal/cli-binary';
import { creates } from './figures/creates';
import { dcvRate } from './figures/dcv-rate';
import { decisionUnderBurst } from './figures/decision-under-burst';
import { readScaling } from './figures/read-scaling';
import { startToReady } from './figures/start-to-ready';
import { workerRss } from './figures/worker-rss';
import { type Figures, machine, table, writeResults } from './support/report';
import { type Stack, startStack } from './support/stack';

const PROJECT_DIR = path.resolve(__dirname, '..');

/** Each group of figures, with its sizes for a full run and for `--quick` (under 5 minutes in all). */
const GROUPS: Array<{ names: string[]; run: (quick: boolean, temporalCli: string) => Promise<Figures> }> = [
  {
    names: ['create_c1', 'create_c8', 'create_c32'],
    run: (quick) => onStack((stack) => creates(stack, { repetitions: 3, perConcurrency: quick ? { 1: 8, 8: 16, 32: 32 } : { 1: 60, 8: 300, 32: 600 } })),
  },
  {
    names: ['decision_p99_under_burst'],
    run: (quick) =>
      onStack((stack) => decisionUnderBurst(stack, quick ? { repetitions: 3, burst: 160, decisions: 12 } : { repetitions: 3, burst: 2000, decisions: 40 })),
  },
  {
    names: ['dcv_rate', 'dcv_raw_dns'],
    run: (quick) => dcvRate(quick ? { repetitions: 3, domains: 40, warmup: 5 } : { repetitions: 3, domains: 1000, warmup: 50 }),
  },
  {
    names: ['worker_rss_10k_domains'],
    run: (quick) => onStack((stack) => workerRss(stack, { domains: quick ? 200 : 10_000 })),
  },
  {
    names: ['list_orgs_ratio_10k', 'review_queue_ratio_10k'],
    run: (quick) =>
      readScaling(
        quick
          ? { organizations: 2_000, domains: 20_000, requests: 50, repetitions: 3 }
          : { organizations: 10_000, domains: 100_000, requests: 200, repetitions: 3 },
      ),
  },
  {
    names: ['start_to_ready'],
    run: (quick, temporalCli) => startToReady({ repetitions: quick ? 3 : 5, temporalCli }),
  },
];

/** Time since `started` (a `performance.now()`), as `m min s s`. */
function elapsedSince(started: number): string {
  const total = Math.round((performance.now() - started) / 1000);
  return total < 60 ? `${total} s` : `${Math.floor(total / 60)} min ${total % 60} s`;
}

async function onStack(measure: (stack: Stack) => Promise<Figures>): Promise<Figures> {
  const stack = await startStack();
  try {
    return await measure(stack);
  } finally {
    await stack.stop();
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const temporalCli = findTemporalCli(PROJECT_DIR);
  const temporalVersion = execFileSync(temporalCli, ['--version']).toString().trim();
  const figures: Figures = {};
  // A group that fails is reported and the run goes on: the figures measured so far (tens of minutes) are kept.
  const failed: string[] = [];
  const runStarted = performance.now();
  for (const group of GROUPS) {
    if (only && !group.names.some((name) => only.includes(name))) continue;
    console.log(`${group.names.join(', ')} …`);
    const groupStarted = performance.now();
    try {
      Object.assign(figures, await group.run(quick, temporalCli));
    } catch (error) {
      console.error(`${group.names.join(', ')} failed:`, error);
      failed.push(...group.names);
    }
    console.log(`  (${elapsedSince(groupStarted)})`);
  }
  // The run's own length: `--quick` is meant to end within 5 minutes (issue 9).
  console.log(`\n${table(figures)}\n\n${quick ? 'quick run' : 'full run'} in ${elapsedSince(runStarted)}`);
  const file = path.join(PROJECT_DIR, 'bench', 'results', 'latest.json');
  writeResults(file, { machine: machine(temporalVersion), figures, quick, at: new Date().toISOString() });
  console.log(`written to ${path.relative(PROJECT_DIR, file)}`);
  if (failed.length) throw new Error(`not measured: ${failed.join(', ')}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
