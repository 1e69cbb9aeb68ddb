/**
 * `npm run bench [-- --quick] [-- --only=name,…]`: the service's speed and size figures, each beside a
 * baseline measured in the same run (issue 9). Prints a table and writes bench/results/latest.json.
 * Runs on real parts: the machine's PostgreSQL, a Temporal dev server of its own, the production shape
 * (`npm run api` ×2 + `npm run worker`). Not part of `npm test`: the machines are noisy, ratios are the figures.
 */
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { findTemporalCli } from '../src/temporal/cli-binary';
import { dcvRate } from './figures/dcv-rate';
import { decisionUnderBurst } from './figures/decision-under-burst';
import { type Figures, machine, table, writeResults } from './support/report';
import { startStack } from './support/stack';

const PROJECT_DIR = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const wanted = (name: string) => !only || only.includes(name);
  const temporalVersion = execFileSync(findTemporalCli(PROJECT_DIR), ['--version']).toString().trim();
  const figures: Figures = {};

  if (wanted('decision_p99_under_burst')) {
    console.log('decision_p99_under_burst …');
    const stack = await startStack();
    try {
      Object.assign(
        figures,
        await decisionUnderBurst(stack, quick ? { repetitions: 3, burst: 300, decisions: 20 } : { repetitions: 3, burst: 2000, decisions: 40 }),
      );
    } finally {
      await stack.stop();
    }
  }

  if (wanted('dcv_rate') || wanted('dcv_raw_dns')) {
    console.log('dcv_rate, dcv_raw_dns …');
    Object.assign(figures, await dcvRate(quick ? { repetitions: 3, domains: 200, warmup: 20 } : { repetitions: 3, domains: 1000, warmup: 50 }));
  }

  console.log(`\n${table(figures)}\n`);
  const file = path.join(PROJECT_DIR, 'bench', 'results', 'latest.json');
  writeResults(file, { machine: machine(temporalVersion), figures, quick, at: new Date().toISOString() });
  console.log(`written to ${path.relative(PROJECT_DIR, file)}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
