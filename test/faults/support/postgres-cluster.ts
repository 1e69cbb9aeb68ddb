import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../support/ports';

/** A PostgreSQL cluster of the test's own, which it may stop and restart at will. */
export interface PostgresCluster {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth). */
  url: string;
  /** The URL of another database on this cluster. */
  urlOf(database: string): string;
  start(): Promise<void>;
  /** `fast` ends sessions (57P01) and refuses new connections; `immediate` is a crash-like stop. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  restart(): Promise<void>;
  running(): boolean;
  /** Stops the server and removes its files. */
  destroy(): Promise<void>;
  /** The server's log so far, for failure messages. */
  log(): string;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)');
  return path.join(root, versions[0], 'bin');
}

function uidOf(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Runs a PostgreSQL binary as the `postgres` user (initdb and the server refuse to run as root). */
function asPostgres(command: string, args: string[], timeoutMs = 60_000): string {
  const asRoot = process.getuid?.() === 0;
  const result = asRoot
    ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8', timeout: timeoutMs })
    : spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs });
  if (result.status !== 0)
    throw new Error(`${path.basename(command)} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`);
  return result.stdout;
}

/**
 * initdb into a fresh temporary directory owned by `postgres`, on a free loopback port, started with
 * pg_ctl. Durability is off (fsync) because only outages are under test, not power loss.
 */
export async function startPostgresCluster(options: { maxConnections?: number } = {}): Promise<PostgresCluster> {
  const bin = binDir();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cps-faults-pg-'));
  if (process.getuid?.() === 0) {
    const { uid, gid } = uidOf('postgres');
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  asPostgres(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    `-c max_connections=${options.maxConnections ?? 100}`,
  ].join(' ');
  let up = false;
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const cluster: PostgresCluster = {
    port,
    url,
    urlOf: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-o', serverOptions, '-l', logFile, '-w', '-t', '60', 'start']);
      up = true;
    },
    async stop(mode = 'fast') {
      asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
      up = false;
    },
    async restart() {
      if (up) await cluster.stop();
      await cluster.start();
    },
    running: () => up,
    async destroy() {
      if (up) await cluster.stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
    log() {
      try {
        return execFileSync('tail', ['-n', '50', logFile], { encoding: 'utf8' });
      } catch {
        return '';
      }
    },
  };
  await cluster.start();
  return cluster;
}
