import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SEARCH_ATTRIBUTES, searchAttributeSpec } from './search-attributes';

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * `temporal server start-dev` with its SQLite file under `dataDir` (write-ahead log, synced at every
 * commit), so workflows survive a restart or a crash,
 * the service's search attributes registered, and nothing that phones home (this may run offline).
 */
export async function startDevServer(options: {
  cliPath: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  headless?: boolean;
  /** false: none of the service's search attributes registered, as on a fresh cluster (tests of `npm run setup`). */
  searchAttributes?: boolean;
  /** Called when the server exits after it started, other than by `stop()`: its exit code or signal, and its log file. */
  onExit?: (how: string, logFile: string) => void;
}): Promise<DevServer> {
  await stopOrphan(options.dataDir);
  if (await portOpen(options.port)) {
    throw new Error(`port ${options.port} is taken: another Temporal server runs there (set TEMPORAL_ADDRESS to use it, or TEMPORAL_DEV_PORT to move ours)`);
  }
  mkdirSync(options.dataDir, { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--db-filename',
    path.join(options.dataDir, 'temporal.sqlite'),
    '--namespace',
    options.namespace,
    '--log-level',
    'warn',
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
    // An activity scheduled on the worker's own task queue comes back with the workflow task's
    // completion, in a slot the worker reserved: no trip through matching (a decision's write starts
    // at once while the worker has a free activity slot; with every slot busy it queues in matching at
    // its lane's priority, as without eager dispatch). As in docker-compose's dynamic config.
    '--dynamic-config-value',
    'system.enableActivityEagerExecution=true',
    // Write-ahead log, synced at every commit: as durable as SQLite's default rollback journal, with one
    // sync per commit instead of several (the dev server's own floor doubles; `npm run bench`, dcv_rate).
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=full',
    ...(options.searchAttributes === false ? [] : SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', searchAttributeSpec(key)])),
    ...(options.headless ? ['--headless'] : ['--ui-port', String(options.uiPort), '--ui-ip', '127.0.0.1']),
  ];
  const log = createWriteStream(path.join(options.dataDir, 'temporal.log'), { flags: 'a' });
  const pidFile = path.join(options.dataDir, 'dev-server.pid');
  const child: ChildProcess = spawn(options.cliPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TEMPORAL_VERSION_CHECK_DISABLED: '1' },
    // Its own process group: a Ctrl-C in the terminal stops the service, which stops the server after the
    // worker has drained (stop()); a server left behind by a killed service is ended by the next start.
    detached: true,
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited = false;
  let started = false;
  let stopping = false;
  const logFile = path.join(options.dataDir, 'temporal.log');
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      rmSync(pidFile, { force: true });
      if (started && !stopping) options.onExit?.(String(code ?? signal), logFile);
      resolve();
    }),
  );
  if (child.pid) writeFileSync(pidFile, String(child.pid));

  const deadline = Date.now() + 60_000;
  while (!(await portOpen(options.port))) {
    if (exited) throw new Error(`the Temporal dev server exited at start; see ${logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the Temporal dev server did not open its port within 60 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  started = true;
  return {
    address: `127.0.0.1:${options.port}`,
    uiUrl: options.headless ? '' : `http://127.0.0.1:${options.uiPort}`,
    async stop() {
      stopping = true;
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
      log.end();
    },
  };
}

/**
 * A dev server left running by a service that was killed (not stopped) still holds the SQLite file
 * and the port: end it, so `npm start` after a crash just works.
 */
async function stopOrphan(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'dev-server.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  rmSync(pidFile, { force: true });
  const cmdline = (() => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  })();
  if (!pid || !cmdline.includes('start-dev') || !cmdline.includes(dataDir)) return;
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < 10_000 && existsSync(`/proc/${pid}`); waited += 100) await new Promise((r) => setTimeout(r, 100));
}
