import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { connectDatabase, type Db } from '../../../src/db/connect';
import { migrateToLatest } from '../../../src/db/migrate';
import { createAccount, createReviewer } from '../../../src/db/principals';
import { freePort } from '../../support/ports';
import { codecKeysOf } from '../../../src/temporal/codec-keys';
import { type Caller, httpCallers } from '../../support/http-caller';
import { dataConverterOf, EncryptionCodec } from '../../../src/temporal/payload-codec';

const PROJECT_DIR = path.resolve(__dirname, '../../..');

/**
 * PROFILE_DIR set (`PROFILE_DIR=/tmp/profiles npm run bench -- --only=create_c1`): each process writes V8
 * CPU profiles (`.cpuprofile`, one per thread; Chrome DevTools opens them) under PROFILE_DIR/<name> when
 * it stops. Node refuses --cpu-prof in NODE_OPTIONS, hence the arguments.
 */
const profileArgs = (name: string) => (process.env.PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.join(process.env.PROFILE_DIR, name)}`] : []);

/** One process of the service (`npm run api` or `npm run worker`), run as `node --import tsx src/<entry>.ts` in its own process group. */
export interface ServiceProcess {
  name: string;
  pid(): number | undefined;
  running(): boolean;
  /** Everything it printed (stdout and stderr), for assertions and failure messages. */
  output(): string;
  /** Sends the signal (SIGKILL by default: a crash) and waits until the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again with the same environment and waits until it is ready. */
  restart(): Promise<void>;
}

export interface ApiProcess extends ServiceProcess {
  port: number;
  url: string;
}

export type { Caller, TimedResponse } from '../../support/http-caller';

export interface Production {
  apis: ApiProcess[];
  worker: ServiceProcess;
  /** The environment the processes run with. */
  env: Record<string, string>;
  /** The test's own connection to the service's database (no request deadline). */
  db: Db;
  /** A Temporal client on the service's namespace. */
  client: Client;
  taskQueue: string;
  customer(name?: string): Promise<Caller>;
  reviewer(name?: string): Promise<Caller>;
  /** Kills every process, closes the connections and removes the data directory. */
  stop(): Promise<void>;
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string, dump: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${dump()}`);
}

function serviceProcess(name: string, entry: string, env: Record<string, string>, ready: (output: string) => Promise<boolean> | boolean): ServiceProcess {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
  };
  const proc: ServiceProcess = {
    name,
    pid: () => child?.pid,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    output: () => output,
    async kill(signal = 'SIGKILL') {
      if (!proc.running() || !child?.pid) return;
      try {
        process.kill(-child.pid, signal); // the group: nothing the process spawned outlives it
      } catch {
        child.kill(signal);
      }
      await exited;
    },
    async restart() {
      await proc.kill('SIGKILL');
      output += `\n--- ${name} (re)started ---\n`;
      const started = spawn(process.execPath, [...profileArgs(name), '--import', 'tsx', entry], {
        cwd: PROJECT_DIR,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      child = started;
      started.stdout?.on('data', append);
      started.stderr?.on('data', append);
      exited = new Promise((resolve) => started.once('exit', (code, signal) => ((output += `\n--- ${name} exited (${code ?? signal}) ---\n`), resolve())));
      await waitFor(
        async () => {
          if (!proc.running()) throw new Error(`${name} exited during start-up`);
          return ready(output);
        },
        180_000,
        `${name} to be ready`,
        () => output.slice(-4000),
      ).catch(async (error) => {
        if (!proc.running()) throw new Error(`${name} exited during start-up:\n${output.slice(-4000)}`);
        throw error;
      });
    },
  };
  return proc;
}

/**
 * The production shape on real parts: `npm run api` twice and `npm run worker` once, as child
 * processes sharing one PostgreSQL database and one Temporal server, configured only through the
 * environment as in deploy/. Accounts and reviewers are created with the project's own functions
 * (what `npm run cli -- account create` does). `env` overrides or adds variables (REQUEST_DEADLINE,
 * RECONCILE_INTERVAL, ...).
 */
export async function startProduction(options: {
  databaseUrl: string;
  temporalAddress: string;
  apis?: number;
  env?: Record<string, string>;
  /** Judge every answer by /openapi.json (default true); the bench turns it off so its CPU is not taken from the service it measures. */
  checkContract?: boolean;
}): Promise<Production> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cps-faults-service-'));
  const taskQueue = `faults-${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    DATABASE_URL: options.databaseUrl,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    SECRET_KEY: randomBytes(32).toString('base64'),
    DATA_DIR: dataDir,
    DCV_PERSPECTIVES: 'primary=127.0.0.1:1',
    DCV_DELEGATION_ZONE: 'dcv.faults.test',
    RECONCILE_INTERVAL: '2s',
    REQUEST_DEADLINE: '3s',
    LOG_LEVEL: 'ERROR',
    ...options.env,
  };
  // Migrated once up front, as `npm run migrate` would in a deployment.
  const db = await connectDatabase({ databaseUrl: options.databaseUrl, dataDir, poolSize: 4 });
  await migrateToLatest(db);
  const connection = await Connection.connect({ address: options.temporalAddress });
  // The processes' own payload codec (from SECRET_KEY), so the test reads what they wrote and writes what they read.
  const codec = new EncryptionCodec(codecKeysOf([], Buffer.from(env.SECRET_KEY, 'base64')));
  const client = new Client({ connection, dataConverter: dataConverterOf(codec) });

  const apis: ApiProcess[] = [];
  for (let i = 0; i < (options.apis ?? 2); i++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const proc = serviceProcess(`api-${i + 1}`, 'src/api.ts', { ...env, PORT: String(port) }, async () => (await fetch(`${url}/healthz`)).ok);
    apis.push(Object.assign(proc, { port, url }));
  }
  const worker = serviceProcess('worker', 'src/worker.ts', env, (output) => /DCV perspectives:/.test(output));
  await worker.restart();
  await Promise.all(apis.map((api) => api.restart()));

  const caller = httpCallers(
    apis.map((api) => api.url),
    { checkContract: options.checkContract },
  );

  return {
    apis,
    worker,
    env,
    db,
    client,
    taskQueue,
    async customer(name = 'Customer') {
      const { accountId, apiKey } = await createAccount(db, name);
      return caller(apiKey, accountId);
    },
    async reviewer(name = 'Reviewer') {
      const { reviewerId, apiKey } = await createReviewer(db, name);
      return caller(apiKey, reviewerId);
    },
    async stop() {
      // A profile is written only by a process that exits by itself.
      if (process.env.PROFILE_DIR) await Promise.all([...apis, worker].map((p) => p.kill('SIGTERM')));
      await Promise.all([...apis, worker].map((p) => p.kill('SIGKILL')));
      await connection.close().catch(() => undefined);
      await db.destroy().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
