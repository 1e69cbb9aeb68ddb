import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** One of the service's entry files (`src/api.ts`, `src/worker.ts`, ...) running as its own process, as `npm run` starts it. */
export interface ServiceProcess {
  /** Everything it wrote, stdout and stderr together. */
  output(): string;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

export function spawnService(entry: string, env: NodeJS.ProcessEnv): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return {
    output: () => output,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    kill: (signal = 'SIGTERM') => void child.kill(signal),
  };
}

/** A JSON log line of the service. */
export interface LogLine {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  msg: string;
  requestId?: string;
  [field: string]: unknown;
}

/** Every line of `output` as the JSON object it must be; a line that is not JSON fails the parse, naming it. */
export function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}

/** Waits for the process to exit; unless with `code`, fails showing the end of its output (why it exited). */
export async function expectExit(service: Pick<ServiceProcess, 'exited' | 'output'>, code: number): Promise<void> {
  const exited = await service.exited;
  if (exited !== code) throw new Error(`exited with ${exited}, expected ${code}; its last output:\n${service.output().split('\n').slice(-40).join('\n')}`);
}
