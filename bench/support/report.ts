import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CpuParts } from './cpu';
import { type Spread, spread } from './stats';

/**
 * One figure of `bench/results/latest.json` (issue 9): `value` and `baseline` are medians over the
 * interleaved repetitions in `runs`; `ratio` says how far the figure is from its baseline, oriented so
 * that 1 is "as good as the baseline" and larger is worse.
 */
export interface Figure {
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  goal?: string;
  runs: Array<Record<string, number>>;
  spread?: { value: Spread; baseline?: Spread };
  /** Where the CPU went, per item (medians over the runs; bench/support/cpu.ts): the figure's side and its baseline's. */
  cpu?: { unit: string; value: CpuParts; baseline?: CpuParts };
  /** Set when written: when it was measured, and whether by `--quick`. */
  measuredAt?: string;
  quick?: boolean;
}

export type Figures = Record<string, Figure>;

/**
 * A figure from paired repetitions. `higherIsBetter` orients the ratio: for rates it is baseline ÷ value,
 * for latencies and sizes value ÷ baseline.
 */
export function pairedFigure(runs: Array<{ value: number; baseline: number }>, unit: string, higherIsBetter: boolean, goal?: string): Figure {
  const values = spread(runs.map((r) => r.value));
  const baselines = spread(runs.map((r) => r.baseline));
  const ratio = higherIsBetter ? baselines.median / values.median : values.median / baselines.median;
  return {
    value: round(values.median),
    unit,
    baseline: round(baselines.median),
    ratio: round(ratio),
    goal,
    runs: runs.map((r) => ({ value: round(r.value), baseline: round(r.baseline) })),
    spread: { value: values, baseline: baselines },
  };
}

/** A figure with no baseline (memory, start-up time): the value is the median of `runs`. */
export function soloFigure(runs: number[], unit: string, goal?: string): Figure {
  const values = spread(runs);
  return {
    value: round(values.median),
    unit,
    baseline: null,
    ratio: null,
    goal,
    runs: runs.map((value) => ({ value: round(value) })),
    spread: { value: values },
  };
}

export function round(n: number): number {
  return Number.isFinite(n) ? Math.round(n * 100) / 100 : n;
}

export function machine(temporal: string): Record<string, string | number> {
  return { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, temporal };
}

/** The table printed at the end of a run. */
export function table(figures: Figures): string {
  const rows = [['figure', 'value (min / median / max)', 'baseline (median)', 'ratio', 'goal']];
  for (const [name, f] of Object.entries(figures)) {
    const v = f.spread?.value;
    rows.push([
      name,
      `${v ? `${round(v.min)} / ${round(v.median)} / ${round(v.max)}` : f.value} ${f.unit}`,
      f.baseline === null ? '—' : `${f.baseline} ${f.unit}`,
      f.ratio === null ? '—' : `${f.ratio}×`,
      f.goal ?? '',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ')).join('\n');
}

/**
 * Writes the results file. Each figure carries when it was measured and whether `--quick`; a run of some
 * figures (`--only`) keeps the others from earlier runs, so one file holds the latest of each.
 */
export function writeResults(file: string, result: { machine: Record<string, unknown>; figures: Figures; quick: boolean; at: string }): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const earlier = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { figures?: Figures }).figures : undefined;
  const stamped = Object.fromEntries(Object.entries(result.figures).map(([name, figure]) => [name, { ...figure, measuredAt: result.at, quick: result.quick }]));
  writeFileSync(file, JSON.stringify({ ...result, figures: { ...earlier, ...stamped } }, null, 2) + '\n');
}
