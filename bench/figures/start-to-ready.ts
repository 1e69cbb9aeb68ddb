import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../test/support/ports';
import { soloFigure, type Figures } from '../support/report';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * `start_to_ready` (issue 9): seconds from `npm start` (embedded PGlite and Temporal dev server, as a
 * newcomer runs it) until `/readyz` answers 200, warm: the data directory already initialized by a first
 * start that is not counted. Each start is stopped with SIGINT before the next. Goal ≤ 8 s.
 */
export async function startToReady(options: { repetitions: number; temporalCli: string }): Promise<Figures> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cps-bench-start-'));
  const port = await freePort();
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    DCV_DNS_LISTEN: `127.0.0.1:${await freePort()}`,
    TEMPORAL_CLI_PATH: options.temporalCli,
    DATABASE_URL: '',
    TEMPORAL_ADDRESS: '',
    HOST: '',
  };
  const runs: number[] = [];
  try {
    for (let r = 0; r <= options.repetitions; r++) {
      const started = performance.now();
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        await ready(`http://127.0.0.1:${port}/readyz`, child, () => output);
        const seconds = (performance.now() - started) / 1000;
        if (r > 0) runs.push(seconds);
        console.log(`  start_to_ready ${r === 0 ? '(first start, not counted)' : `#${r}`}: ${seconds.toFixed(2)} s`);
      } finally {
        child.kill('SIGINT');
        await exited;
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { start_to_ready: soloFigure(runs, 's', '≤ 8 s warm') };
}

async function ready(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited:\n${output().slice(-3000)}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not ready within 180 s:\n${output().slice(-3000)}`);
}
