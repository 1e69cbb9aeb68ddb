/**
 * Starts a real nginx (Debian package `nginx`) on free loopback ports, in its own temporary
 * prefix (`-p <dir> -c <conf>`, `daemon off`, pid and logs in the directory, `user root`).
 *
 *   const web = await startNginx({
 *     servers: [
 *       { kind: 'static', root: docroot },                           // serves files from docroot
 *       { kind: 'proxy', upstream: 'http://127.0.0.1:4000/.well-known/pki-validation/' },
 *     ],
 *   });
 *   web.servers[0].port; web.servers[1].url;  await web.stop();
 *
 * A `proxy` server forwards `/.well-known/pki-validation/` to `upstream` (what a customer does
 * for the automatic file method) and answers 404 for everything else.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './binaries';
import { freePort } from './ports';

export type NginxServerSpec = ({ kind: 'static'; root: string } | { kind: 'proxy'; upstream: string; path?: string }) & {
  /** Virtual host name; with `sharedPort` the servers share one port and are told apart by it. */
  serverName?: string;
};

export interface NginxOptions {
  servers: NginxServerSpec[];
  /** All servers on one port (name-based virtual hosts), as a customer's web server would be. */
  sharedPort?: boolean;
  /** With `sharedPort`: the port to use (chosen ahead, e.g. because the code under test is told it first). */
  port?: number;
}

export interface NginxServer {
  address: '127.0.0.1';
  servers: Array<{ port: number; url: string; spec: NginxServerSpec }>;
  dir: string;
  /** The last lines of error.log, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function serverBlock(spec: NginxServerSpec, port: number): string {
  const head = [`  server {`, `    listen 127.0.0.1:${port};`, `    server_name ${spec.serverName ?? '_'};`];
  if (spec.kind === 'static') {
    return [...head, `    root ${spec.root};`, `    location / { try_files $uri =404; }`, `  }`].join('\n');
  }
  const path = spec.path ?? '/.well-known/pki-validation/';
  return [
    ...head,
    `    location ${path} {`,
    `      proxy_pass ${spec.upstream};`,
    `      proxy_set_header Host $host;`,
    `      proxy_connect_timeout 5s;`,
    `      proxy_read_timeout 10s;`,
    `    }`,
    `    location / { return 404; }`,
    `  }`,
  ].join('\n');
}

export async function startNginx(options: NginxOptions): Promise<NginxServer> {
  if (options.servers.length === 0) throw new Error('startNginx needs at least one server');
  const nginx = findBinary('nginx', 'nginx');
  const dir = mkdtempSync(join(tmpdir(), 'nginx-'));
  for (const sub of ['logs', 'tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi']) {
    mkdirSync(join(dir, sub), { recursive: true });
  }
  const ports: number[] = [];
  const shared = options.sharedPort ? (options.port ?? (await freePort())) : undefined;
  for (let i = 0; i < options.servers.length; i++) ports.push(shared ?? (await freePort()));
  const errorLog = join(dir, 'logs', 'error.log');
  const conf = [
    'user root;',
    'daemon off;',
    'worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${errorLog} info;`,
    'events { worker_connections 64; }',
    'http {',
    `  access_log ${join(dir, 'logs', 'access.log')};`,
    `  client_body_temp_path ${join(dir, 'tmp/body')};`,
    `  proxy_temp_path ${join(dir, 'tmp/proxy')};`,
    `  fastcgi_temp_path ${join(dir, 'tmp/fastcgi')};`,
    `  uwsgi_temp_path ${join(dir, 'tmp/uwsgi')};`,
    `  scgi_temp_path ${join(dir, 'tmp/scgi')};`,
    '  default_type text/plain;',
    ...options.servers.map((spec, i) => serverBlock(spec, ports[i])),
    '}',
    '',
  ].join('\n');
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, conf);

  const log = () => (existsSync(errorLog) ? readFileSync(errorLog, 'utf8').split('\n').slice(-40).join('\n') : '');
  // -e: the error log before the config is read (otherwise /var/log/nginx/error.log).
  const args = ['-p', dir, '-c', confPath, '-e', errorLog];
  const test = spawnSync(nginx, [...args, '-t'], { encoding: 'utf8' });
  if (test.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`nginx rejected its configuration: ${test.stderr}`);
  }

  const child: ChildProcess = spawn(nginx, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  let exited = false;
  child.on('exit', () => (exited = true));

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited) {
      const text = `${stderr}\n${log()}`;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nginx exited during startup:\n${text}`);
    }
    if ((await Promise.all(ports.map(accepts))).every(Boolean)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      const text = log();
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nginx did not listen within 10 s:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    address: '127.0.0.1',
    servers: options.servers.map((spec, i) => ({ port: ports[i], url: `http://127.0.0.1:${ports[i]}`, spec })),
    dir,
    log,
    async stop() {
      if (!exited) {
        // SIGQUIT = graceful shutdown of master and workers.
        child.kill('SIGQUIT');
        const gone = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), 5_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        if (!gone) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
