import path from 'node:path';
import { getServers, Resolver } from 'node:dns';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import type { ListenAddress } from './dcv/delegation-server';
import type { Perspective } from './dcv/perspective';
import type { TsigAlgorithm } from './dcv/tsig';
import { MAX_RANDOM_VALUE_LIFETIME_MS } from './dcv/random-value';
import { type AddressAllowance, parseAddressAllowance } from './dcv/ssrf-guard';
import type { Duration } from './domain/duration';
import { DATABASE_POOL_SIZE } from './db/connect';
import { type WorkerSizing, workerSizing } from './temporal/worker-sizing';
import { parseCodecKeys } from './temporal/codec-keys';
import type { CodecKey } from './temporal/payload-codec';
import { loadNotifyConfig, type NotifyConfig } from './notify/config';
import { type ConsoleSettings, consoleSettingsOf } from './console/settings';
import { booleanSetting } from './boolean-setting';
import { clockDurationSetting, clockTimeSetting, durationListSetting, durationSetting, wholeNumberSetting } from './setting-values';

/** Lifecycle durations: production defaults, seconds in tests. Passed to activities, never read inside workflows. */
export interface Timings {
  reviewSla: Duration;
  reviewReminderInterval: Duration;
  /** Overrides the Baseline Requirements identity reuse schedule when set. */
  identityReusePeriod?: Duration;
  expiringWindow: Duration;
}

export interface Config {
  port: number;
  /**
   * HOST: the IP address the API listens on. Unset: loopback (127.0.0.1) for `npm start`, whose embedded
   * parts are for one machine (`withEmbeddedDefaults`), every interface for `npm run api`.
   */
  host?: string;
  dataDir: string;
  databaseUrl?: string;
  temporal: {
    /** Unset: the service launches `temporal server start-dev` itself. */
    address?: string;
    namespace: string;
    taskQueue: string;
    apiKey?: string;
    tls: boolean;
    cliPath?: string;
    devPort: number;
    uiPort: number;
    /** TEMPORAL_CODEC_KEYS: payload codec keys, the first seals (src/temporal/codec-keys.ts); empty: derived from SECRET_KEY. */
    codecKeys: CodecKey[];
    /** TEMPORAL_UI_ORIGIN: the Temporal UI origins allowed to call the codec endpoint (CORS). */
    uiOrigins: string[];
    /** TEMPORAL_NAMESPACE_RETENTION: how long closed workflows stay, when `npm run setup` creates the namespace. */
    namespaceRetention: Duration;
  };
  timings: Timings;
  reconcileInterval: Duration;
  /** IDEMPOTENCY_KEY_RETENTION: how long an Idempotency-Key answers a retry with its first answer (default 30d); the worker deletes older keys hourly. */
  idempotencyKeyRetention: Duration & { ms: number };
  /**
   * REQUEST_DEADLINE: the longest an HTTP request waits on PostgreSQL or Temporal before it answers
   * 503 with Retry-After; also bounds the pool's connect and statement timeouts and workflow updates.
   */
  requestDeadlineMs: number;
  /**
   * CREATE_CONCURRENCY: creates in progress at once per API process; the rest wait their turn (the bulk
   * lane). Default: the CPUs the process may run on (`os.availableParallelism()`: its affinity; Node 20
   * does not see a container's CPU quota), from 2 to 4. Creates keep the cores busy, so more at once only
   * make reviewers' decisions wait longer behind them without more creates per second (issue 9); at least 2,
   * so one create holding back for a decision or waiting on a slow start does not stop the others; at most
   * 4, well under the process's database pool (`DATABASE_POOL_SIZE`), which decisions and reads share.
   */
  createConcurrency: number;
  /**
   * CREATE_YIELD_MAX: the longest a create that has its place in the bulk lane waits for the reviewers'
   * decisions in progress (in any API process) to end before it goes on anyway (src/db/interactive-presence.ts);
   * 0 turns the waiting off. Milliseconds.
   */
  createYieldMaxMs: number;
  dcv: DcvConfig;
  /** Key that encrypts DNS provider secrets at rest (AES-256-GCM); 32 bytes. */
  secretKey?: Buffer;
  /** LOG_LEVEL: threshold of the JSON log, the Temporal SDK's lines included (start-up lines always print). */
  logLevel: LogLevel;
  /**
   * Prometheus endpoints, off when unset. METRICS_LISTEN: the process's own `/metrics` (prom-client), on a
   * listener of its own, never the API's public port. TEMPORAL_METRICS_LISTEN: the Temporal SDK's worker
   * metrics (its runtime's exporter), in processes that run workers.
   */
  metrics: { listen?: ListenAddress; temporalListen?: ListenAddress };
  /** The main worker's cache and slots (WORKER_MEMORY_BUDGET and the overrides below it). */
  worker: WorkerSizing;
  /** Event dispatch, expiry notices, webhooks and email (src/notify/config.ts). */
  notify: NotifyConfig;
  /** The web console: its address, cookies, sessions, sign-in limits, review claims (src/console/settings.ts). */
  console: ConsoleSettings;
}

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Domain control validation: where records go, who checks them, and how often. */
export interface DcvConfig {
  delegationZone: string;
  /** The DNS server holding the delegation zone, updated with TSIG-signed RFC 2136 messages. */
  delegationServer?: { server: string; port: number; keyName: string; algorithm: TsigAlgorithm; secret: string };
  /**
   * DCV_DNS_LISTEN: without a delegation server, the service answers for the zone itself there (UDP and
   * TCP) from the database; `npm start` defaults it to 127.0.0.1:5353, `npm run api` serves only when set.
   */
  dnsListen?: ListenAddress;
  /** DCV_DNS_NS, DCV_DNS_NS_ADDRESS: the name server the parent zone delegates to (SOA MNAME, NS), and its address when inside the zone. */
  nameServer: { name: string; address?: string };
  publicUrl: string;
  /** Perspectives this process runs: DCV_PERSPECTIVES; unset, the system resolvers as `primary`, or none when DCV_REMOTE_PERSPECTIVES names them all. */
  perspectives: Perspective[];
  /** Perspectives whose workers run elsewhere (`npm run perspective`); scans include them by name. */
  remotePerspectives: string[];
  /**
   * DCV_RESOLVERS: the CA's resolvers for the lookups the worker makes itself (the address guard on a DNS
   * provider's server or API host, a zone's authoritative name servers); unset, the first perspective's of
   * this process, or the system's when every perspective runs elsewhere.
   */
  resolvers: string[];
  caaIssuer: string;
  /** Waits between record checks while pending; the last one repeats. */
  retrySchedule: Duration[];
  randomValueLifetime: Duration;
  /** Overrides the Baseline Requirements domain reuse schedule when set (tests). */
  domainReusePeriod?: Duration;
  /** Automatic methods revalidate this long before validUntil. */
  revalidateBefore: Duration;
  precheckInterval: Duration;
  maxScans: number;
  httpPort: number;
  httpsPort: number;
  /** DCV_ALLOW_PRIVATE_ADDRESSES, tests only: non-public addresses the address guard lets through (none in production). */
  addressAllowance: AddressAllowance;
  timeoutMs: number;
  /** Port of authoritative servers when the service checks them directly (53; tests move it). */
  authoritativePort: number;
  dnspodApiUrl: string;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  // Unset or empty: the default. Decimal digits only (no 0x50, 8e3). Port 0 (any free port) is no address a client or a proxy could be given.
  const text = env[name]?.trim();
  const value = text ? (/^\d{1,5}$/.test(text) ? Number(text) : NaN) : fallback;
  if (!(value >= 1 && value <= 65535)) throw new Error(`${name}: "${env[name]}" is not a port number (1–65535)`);
  return value;
}

/** The project's own `data/`: the default DATA_DIR of the service and the CLI alike, wherever they are started from. */
export const DEFAULT_DATA_DIR = path.resolve(__dirname, '..', 'data');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const reviewSla = durationSetting(env, 'REVIEW_SLA', '1bd');
  const remotePerspectives = (env.DCV_REMOTE_PERSPECTIVES || '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const perspectives = env.DCV_PERSPECTIVES || remotePerspectives.length === 0 ? parsePerspectives(env.DCV_PERSPECTIVES) : [];
  const dataDir = env.DATA_DIR ? path.resolve(env.DATA_DIR) : DEFAULT_DATA_DIR;
  return {
    port: port(env, 'PORT', 3000),
    host: env.HOST?.trim() || undefined,
    dataDir,
    databaseUrl: databaseUrl(env.DATABASE_URL),
    temporal: {
      address: env.TEMPORAL_ADDRESS || undefined,
      namespace: env.TEMPORAL_NAMESPACE || 'default',
      taskQueue: env.TEMPORAL_TASK_QUEUE || 'certificate-profiles',
      apiKey: env.TEMPORAL_API_KEY || undefined,
      tls: booleanSetting(env, 'TEMPORAL_TLS') ?? Boolean(env.TEMPORAL_API_KEY),
      cliPath: env.TEMPORAL_CLI_PATH || undefined,
      devPort: port(env, 'TEMPORAL_DEV_PORT', 7233),
      uiPort: port(env, 'TEMPORAL_UI_PORT', 8233),
      codecKeys: parseCodecKeys(env.TEMPORAL_CODEC_KEYS),
      uiOrigins: uiOrigins(env.TEMPORAL_UI_ORIGIN, port(env, 'TEMPORAL_UI_PORT', 8233)),
      namespaceRetention: durationSetting(env, 'TEMPORAL_NAMESPACE_RETENTION', '30d', { clock: true }),
    },
    timings: {
      reviewSla,
      reviewReminderInterval: durationSetting(env, 'REVIEW_REMINDER_INTERVAL', '4h'),
      identityReusePeriod: env.IDENTITY_REUSE_PERIOD ? durationSetting(env, 'IDENTITY_REUSE_PERIOD', '') : undefined,
      expiringWindow: durationSetting(env, 'EXPIRING_WINDOW', '30d'),
    },
    // A clock interval above zero: 0s would run the reconciler in a tight loop against the database.
    reconcileInterval: clockTimeSetting(env, 'RECONCILE_INTERVAL', '1m'),
    idempotencyKeyRetention: idempotencyKeyRetention(env),
    requestDeadlineMs: requestDeadline(env),
    createConcurrency: wholeNumberSetting(env, 'CREATE_CONCURRENCY', defaultCreateConcurrency(), 1000),
    createYieldMaxMs: createYieldMax(env),
    dcv: {
      delegationZone: delegationZone(env),
      delegationServer: env.DCV_DELEGATION_SERVER ? delegationServer(env.DCV_DELEGATION_SERVER, env.DCV_DELEGATION_TSIG) : undefined,
      dnsListen: env.DCV_DNS_LISTEN ? listenAddress('DCV_DNS_LISTEN', env.DCV_DNS_LISTEN) : undefined,
      nameServer: nameServer(env),
      publicUrl: (env.DCV_PUBLIC_URL || localApiUrl(env)).replace(/\/+$/, ''),
      perspectives,
      remotePerspectives,
      resolvers: ownResolvers(env.DCV_RESOLVERS, perspectives),
      caaIssuer: env.DCV_CAA_ISSUER || 'certificate-profiles.invalid',
      retrySchedule: durationListSetting(env, 'DCV_RETRY_SCHEDULE', '1m,5m,15m,1h,6h'),
      randomValueLifetime: randomValueLifetime(env),
      domainReusePeriod: env.DOMAIN_REUSE_PERIOD ? durationSetting(env, 'DOMAIN_REUSE_PERIOD', '') : undefined,
      revalidateBefore: durationSetting(env, 'DCV_REVALIDATE_BEFORE', '30d'),
      // 0: no interval between pre-checks.
      precheckInterval: durationSetting(env, 'DCV_PRECHECK_INTERVAL', '10s', { zero: true }),
      maxScans: wholeNumberSetting(env, 'DCV_MAX_SCANS', 5, 100),
      httpPort: port(env, 'DCV_HTTP_PORT', 80),
      httpsPort: port(env, 'DCV_HTTPS_PORT', 443),
      addressAllowance: addressAllowance(env.DCV_ALLOW_PRIVATE_ADDRESSES),
      timeoutMs: 10_000,
      authoritativePort: port(env, 'DCV_AUTHORITATIVE_PORT', 53),
      dnspodApiUrl: env.DNSPOD_API_URL || 'https://dnsapi.cn',
    },
    secretKey: secretKeyOf(env),
    logLevel: logLevel(env.LOG_LEVEL),
    metrics: {
      listen: env.METRICS_LISTEN ? listenAddress('METRICS_LISTEN', env.METRICS_LISTEN) : undefined,
      temporalListen: env.TEMPORAL_METRICS_LISTEN ? listenAddress('TEMPORAL_METRICS_LISTEN', env.TEMPORAL_METRICS_LISTEN) : undefined,
    },
    worker: workerSizingOf(env),
    notify: loadNotifyConfig(env, dataDir),
    console: consoleSettingsOf(env, localApiUrl(env)),
  };
}

/** 64 GiB: a budget past it is a value in the wrong unit (bytes), and the SDK would try to allocate its cache at start. */
const MAX_MEMORY_BUDGET_MIB = 65_536;

/** WORKER_MEMORY_BUDGET (MiB, default 1024) sets the defaults; WORKER_MAX_CACHED_WORKFLOWS, WORKER_WORKFLOW_TASK_SLOTS and WORKER_ACTIVITY_TASK_SLOTS override them. */
function workerSizingOf(env: NodeJS.ProcessEnv): WorkerSizing {
  const defaults = workerSizing({
    memoryBudgetMiB: wholeNumberSetting(env, 'WORKER_MEMORY_BUDGET', 1024, MAX_MEMORY_BUDGET_MIB),
    cpus: availableParallelism(),
    poolSize: DATABASE_POOL_SIZE,
  });
  return {
    memoryBudgetMiB: defaults.memoryBudgetMiB,
    maxCachedWorkflows: wholeNumberSetting(env, 'WORKER_MAX_CACHED_WORKFLOWS', defaults.maxCachedWorkflows, 100_000),
    workflowTaskSlots: wholeNumberSetting(env, 'WORKER_WORKFLOW_TASK_SLOTS', defaults.workflowTaskSlots, 10_000),
    activityTaskSlots: wholeNumberSetting(env, 'WORKER_ACTIVITY_TASK_SLOTS', defaults.activityTaskSlots, 10_000),
  };
}

function addressAllowance(text: string | undefined): AddressAllowance {
  try {
    return parseAddressAllowance(text);
  } catch (error) {
    throw new Error(`DCV_ALLOW_PRIVATE_ADDRESSES: ${(error as Error).message}`, { cause: error });
  }
}

/** BR §3.2.2.4.7 and .18: a random value is good for 30 days at most; longer would make every domain create fail. */
function randomValueLifetime(env: NodeJS.ProcessEnv): Duration {
  const lifetime = durationSetting(env, 'RANDOM_VALUE_LIFETIME', '30d');
  if (lifetime.ms === undefined || lifetime.ms <= 0 || lifetime.ms > MAX_RANDOM_VALUE_LIFETIME_MS) {
    throw new Error(`RANDOM_VALUE_LIFETIME: "${env.RANDOM_VALUE_LIFETIME}" must be more than 0 and at most 30d (Baseline Requirements), in calendar units`);
  }
  return lifetime;
}

/** A wall-clock duration (not business days) between 100 ms and 10 minutes. */
function requestDeadline(env: NodeJS.ProcessEnv): number {
  const deadline = durationSetting(env, 'REQUEST_DEADLINE', '5s');
  if (deadline.ms === undefined || deadline.ms < 100 || deadline.ms > 600_000) {
    throw new Error(`REQUEST_DEADLINE: "${env.REQUEST_DEADLINE}" must be between 100ms and 10m (for example 5s)`);
  }
  return deadline.ms;
}

/** CREATE_CONCURRENCY's default: the CPUs this process may run on, from 2 to 4 (see `Config.createConcurrency`). */
export function defaultCreateConcurrency(cpus = availableParallelism()): number {
  return Math.min(4, Math.max(2, cpus));
}

/** 0 (off, also `0s`, `0ms`) up to a minute: a create's own deadline (REQUEST_DEADLINE) still bounds the wait. */
function createYieldMax(env: NodeJS.ProcessEnv): number {
  const value = durationSetting(env, 'CREATE_YIELD_MAX', '1s', { zero: true });
  if (value.ms === undefined || value.ms < 0 || value.ms > 60_000) {
    throw new Error(`CREATE_YIELD_MAX: "${env.CREATE_YIELD_MAX}" must be 0 (off) or a clock duration up to 1m (for example 1s or 500ms)`);
  }
  return value.ms;
}

function logLevel(text: string | undefined): LogLevel {
  const level = (text || 'INFO').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`LOG_LEVEL: "${text}" is not one of ${LOG_LEVELS.join(', ')}`);
  return level as LogLevel;
}

/**
 * IDEMPOTENCY_KEY_RETENTION, at least a day: a shorter one could delete the key of an update still under
 * way, whose retry would then not be known as one (draft-ietf-httpapi-idempotency-key-header §2.3: 24 h is
 * the usual floor).
 */
function idempotencyKeyRetention(env: NodeJS.ProcessEnv): Duration & { ms: number } {
  const value = clockDurationSetting(env, 'IDEMPOTENCY_KEY_RETENTION', '30d');
  if (value.ms < 86_400_000) throw new Error(`IDEMPOTENCY_KEY_RETENTION: "${env.IDEMPOTENCY_KEY_RETENTION}" must be at least 24h`);
  return value;
}

/**
 * DATABASE_URL: a `postgres://` (or `postgresql://`) URL; unset or empty, the embedded PGlite. Anything
 * else is refused at start (pg would read it as a host name and every request would answer 503). The
 * value is not repeated in the error: it may hold a password.
 */
function databaseUrl(text: string | undefined): string | undefined {
  if (!text) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(text).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:')
    throw new Error('DATABASE_URL: not a postgres:// URL (postgres://user:password@host:5432/database); leave it unset for the embedded database');
  return text;
}

/** A list of resolver addresses (`10.0.0.53:53,10.0.0.54`) as node:dns takes them, or an error naming `name`. */
function resolverList(name: string, text: string, servers: string[]): string[] {
  try {
    new Resolver().setServers(servers);
  } catch (error) {
    throw new Error(`${name}: "${text}" is not a list of resolver addresses (for example 10.0.0.53:53,10.0.0.54): ${(error as Error).message}`, {
      cause: error,
    });
  }
  return servers;
}

/** `east=127.0.0.1:5399,127.0.0.3:5399;west=127.0.0.2:5399`; unset: one perspective on the system resolvers. */
export function parsePerspectives(text: string | undefined): Perspective[] {
  if (!text) return [{ name: 'primary', resolvers: getServers() }];
  return text
    .split(';')
    .filter(Boolean)
    .map((entry) => {
      const [name, servers] = entry.split('=');
      if (!name || !/^[a-z0-9-]+$/.test(name) || !servers) throw new Error(`DCV_PERSPECTIVES: "${entry}" is not name=resolver[,resolver]`);
      return {
        name,
        resolvers: resolverList(
          'DCV_PERSPECTIVES',
          entry,
          servers.split(',').map((s) => s.trim()),
        ),
      };
    });
}

/**
 * DCV_RESOLVERS (`10.0.0.53:53,10.0.0.54`), else the first local perspective's resolvers, else the
 * system's: a worker whose perspectives all run elsewhere (DCV_REMOTE_PERSPECTIVES) still looks names up.
 */
function ownResolvers(text: string | undefined, perspectives: Perspective[]): string[] {
  const listed = (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (listed.length === 0) return perspectives[0]?.resolvers ?? getServers();
  return resolverList('DCV_RESOLVERS', text ?? '', listed);
}

/** Where `npm start` serves the delegation zone when nothing else does (5353: no privilege needed). */
export const EMBEDDED_DNS_LISTEN: ListenAddress = { host: '127.0.0.1', port: 5353 };

/** Where `npm start` serves the API when HOST does not say: this machine only, as its dev server and UI. */
export const EMBEDDED_HOST = '127.0.0.1';

/**
 * The all-in-one process's defaults: the API on loopback unless HOST says otherwise, and the delegation zone
 * served by the process itself unless a delegation server or DCV_DNS_LISTEN says otherwise.
 */
export function withEmbeddedDefaults(config: Config): Config {
  const host = config.host ?? EMBEDDED_HOST;
  if (config.dcv.delegationServer || config.dcv.dnsListen) return { ...config, host };
  return { ...config, host, dcv: { ...config.dcv, dnsListen: EMBEDDED_DNS_LISTEN } };
}

/**
 * HOST, checked where the API listens (a worker, a perspective or the CLI ignores it: tcsh exports the
 * machine's name as HOST): an IP address without a zone, `0.0.0.0` or `::` for every interface; unset: the
 * process's default (undefined: every interface).
 */
export function apiListenHost(config: Pick<Config, 'host'>): string | undefined {
  const { host } = config;
  if (host === undefined || (isIP(host) && !host.includes('%'))) return host;
  throw new Error(`HOST: "${host}" is not an IP address (for example 127.0.0.1, 0.0.0.0 for every IPv4 interface or :: for every interface)`);
}

/** Where this machine reaches an API listening on `host`: the address itself, or loopback for every interface (or no valid address). */
export function localAddressOf(host: string | undefined): string {
  if (!host || host === '0.0.0.0' || host === '::' || !isIP(host) || host.includes('%')) return '127.0.0.1';
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** The API's URL on this machine (HOST and PORT): the default of DCV_PUBLIC_URL and CONSOLE_PUBLIC_URL. */
const localApiUrl = (env: NodeJS.ProcessEnv) => `http://${localAddressOf(env.HOST?.trim() || undefined)}:${port(env, 'PORT', 3000)}`;

/** `127.0.0.1:5353`, `:53` (every IPv4 interface), `[::]:53`. */
function listenAddress(name: string, text: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(text.trim());
  const host = match ? (match[1] ?? match[2]) || '0.0.0.0' : '';
  const portNumber = Number(match?.[3]);
  if (!match || !isIP(host) || portNumber > 65535) throw new Error(`${name}: "${text}" is not address:port (for example 127.0.0.1:5353, :53 or [::]:53)`);
  return { host, port: portNumber };
}

/** A zone name in configuration: two or more LDH labels (RFC 1123 §2.1), lower case. */
const DNS_NAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** A host the OS resolver looks up: one label or more (`localhost`, a compose service such as `bind`). */
const HOST_NAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$/;

function delegationZone(env: NodeJS.ProcessEnv): string {
  const zone = (env.DCV_DELEGATION_ZONE || 'dcv.certificate-profiles.invalid').replace(/\.$/, '').toLowerCase();
  if (!DNS_NAME.test(zone)) throw new Error(`DCV_DELEGATION_ZONE: "${env.DCV_DELEGATION_ZONE}" is not a DNS zone name (for example dcv.ca.example.com)`);
  return zone;
}

function nameServer(env: NodeJS.ProcessEnv): DcvConfig['nameServer'] {
  const name = (env.DCV_DNS_NS || `ns1.${delegationZone(env)}`).replace(/\.$/, '').toLowerCase();
  const address = env.DCV_DNS_NS_ADDRESS || undefined;
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/.test(name)) throw new Error(`DCV_DNS_NS: "${env.DCV_DNS_NS}" is not a host name`);
  if (address !== undefined && !isIP(address)) throw new Error(`DCV_DNS_NS_ADDRESS: "${address}" is not an IP address`);
  return { name, address };
}

/** `host:port` and `keyname:hmac-sha256:base64secret`. */
function delegationServer(server: string, tsig: string | undefined): DcvConfig['delegationServer'] {
  // host, host:port, [IPv6] or [IPv6]:port.
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(server);
  const host = match?.[1] ?? match?.[2] ?? '';
  const portText = match?.[3];
  const hostOk = match?.[1] !== undefined ? isIP(host) === 6 : isIP(host) === 4 || HOST_NAME.test(host.toLowerCase());
  if (!match || !hostOk || Number(portText ?? 53) < 1 || Number(portText ?? 53) > 65535) {
    throw new Error(`DCV_DELEGATION_SERVER: "${server}" is not host:port (a host name, an IPv4 address or [an IPv6 address]; port 53 by default)`);
  }
  const [keyName, algorithm, secret] = (tsig ?? '').split(':');
  if (!keyName || !secret || !/^[A-Za-z0-9+/]+={0,2}$/.test(secret) || !['hmac-sha256', 'hmac-sha384', 'hmac-sha512'].includes(algorithm)) {
    throw new Error('DCV_DELEGATION_TSIG: expected keyname:hmac-sha256|hmac-sha384|hmac-sha512:base64secret');
  }
  return { server: host, port: Number(portText || 53), keyName, algorithm: algorithm as TsigAlgorithm, secret };
}

/** Comma-separated origins (`scheme://host[:port]`, as a browser sends in `Origin`); default the dev server's UI, by either local name. */
function uiOrigins(text: string | undefined, uiPort: number): string[] {
  return (text || `http://localhost:${uiPort},http://127.0.0.1:${uiPort}`).split(',').map((entry) => {
    const origin = entry.trim();
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      // refused below
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== origin) {
      throw new Error(`TEMPORAL_UI_ORIGIN: "${origin}" is not an origin such as http://localhost:8233 (scheme, host and port; no path or trailing slash)`);
    }
    return origin;
  });
}

/**
 * SECRET_KEY, or SECRET_KEY_FILE naming a file that holds it (a compose or Kubernetes secret, so the key
 * is not in the process environment): 32 bytes, base64, surrounding whitespace ignored. Both set is an error.
 */
function secretKeyOf(env: NodeJS.ProcessEnv): Buffer | undefined {
  if (env.SECRET_KEY && env.SECRET_KEY_FILE) throw new Error('SECRET_KEY and SECRET_KEY_FILE are both set: keep one');
  if (env.SECRET_KEY) return secretKey('SECRET_KEY', env.SECRET_KEY);
  if (!env.SECRET_KEY_FILE) return undefined;
  let text: string;
  try {
    text = readFileSync(env.SECRET_KEY_FILE, 'utf8');
  } catch (error) {
    throw new Error(`SECRET_KEY_FILE: cannot read ${env.SECRET_KEY_FILE} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {
      cause: error,
    });
  }
  return secretKey(`SECRET_KEY_FILE (${env.SECRET_KEY_FILE})`, text.trim());
}

function secretKey(source: string, text: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error(`${source}: expected 32 bytes, base64-encoded (openssl rand -base64 32)`);
  return key;
}
