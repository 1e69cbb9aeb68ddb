/**
 * Starts a real BIND9 `named` (Debian package `bind9`) on a free loopback port, authoritative
 * for the zones you give it, in its own temporary directory. Reusable by any test:
 *
 *   const dns = await startBind9({
 *     zones: [{ name: 'example.com', records: ['_dnsauth TXT "value"', 'www A 127.0.0.1'] }],
 *     tsigKey: { name: 'dcv-key', algorithm: 'hmac-sha256', secret: base64Secret },
 *   });
 *   // resolvers: [`${dns.address}:${dns.port}`]
 *   await dns.addRecord('_dnsauth.example.com', 'TXT', '"other"');
 *   await dns.stop();
 *
 * Every zone gets an SOA, `NS ns1.<zone>` and `ns1.<zone> A 127.0.0.1`. Records are zone-file
 * lines, relative to the zone origin unless they end with a dot. All zones are dynamic:
 * updates signed with `tsigKey` are allowed (when given), plus the helper's own internal key
 * used by `addRecord`/`deleteRecord` (through `nsupdate`, package `bind9-dnsutils`).
 * Recursion is off: it answers only for its zones, like an authoritative server, which is
 * enough to stand in for a perspective's resolver. With `recursion: true` it is a resolver too: it
 * follows delegations (NS + glue records in its zones) to other servers, on port 53 as any resolver.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './binaries';
import { freeDnsPort } from './ports';
import * as dnsPacket from 'dns-packet';

export interface Bind9Zone {
  /** Zone apex, e.g. `example.com`. */
  name: string;
  /** Zone-file lines such as `_dnsauth 60 TXT "v"` or `www.example.com. A 127.0.0.1`. */
  records?: string[];
  /** Accept updates signed with `tsigKey` (default true); false answers them with REFUSED. */
  allowUpdate?: boolean;
}

export interface Bind9TsigKey {
  name: string;
  algorithm: 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';
  /** Base64 secret. */
  secret: string;
}

export interface Bind9Options {
  zones: Bind9Zone[];
  /** Key allowed to send RFC 2136 updates to every zone. */
  tsigKey?: Bind9TsigKey;
  /** Resolve names below delegations in its zones for loopback clients (default false). */
  recursion?: boolean;
}

export interface Bind9Server {
  address: '127.0.0.1';
  port: number;
  /** `127.0.0.1:<port>`, ready for `Resolver.setServers`. */
  server: string;
  /** Temporary directory with named.conf, zone files and named.log. */
  dir: string;
  /** Adds one record through a signed dynamic update (`nsupdate`). `data` in zone-file syntax. */
  addRecord(name: string, type: string, data: string, ttl?: number): Promise<void>;
  /** Adds many records with one `nsupdate` run, a few hundred per update message (benchmarks). */
  addRecords(records: Array<{ name: string; type: string; data: string; ttl?: number }>): Promise<void>;
  /** Deletes an RRset (or one record when `data` is given) through a dynamic update. */
  deleteRecord(name: string, type: string, data?: string): Promise<void>;
  /** The last lines of named's log, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Absolute path of a binary; a missing one fails with the Debian package to install. */

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

const INTERNAL_KEY = 'test-helper-key';

function zoneFile(zone: Bind9Zone): string {
  const origin = zone.name.replace(/\.$/, '');
  return [
    `$ORIGIN ${origin}.`,
    '$TTL 60',
    `@ IN SOA ns1.${origin}. hostmaster.${origin}. 1 3600 600 86400 1`,
    `@ IN NS ns1.${origin}.`,
    `ns1 IN A 127.0.0.1`,
    ...(zone.records ?? []),
    '',
  ].join('\n');
}

function namedConf(dir: string, port: number, options: Bind9Options, internalSecret: string): string {
  const keys = [`key "${INTERNAL_KEY}" { algorithm hmac-sha256; secret "${internalSecret}"; };`];
  const updaters = [`key "${INTERNAL_KEY}";`];
  if (options.tsigKey) {
    const k = options.tsigKey;
    keys.push(`key "${k.name}" { algorithm ${k.algorithm}; secret "${k.secret}"; };`);
    updaters.push(`key "${k.name}";`);
  }
  const zones = options.zones.map((z, i) => {
    const name = z.name.replace(/\.$/, '');
    const allowed = z.allowUpdate === false ? updaters.slice(0, 1) : updaters;
    return `zone "${name}" { type primary; file "zone${i}.db"; allow-update { ${allowed.join(' ')} }; };`;
  });
  return [
    'options {',
    `  directory "${dir}";`,
    `  pid-file "${join(dir, 'named.pid')}";`,
    `  session-keyfile "${join(dir, 'session.key')}";`,
    `  managed-keys-directory "${dir}";`,
    `  listen-on port ${port} { 127.0.0.1; };`,
    '  listen-on-v6 { none; };',
    ...(options.recursion ? ['  recursion yes;', '  allow-recursion { 127.0.0.0/8; };'] : ['  recursion no;']),
    '  allow-query { any; };',
    '  dnssec-validation no;',
    '  notify no;',
    // Tests use owner names like _dnsauth.www with A records; keep BIND from refusing them.
    '  check-names primary ignore;',
    '};',
    // No rndc control channel: the default one would try to bind 127.0.0.1:953.
    'controls { };',
    'logging {',
    `  channel file_log { file "${join(dir, 'named.log')}"; severity info; print-time yes; };`,
    '  category default { file_log; };',
    '  category update { file_log; };',
    '  category security { file_log; };',
    '};',
    ...keys,
    ...zones,
    '',
  ].join('\n');
}

async function soaAnswers(port: number, zone: string): Promise<boolean> {
  const socket = createSocket('udp4');
  const query = dnsPacket.encode({ type: 'query', id: 4242, questions: [{ type: 'SOA', name: zone }] });
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 300);
      socket.on('message', (msg) => {
        clearTimeout(timer);
        try {
          const res = dnsPacket.decode(msg);
          resolve((res as { rcode?: string }).rcode === 'NOERROR' && (res.answers ?? []).some((a) => a.type === 'SOA'));
        } catch {
          resolve(false);
        }
      });
      socket.on('error', () => resolve(false));
      socket.send(query, port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

export async function startBind9(options: Bind9Options): Promise<Bind9Server> {
  if (options.zones.length === 0) throw new Error('startBind9 needs at least one zone');
  const named = findBinary('named', 'bind9');
  const nsupdate = findBinary('nsupdate', 'bind9-dnsutils');
  const dir = mkdtempSync(join(tmpdir(), 'bind9-'));
  const internalSecret = randomBytes(32).toString('base64');
  const port = await freeDnsPort();
  options.zones.forEach((z, i) => writeFileSync(join(dir, `zone${i}.db`), zoneFile(z)));
  const confPath = join(dir, 'named.conf');
  writeFileSync(confPath, namedConf(dir, port, options, internalSecret));

  const checkconf = spawnSync(findBinary('named-checkconf', 'bind9'), [confPath], { encoding: 'utf8' });
  if (checkconf.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`named.conf rejected: ${checkconf.stdout}${checkconf.stderr}`);
  }

  // -f: foreground; -4: IPv4 only; -n 1: one worker thread is plenty for tests; no -u: stay root.
  const child: ChildProcess = spawn(named, ['-f', '-4', '-n', '1', '-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  let exited = false;
  child.on('exit', () => (exited = true));

  const log = () => {
    const file = join(dir, 'named.log');
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    return (output + text).split('\n').slice(-40).join('\n');
  };

  const zoneNames = options.zones.map((z) => z.name.replace(/\.$/, ''));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited) {
      const text = log();
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`named exited during startup:\n${text}`);
    }
    const ready = await Promise.all(zoneNames.map((z) => soaAnswers(port, z)));
    if (ready.every(Boolean)) break;
    if (Date.now() > deadline) {
      const text = log();
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`named did not answer SOA queries within 15 s:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  // `send` after each batch: one update message stays well inside the 64 KiB a DNS message may hold.
  const update = async (commands: string[], perMessage = commands.length) => {
    const batches = [];
    for (let i = 0; i < commands.length; i += perMessage) batches.push([...commands.slice(i, i + perMessage), 'send']);
    const script = [`server 127.0.0.1 ${port}`, 'check-names no', ...batches.flat(), ''].join('\n');
    const result = spawnSync(nsupdate, ['-y', `hmac-sha256:${INTERNAL_KEY}:${internalSecret}`], {
      input: script,
      encoding: 'utf8',
      timeout: 10_000,
    });
    if (result.status !== 0) throw new Error(`nsupdate failed: ${result.stderr}${result.stdout}`);
  };

  return {
    address: '127.0.0.1',
    port,
    server: `127.0.0.1:${port}`,
    dir,
    addRecord: (name, type, data, ttl = 60) => update([`update add ${name} ${ttl} ${type} ${data}`]),
    addRecords: (records) =>
      update(
        records.map((r) => `update add ${r.name} ${r.ttl ?? 60} ${r.type} ${r.data}`),
        200,
      ),
    deleteRecord: (name, type, data) => update([`update delete ${name} ${type}${data ? ` ${data}` : ''}`]),
    log,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        if (!(await waitForExit(child, 5_000))) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
