import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * Running what docker-compose.yml declares without a container engine: the file as Debian's
 * `docker-compose` resolves it (interpolation, anchors, secrets), the image's own environment from
 * the Dockerfile, and a service's command as a process group of its own.
 */

export interface ResolvedService {
  command?: string[];
  environment?: Record<string, string | number | null>;
  secrets?: Array<{ source: string; target?: string }>;
  depends_on?: Record<string, { condition: string }>;
}

export interface ResolvedCompose {
  services: Record<string, ResolvedService>;
  secrets?: Record<string, { file: string }>;
}

/**
 * `docker-compose config` of `composeFile`, with relative paths (secret files, build contexts) taken
 * from `projectDir` and only PATH and HOME from the caller's environment.
 */
export function resolveCompose(composeFile: string, projectDir: string): ResolvedCompose {
  const result = spawnSync('docker-compose', ['-f', composeFile, '--project-directory', projectDir, 'config'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' },
  });
  if (result.status !== 0) throw new Error(`docker-compose config failed: ${result.error?.message ?? result.stderr}`);
  return parse(result.stdout) as ResolvedCompose;
}

/** The `ENV` instructions of a Dockerfile (`ENV A=1 \` continued over lines), as the image's processes see them. */
export function dockerfileEnvironment(dockerfile: string): Record<string, string> {
  const text = readFileSync(dockerfile, 'utf8').replace(/\\\n/g, ' ');
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^ENV\s+(.*)$/.exec(line.trim());
    if (!match) continue;
    for (const pair of match[1].trim().split(/\s+/)) {
      const [name, ...value] = pair.split('=');
      env[name] = value.join('=');
    }
  }
  return env;
}

/** A service's environment as strings (compose writes numbers and empty values too). */
export function environmentOf(service: ResolvedService): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([name, value]) => [name, value === null ? '' : String(value)]));
}

/** Where a container finds each of its secrets (`/run/secrets/<target>`) and the file compose mounts there. */
export function secretMounts(compose: ResolvedCompose, service: string): Array<{ target: string; file: string }> {
  return (compose.services[service].secrets ?? []).map((secret) => ({
    target: path.posix.join('/run/secrets', secret.target ?? secret.source),
    file: compose.secrets![secret.source].file,
  }));
}

export interface ServiceRun {
  name: string;
  output(): string;
  running(): boolean;
  exited: Promise<number | null>;
  /** SIGTERM to the whole group, SIGKILL to what is left of it after 15 s. */
  stop(): Promise<void>;
  /**
   * As `docker compose stop` with `init: true`: SIGTERM to the command's own process only (tini forwards
   * it to its child, npm here), then up to `graceMs` (compose's 10 s) for the whole group to end. Says
   * how the command exited and whether anything of it was left (which SIGKILL would then have ended).
   */
  terminate(graceMs?: number): Promise<{ code: number | null; left: boolean }>;
}

/** Runs `command` in its own process group (npm, its shell and node go together), keeping what it prints. */
export function runService(name: string, command: string[], options: { cwd: string; env: Record<string, string> }): ServiceRun {
  const child: ChildProcess = spawn(command[0], command.slice(1), { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const append = (chunk: Buffer) => (output += chunk.toString());
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = () => child.exitCode === null && child.signalCode === null;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  const groupAlive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  return {
    name,
    output: () => output,
    running,
    exited,
    async terminate(graceMs = 10_000) {
      child.kill('SIGTERM');
      const until = Date.now() + graceMs;
      while (groupAlive() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      return { code: child.exitCode, left: groupAlive() };
    },
    async stop() {
      signal('SIGTERM');
      const until = Date.now() + 15_000;
      while (groupAlive() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      signal('SIGKILL');
      await exited;
    },
  };
}
