import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { findTemporalCli } from '../src/temporal/cli-binary';
import { type DevServer, startDevServer } from '../src/temporal/dev-server';
import { createMetrics, observeOperatorCounts } from '../src/metrics';
import { SEARCH_ATTRIBUTE_TYPE_NAMES, SEARCH_ATTRIBUTES, searchAttributeSpec } from '../src/temporal/search-attributes';
import { loadConfig } from '../src/config';
import { startPostgresCluster, type PostgresCluster } from './faults/support/postgres-cluster';
import { startBind9, type Bind9Server } from './support/bind9';
import { dockerfileEnvironment, environmentOf, resolveCompose, type ResolvedCompose, runService, secretMounts, type ServiceRun } from './support/compose-run';
import { ADMINISTRATOR, eventually, ORGANIZATION } from './support/harness';
import { freePort } from './support/ports';
import { logLines } from './support/service-process';
import { administratorApproval, organizationApproval } from './support/review-records';

/**
 * docker-compose.yml is the production shape (docs/architecture.md "Processes"). This checks its
 * structure, has a real Compose implementation validate and resolve it (Debian's `docker-compose`
 * 1.29.2, whose `config` needs no Docker engine), then runs the service's commands as it declares them.
 */

const ROOT = path.resolve(__dirname, '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const TEXT = readFileSync(COMPOSE_FILE, 'utf8');

interface Healthcheck {
  test?: string[] | string;
}
interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string } | string;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: Healthcheck;
  ports?: string[];
  volumes?: string[];
  restart?: string;
  secrets?: string[];
  sysctls?: Record<string, string | number>;
  init?: boolean;
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file: string }>;
}

// The file shares settings through YAML anchors and merge keys (`<<: *app-environment`), as Compose reads them.
const compose = parse(TEXT, { merge: true }) as ComposeFile;
const services = compose.services;

/** The Grafana dashboard compose provisions, and the PromQL of its panels. */
const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'deploy/grafana/dashboards/certificate-profiles.json'), 'utf8')) as {
  uid: string;
  panels: Array<{ id: number; type: string; datasource?: { uid: string }; targets?: Array<{ expr: string }> }>;
};
const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((t) => t.expr));
/** The series names those queries use: the service's own (`cps_`, `http_`), the Temporal SDK's (`temporal_`), Node's (`process_`, `nodejs_`). */
const dashboardSeries = new Set(queries.flatMap((q) => [...q.matchAll(/\b(cps|http|temporal|process|nodejs)_\w+/g)].map((m) => m[0])));

const PERSPECTIVES = ['perspective-east', 'perspective-west', 'perspective-north'];
const LONG_RUNNING = ['postgres', 'temporal', 'temporal-ui', 'api', 'worker', ...PERSPECTIVES, 'prometheus', 'grafana'];
const ONE_SHOTS = ['temporal-schema', 'setup'];
/** Every process of the service image. */
const SERVICE_IMAGE = ['setup', 'api', 'worker', ...PERSPECTIVES];

/** Every environment variable src/ reads by name (`env.X`, `process.env.X`, `duration(env, 'X', ...)` and the like). */
const CODE_VARIABLES = (() => {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.ts'))
        for (const m of readFileSync(file, 'utf8').matchAll(/\benv(?:\.([A-Z][A-Z0-9_]*)|\[\s*'([A-Z][A-Z0-9_]*)'\s*\]|,\s*'([A-Z][A-Z0-9_]*)')/g))
          names.add(m[1] ?? m[2] ?? m[3]);
    }
  };
  walk(path.join(ROOT, 'src'));
  names.delete('PATH');
  return names;
})();

const env = (name: string): Record<string, string> => Object.fromEntries(Object.entries(services[name].environment ?? {}).map(([k, v]) => [k, String(v)]));
const script = (name: string): string => [services[name].entrypoint, services[name].command].flat().filter(Boolean).join('\n');
/** A one-shot's shell script as the container runs it: Compose turns `$$` into `$`. */
const shellOf = (name: string): string => {
  const command = services[name].command;
  return (Array.isArray(command) ? command[command.length - 1] : String(command)).replace(/\$\$/g, '$');
};

describe('docker-compose.yml: production shape', () => {
  test('has the long-running services and the two one-shots, nothing else', () => {
    expect(Object.keys(services).sort()).toEqual([...LONG_RUNNING, ...ONE_SHOTS].sort());
    expect(TEXT).not.toMatch(/^version:/m);
  });

  test.each(LONG_RUNNING)('%s has a healthcheck with a test command and restarts', (name) => {
    const test = services[name].healthcheck?.test;
    expect(Array.isArray(test)).toBe(true);
    const [kind, ...command] = test as string[];
    expect(['CMD', 'CMD-SHELL']).toContain(kind);
    expect(command.join(' ').trim()).not.toBe('');
    expect(services[name].restart).toBe('unless-stopped');
  });

  test.each(ONE_SHOTS)('%s is a one-shot (no healthcheck, no restart)', (name) => {
    expect(services[name].healthcheck).toBeUndefined();
    expect(services[name].restart).toBe('no');
  });

  test.each(SERVICE_IMAGE)('%s runs the service image built from ./Dockerfile, under an init process', (name) => {
    expect(services[name].build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(services[name].image).toBe(services.api.image);
    expect(services[name].init).toBe(true);
  });

  test('PostgreSQL 16 keeps its data in a named volume and is checked with pg_isready', () => {
    const postgres = services.postgres;
    expect(postgres.image).toBe('postgres:16');
    const dataVolume = postgres.volumes?.find((v) => v.endsWith(':/var/lib/postgresql/data'));
    expect(dataVolume).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(dataVolume!.split(':')[0]);
    expect(postgres.healthcheck?.test).toContain('pg_isready');
  });

  test('Temporal runs on that PostgreSQL with the current images (server + admin-tools, not auto-setup)', () => {
    expect(services.temporal.image).toMatch(/^temporalio\/server:/);
    expect(services['temporal-schema'].image).toMatch(/^temporalio\/admin-tools:/);
    for (const service of Object.values(services)) expect(service.image ?? '').not.toMatch(/auto-setup/);
    const server = env('temporal');
    expect(server).toMatchObject({ DB: 'postgres12', DB_PORT: '5432', POSTGRES_SEEDS: 'postgres' });
    expect(server.POSTGRES_USER).toBeTruthy();
    expect(server.POSTGRES_PWD).toBeTruthy();
    // The schema one-shot uses the same database coordinates as the server.
    const schema = env('temporal-schema');
    for (const key of ['DB', 'DB_PORT', 'POSTGRES_USER', 'POSTGRES_PWD', 'POSTGRES_SEEDS']) expect(schema[key]).toBe(server[key]);
    expect(script('temporal-schema')).toMatch(/temporal-sql-tool/);
    expect(script('temporal-schema')).toMatch(/setup-schema/);
    expect(script('temporal-schema')).toMatch(/update-schema/);
    const result = spawnSync('sh', ['-n', '-c', shellOf('temporal-schema')], { encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });

  test('the Temporal server healthcheck uses a tool its image has (busybox nc; setup waits for SERVING itself)', () => {
    expect(services.temporal.healthcheck?.test).toEqual(['CMD', 'nc', '-z', '127.0.0.1', '7233']);
  });

  test('setup is `npm run setup` on the database and Temporal of the api; the search attributes come from the code only', () => {
    expect([services.setup.command].flat().join(' ')).toBe('npm run setup');
    expect(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.setup).toBe('exec node --import tsx src/cli/index.ts setup');
    const setup = env('setup');
    for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE']) expect(setup[key]).toBe(env('api')[key]);
    expect(setup.TEMPORAL_NAMESPACE_RETENTION).toBe('${TEMPORAL_NAMESPACE_RETENTION:-30d}');
    // One list, src/temporal/search-attributes.ts: the file names none of them.
    for (const key of SEARCH_ATTRIBUTES) expect(TEXT).not.toContain(key.name);
  });

  test('the Temporal UI points at the server and is published on 8080', () => {
    const ui = services['temporal-ui'];
    expect(ui.image).toMatch(/^temporalio\/ui:/);
    expect(env('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(ui.ports).toContain('8080:8080');
    expect((ui.healthcheck?.test as string[]).join(' ')).toMatch(/(curl|wget).*8080\/healthz/);
  });

  test.each([
    ['api', 'npm run api'],
    ['worker', 'npm run worker'],
  ])('%s runs `%s` against PostgreSQL and Temporal, with SECRET_KEY from the compose secret', (name, command) => {
    const service = services[name];
    expect([service.command].flat().join(' ')).toBe(command);
    const vars = env(name);
    expect(vars.DATABASE_URL).toMatch(/^postgres(ql)?:\/\/[^@]+@postgres:5432\/\w+$/);
    expect(vars.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(vars.SECRET_KEY).toBeUndefined();
    expect(service.secrets).toEqual(['secret_key']);
    expect(vars.SECRET_KEY_FILE).toBe('/run/secrets/secret_key');
  });

  test('the secret is the file secrets/secret_key, kept out of git and the image', () => {
    expect(compose.secrets).toEqual({ secret_key: { file: './secrets/secret_key' } });
    expect(TEXT).toContain('openssl rand -base64 32 > secrets/secret_key');
    const lines = (file: string) => readFileSync(path.join(ROOT, file), 'utf8').split('\n');
    expect(lines('.gitignore')).toContain('secrets/');
    expect(lines('.dockerignore')).toContain('secrets/');
  });

  test('the api listens on 3000 and serves the delegation zone on 53 (UDP and TCP), both published; its healthcheck asks /readyz', () => {
    const api = env('api');
    expect(api.PORT).toBe('3000');
    expect(api.DCV_DNS_LISTEN).toBe(':53');
    expect(api.DCV_DELEGATION_SERVER).toBeUndefined();
    expect(services.api.ports).toEqual(['3000:3000', '${DCV_DNS_PORT:-53}:53/udp', '${DCV_DNS_PORT:-53}:53/tcp']);
    // The image runs as `node`: port 53 needs the unprivileged port range to start at 0.
    expect(services.api.sysctls).toEqual({ 'net.ipv4.ip_unprivileged_port_start': 0 });
    expect(services.api.healthcheck?.test).toEqual([
      'CMD',
      'node',
      '-e',
      "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))",
    ]);
    // The name server the parent zone's NS and glue name: set in .env, answered by this server.
    expect([api.DCV_DNS_NS, api.DCV_DNS_NS_ADDRESS]).toEqual(['${DCV_DNS_NS:-}', '${DCV_DNS_NS_ADDRESS:-}']);
  });

  /**
   * What each process of the service image reads from its environment (src/config.ts, by where the value
   * is used), and what it cannot do without in this shape (`required`, set to a fixed value by the file);
   * `optional` ones are passed through from `.env` with a default. A service is given exactly what its
   * process reads, and every setting two processes read has one value.
   */
  const READS: Record<string, { required: string[]; optional: string[] }> = {
    // src/cli/setup.ts: migrations, namespace, search attributes.
    setup: { required: ['DATABASE_URL', 'TEMPORAL_ADDRESS'], optional: ['TEMPORAL_NAMESPACE', 'TEMPORAL_NAMESPACE_RETENTION', 'LOG_LEVEL'] },
    // src/service.ts with the API: src/api, src/app, src/console (the CAA issuer tells the console's CAA results apart), the delegation DNS server;
    // and the CLI, run in the api's container (`docker compose exec api npm run cli`): invitation links.
    api: {
      required: ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_TASK_QUEUE', 'SECRET_KEY_FILE', 'DCV_DNS_LISTEN'],
      optional: [
        ...['TEMPORAL_NAMESPACE', 'TEMPORAL_CODEC_KEYS', 'LOG_LEVEL', 'PORT', 'METRICS_LISTEN', 'TEMPORAL_UI_ORIGIN'],
        ...['DCV_DELEGATION_ZONE', 'DCV_PUBLIC_URL', 'DCV_CAA_ISSUER', 'DCV_DNS_NS', 'DCV_DNS_NS_ADDRESS', 'DCV_PRECHECK_INTERVAL', 'DCV_REVALIDATE_BEFORE'],
        ...['REQUEST_DEADLINE', 'CREATE_CONCURRENCY', 'REVIEW_SLA', 'REVIEW_REMINDER_INTERVAL', 'EXPIRING_WINDOW', 'IDENTITY_REUSE_PERIOD'],
        ...['WEBHOOK_SECRET_OVERLAP', 'CREATE_YIELD_MAX'],
        // src/console/settings.ts
        ...['CONSOLE_PUBLIC_URL', 'CONSOLE_SECURE_COOKIES', 'TRUST_PROXY', 'CONSOLE_SESSION_IDLE', 'CONSOLE_SESSION_LIFETIME', 'CONSOLE_INVITATION_LIFETIME'],
        ...['LOGIN_MAX_FAILURES', 'LOGIN_FAILURE_WINDOW', 'REVIEW_CLAIM_TTL'],
      ],
    },
    // src/service.ts with the worker: workflows, activities (src/dcv/writers.ts resolves with DCV_RESOLVERS; the webhooks'
    // domain events carry instructions with DCV_PUBLIC_URL), the reconciler, the notifier (src/notify/config.ts).
    worker: {
      required: ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_TASK_QUEUE', 'SECRET_KEY_FILE', 'DCV_REMOTE_PERSPECTIVES'],
      optional: [
        ...['TEMPORAL_NAMESPACE', 'TEMPORAL_CODEC_KEYS', 'LOG_LEVEL', 'METRICS_LISTEN', 'TEMPORAL_METRICS_LISTEN', 'REQUEST_DEADLINE'],
        ...['DCV_DELEGATION_ZONE', 'DCV_PUBLIC_URL', 'DCV_RESOLVERS', 'DCV_REVALIDATE_BEFORE', 'DCV_RETRY_SCHEDULE', 'DCV_MAX_SCANS'],
        ...['RANDOM_VALUE_LIFETIME', 'DNSPOD_API_URL', 'RECONCILE_INTERVAL', 'REVIEW_SLA', 'REVIEW_REMINDER_INTERVAL', 'EXPIRING_WINDOW'],
        ...[
          'IDEMPOTENCY_KEY_RETENTION',
          'IDENTITY_REUSE_PERIOD',
          'WORKER_MEMORY_BUDGET',
          'WORKER_MAX_CACHED_WORKFLOWS',
          'WORKER_WORKFLOW_TASK_SLOTS',
          'WORKER_ACTIVITY_TASK_SLOTS',
        ],
        ...['EXPIRY_NOTICES', 'NOTICE_INTERVAL', 'WEBHOOK_DISPATCH_INTERVAL', 'WEBHOOK_RETRY_SCHEDULE', 'WEBHOOK_TIMEOUT'],
        ...['SMTP_URL', 'EMAIL_FROM', 'REVIEWER_EMAILS', 'REVIEWER_LANGUAGE', 'EMAIL_RETRY_INTERVAL', 'EMAIL_MAX_ATTEMPTS'],
      ],
    },
    // src/perspective.ts: activities/perspective.ts only.
    perspective: {
      required: ['TEMPORAL_ADDRESS', 'TEMPORAL_TASK_QUEUE', 'SECRET_KEY_FILE', 'DCV_PERSPECTIVES'],
      optional: ['TEMPORAL_NAMESPACE', 'TEMPORAL_CODEC_KEYS', 'LOG_LEVEL', 'METRICS_LISTEN', 'TEMPORAL_METRICS_LISTEN', 'DCV_CAA_ISSUER'],
    },
  };
  /** What src/ reads that no service of this shape is given, and why. */
  const NOT_PASSED: Record<string, string> = {
    DATA_DIR: 'embedded PGlite and Temporal files; here only the .eml outbox of a worker without SMTP_URL, inside its container',
    HOST: "the api listens on every interface of its container (npm run api's default), which the port mapping and healthcheck need",
    SECRET_KEY: 'the compose secret, through SECRET_KEY_FILE',
    TEMPORAL_API_KEY: "Temporal Cloud / TLS: this shape's Temporal server is on the compose network",
    TEMPORAL_TLS: "Temporal Cloud / TLS: this shape's Temporal server is on the compose network",
    TEMPORAL_CLI_PATH: 'the embedded dev server',
    TEMPORAL_DEV_PORT: 'the embedded dev server',
    TEMPORAL_UI_PORT: "the embedded dev server's UI (TEMPORAL_UI_ORIGIN names this shape's)",
    DCV_DELEGATION_SERVER: 'another shape: here the api serves the delegation zone itself (DCV_DNS_LISTEN)',
    DCV_DELEGATION_TSIG: 'another shape: here the api serves the delegation zone itself (DCV_DNS_LISTEN)',
    DCV_HTTP_PORT: 'tests only',
    DCV_HTTPS_PORT: 'tests only',
    DCV_AUTHORITATIVE_PORT: 'tests only',
    DCV_ALLOW_PRIVATE_ADDRESSES: 'tests only',
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'tests only',
    DOMAIN_REUSE_PERIOD: 'tests only',
  };
  const processOf = (name: string) => READS[PERSPECTIVES.includes(name) ? 'perspective' : name];
  const readsOf = (name: string) => [...processOf(name).required, ...processOf(name).optional];

  test.each(SERVICE_IMAGE)('%s is given what its process reads, and nothing else', (name) => {
    const set = Object.keys(env(name));
    expect(set.filter((key) => !readsOf(name).includes(key))).toEqual([]);
    expect(readsOf(name).filter((key) => !set.includes(key))).toEqual([]);
  });

  test('every variable src/ reads reaches the processes that read it, or is named as not for this shape', () => {
    expect(CODE_VARIABLES.size).toBeGreaterThan(50);
    const passed = new Set(Object.values(READS).flatMap((reads) => [...reads.required, ...reads.optional]));
    expect([...CODE_VARIABLES].filter((key) => !passed.has(key) && !(key in NOT_PASSED))).toEqual([]);
    // Both lists name only what the code reads, and never the same variable.
    expect([...passed, ...Object.keys(NOT_PASSED)].filter((key) => !CODE_VARIABLES.has(key))).toEqual([]);
    expect(Object.keys(NOT_PASSED).filter((key) => passed.has(key))).toEqual([]);
  });

  test("what .env may set is passed through as ${NAME:-default}, the default meaning what the code's own does", () => {
    // Deliberately not the code's default, for this shape: the api is published on localhost:3000, the Temporal UI on :8080.
    const SHAPE_DEFAULTS: Record<string, string> = {
      DCV_PUBLIC_URL: 'http://localhost:3000',
      CONSOLE_PUBLIC_URL: 'http://localhost:3000',
      TEMPORAL_UI_ORIGIN: 'http://localhost:8080',
    };
    const codeDefaults = loadConfig({});
    for (const name of SERVICE_IMAGE) {
      for (const key of processOf(name).optional.filter((k) => !/METRICS_LISTEN$|^PORT$|^DCV_PERSPECTIVES$/.test(k))) {
        const value = env(name)[key];
        const match = new RegExp(`^\\$\\{${key}:-([^}]*)\\}$`).exec(value);
        expect({ name, key, passedThrough: match !== null }).toEqual({ name, key, passedThrough: true });
        const fallback = match![1];
        if (key in SHAPE_DEFAULTS) expect({ key, fallback }).toEqual({ key, fallback: SHAPE_DEFAULTS[key] });
        else expect({ key, config: loadConfig({ [key]: fallback }) }).toEqual({ key, config: codeDefaults });
      }
    }
  });

  test('a setting several processes must agree on has one value in all that read it', () => {
    for (const key of [
      ...['TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'SECRET_KEY_FILE', 'TEMPORAL_CODEC_KEYS', 'DCV_DELEGATION_ZONE', 'DCV_CAA_ISSUER', 'DCV_PUBLIC_URL'],
      ...['DCV_REVALIDATE_BEFORE', 'REQUEST_DEADLINE', 'REVIEW_SLA', 'REVIEW_REMINDER_INTERVAL', 'EXPIRING_WINDOW', 'IDENTITY_REUSE_PERIOD'],
    ]) {
      const readers = SERVICE_IMAGE.filter((name) => readsOf(name).includes(key));
      expect(readers.length).toBeGreaterThan(1);
      // One value, or unset in all of them (the same default).
      expect({ key, values: [...new Set(readers.map((name) => env(name)[key]))] }).toEqual({ key, values: [env(readers[0])[key]] });
    }
  });

  test('three perspectives run `npm run perspective`, each with its own resolvers and the key; the worker names them and runs none itself', () => {
    const names = PERSPECTIVES.map((name) => {
      const perspective = env(name);
      expect([services[name].command].flat().join(' ')).toBe('npm run perspective');
      for (const key of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE']) expect(perspective[key]).toBe(env('worker')[key]);
      expect(perspective.DATABASE_URL).toBeUndefined();
      // The payload codec's key is derived from SECRET_KEY: a perspective decodes its activities' inputs with it.
      expect(services[name].secrets).toEqual(['secret_key']);
      expect(perspective.SECRET_KEY_FILE).toBe('/run/secrets/secret_key');
      const match = /^([a-z]+)=\$\{DCV_([A-Z]+)_RESOLVERS:-([\d.:,]+)\}$/.exec(perspective.DCV_PERSPECTIVES);
      expect(match).not.toBeNull();
      expect(name).toBe(`perspective-${match![1]}`);
      expect(match![2]).toBe(match![1].toUpperCase());
      return { name: match![1], resolvers: match![3].split(',') };
    });
    const resolvers = names.flatMap((n) => n.resolvers);
    expect(new Set(resolvers).size).toBe(resolvers.length);
    expect(env('worker').DCV_REMOTE_PERSPECTIVES).toBe(names.map((n) => n.name).join(','));
    expect(env('worker').DCV_PERSPECTIVES).toBeUndefined();
  });

  test('the worker and perspective healthchecks are one process check for their entry files, excluding itself', () => {
    const check = (services.worker.healthcheck?.test as string[]).join(' ');
    for (const name of PERSPECTIVES) expect(services[name].healthcheck).toEqual(services.worker.healthcheck);
    expect(check).toMatch(/\/proc/);
    expect(check).toContain(String.raw`/src\/(worker|perspective)\.ts/`);
    expect(check).toMatch(/process\.pid/);
    for (const entry of ['src/worker.ts', 'src/perspective.ts']) expect(existsSync(path.join(ROOT, entry))).toBe(true);
  });

  test('start order: every dependency waits for health or successful completion', () => {
    const conditions = Object.fromEntries(
      Object.entries(services).map(([name, s]) => [name, Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([dep, d]) => [dep, d.condition]))]),
    );
    const app = { postgres: 'service_healthy', temporal: 'service_healthy', setup: 'service_completed_successfully' };
    const perspective = { setup: 'service_completed_successfully' };
    expect(conditions).toEqual({
      prometheus: {},
      grafana: { prometheus: 'service_healthy' },
      postgres: {},
      'temporal-schema': { postgres: 'service_healthy' },
      temporal: { 'temporal-schema': 'service_completed_successfully' },
      setup: { postgres: 'service_healthy', temporal: 'service_healthy' },
      'temporal-ui': { temporal: 'service_healthy' },
      api: app,
      worker: app,
      'perspective-east': perspective,
      'perspective-west': perspective,
      'perspective-north': perspective,
    });
  });

  test('every file the compose mounts exists in deploy/', () => {
    const binds = Object.values(services).flatMap((s) => (s.volumes ?? []).filter((v) => v.startsWith('./')));
    expect(binds.length).toBeGreaterThan(0);
    for (const bind of binds) {
      const source = bind.split(':')[0];
      expect(source.startsWith('./deploy/')).toBe(true);
      expect(existsSync(path.join(ROOT, source))).toBe(true);
    }
    expect(env('temporal').DYNAMIC_CONFIG_FILE_PATH).toBe('/etc/temporal/config/dynamicconfig/docker.yaml');
    expect(existsSync(path.join(ROOT, 'deploy/temporal/dynamicconfig/docker.yaml'))).toBe(true);
  });
});

/**
 * deploy/: the Prometheus scrape configuration and the Grafana provisioning the compose file mounts. No
 * container runs here, so: Prometheus's own checker (`promtool`, Debian package "prometheus") validates
 * the configuration and every dashboard query, and the targets are matched against the ports the compose
 * file gives each process.
 */
describe('metrics: deploy/prometheus and deploy/grafana, wired into compose', () => {
  const PROMTOOL_MISSING =
    'promtool is not installed: this test validates deploy/prometheus/prometheus.yml and the dashboard queries with it. Install the Debian package "prometheus" (apt-get install -y --no-install-recommends prometheus); nothing needs to run.';
  function promtool(...args: string[]) {
    const result = spawnSync('promtool', args, { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error(PROMTOOL_MISSING);
    if (result.error) throw result.error;
    return result;
  }
  /** Where a service's bind mount of `source` lands in its container. */
  const mountTarget = (service: string, source: string) => services[service].volumes?.find((v) => v.split(':')[0] === source)?.split(':')[1];
  const prometheusFile = 'deploy/prometheus/prometheus.yml';
  const scrape = parse(readFileSync(path.join(ROOT, prometheusFile), 'utf8')) as {
    scrape_configs: Array<{ job_name: string; metrics_path?: string; static_configs: Array<{ targets: string[] }> }>;
  };
  const targetsOf = (job: string) => scrape.scrape_configs.find((c) => c.job_name === job)!.static_configs.flatMap((c) => c.targets);
  const port = (listen: string | undefined) => listen?.split(':').pop();

  test('prometheus runs the mounted configuration, keeps its data in a volume and is published on 9090', () => {
    const prometheus = services.prometheus;
    expect(prometheus.image).toMatch(/^prom\/prometheus:/);
    expect(mountTarget('prometheus', `./${prometheusFile}`)).toBe('/etc/prometheus/prometheus.yml');
    expect([prometheus.command].flat()).toContain('--config.file=/etc/prometheus/prometheus.yml');
    expect(prometheus.volumes).toContain('prometheus-data:/prometheus');
    expect(Object.keys(compose.volumes ?? {})).toEqual(expect.arrayContaining(['prometheus-data', 'grafana-data']));
    expect(prometheus.ports).toEqual(['9090:9090']);
  });

  test('promtool accepts the scrape configuration', () => {
    const result = promtool('check', 'config', prometheusFile);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });

  test("every process with a metrics port is scraped at it, and every target is a compose service's metrics port", () => {
    const declared = new Set<string>();
    for (const [name, service] of Object.entries(services)) {
      const vars = env(name);
      if (vars.METRICS_LISTEN) declared.add(`certificate-profiles ${name}:${port(vars.METRICS_LISTEN)}`);
      if (vars.TEMPORAL_METRICS_LISTEN) declared.add(`temporal-sdk ${name}:${port(vars.TEMPORAL_METRICS_LISTEN)}`);
      if (vars.PROMETHEUS_ENDPOINT) declared.add(`temporal-server ${name}:${port(vars.PROMETHEUS_ENDPOINT)}`);
      // Metrics stay on the compose network: no service publishes a metrics port.
      for (const published of service.ports ?? []) expect(published).not.toMatch(/:(9464|9465|8000)$/);
    }
    const scraped = new Set(scrape.scrape_configs.flatMap((c) => c.static_configs.flatMap((sc) => sc.targets.map((t) => `${c.job_name} ${t}`))));
    expect([...scraped].sort()).toEqual([...declared].sort());
    // The service image's long-running processes all report, the SDK's from each that runs workers.
    expect(
      targetsOf('certificate-profiles')
        .map((t) => t.split(':')[0])
        .sort(),
    ).toEqual(['api', 'worker', ...PERSPECTIVES].sort());
    expect(
      targetsOf('temporal-sdk')
        .map((t) => t.split(':')[0])
        .sort(),
    ).toEqual(['worker', ...PERSPECTIVES].sort());
    for (const config of scrape.scrape_configs) expect(config.metrics_path ?? '/metrics').toBe('/metrics');
  });

  test('grafana is provisioned with the Prometheus datasource and the dashboard, after prometheus is healthy, published on 3001', () => {
    const grafana = services.grafana;
    expect(grafana.image).toMatch(/^grafana\/grafana:/);
    expect(grafana.ports).toEqual(['3001:3000']);
    const provisioning = mountTarget('grafana', './deploy/grafana/provisioning');
    expect(provisioning).toBe('/etc/grafana/provisioning');
    const datasources = parse(readFileSync(path.join(ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8'));
    expect(datasources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', uid: 'prometheus', url: 'http://prometheus:9090' })]);
    const providers = parse(readFileSync(path.join(ROOT, 'deploy/grafana/provisioning/dashboards/certificate-profiles.yml'), 'utf8'));
    expect(providers.providers[0].options.path).toBe(mountTarget('grafana', './deploy/grafana/dashboards'));
    // Every panel with queries asks that datasource; ids are unique.
    for (const panel of dashboard.panels.filter((p) => p.targets)) expect(panel.datasource?.uid).toBe('prometheus');
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
  });

  test('every dashboard query is valid PromQL on series the processes export', () => {
    expect(queries.length).toBeGreaterThan(10);
    // promtool parses PromQL in rule files: each query as a recording rule.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cps-dashboard-'));
    const rules = path.join(dir, 'dashboard-queries.yml');
    writeFileSync(rules, JSON.stringify({ groups: [{ name: 'dashboard', rules: queries.map((expr, i) => ({ record: `dashboard:query_${i}`, expr })) }] }));
    const result = promtool('check', 'rules', rules);
    rmSync(dir, { recursive: true, force: true });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    // The service's own series as src/metrics.ts registers them; the SDK's carry `temporal_`, Node's `process_` / `nodejs_`.
    const metrics = createMetrics();
    observeOperatorCounts(metrics, undefined as never);
    const own = metrics.registry.getMetricsAsArray().map((m) => m.name);
    // Every series name on the dashboard has one of the exporters' prefixes; the service's own must exist.
    expect(dashboardSeries.size).toBeGreaterThan(10);
    for (const name of [...dashboardSeries].filter((n) => /^(cps|http)_/.test(n))) {
      expect({ name, known: own.includes(name.replace(/_(bucket|count|sum)$/, '')) || own.includes(name) }).toEqual({ name, known: true });
    }
    // Each of the service's series appears on the dashboard.
    for (const name of own) expect({ name, shown: queries.some((q) => q.includes(name)) }).toEqual({ name, shown: true });
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const instructions = dockerfile.split('\n').filter((line) => /^[A-Z]+\s/.test(line));

  test('node:20-bookworm-slim, npm ci from the lockfile, sources copied, runs as the node user', () => {
    expect(instructions[0]).toBe('FROM node:20-bookworm-slim');
    expect(dockerfile).toMatch(/^COPY package\.json package-lock\.json \.\/$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^COPY \. \.$/m);
    expect(instructions.filter((line) => line.startsWith('USER ')).pop()).toBe('USER node');
  });

  test('.dockerignore keeps local state and secrets out of the build context', () => {
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules/', 'data/', '.tools/', '.git', '.env']) expect(ignored).toContain(entry);
    expect(ignored).not.toContain('package-lock.json');
  });
});

describe('docker-compose config (Debian package docker-compose, v1.29.2)', () => {
  const MISSING =
    'docker-compose is not installed: this test validates docker-compose.yml with it. Install the Debian package "docker-compose" (apt-get install -y --no-install-recommends docker-compose); it needs no Docker engine.';

  function dockerCompose(...args: string[]) {
    const result = spawnSync('docker-compose', ['-f', COMPOSE_FILE, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
      // Only the compose file and its defaults decide the result, not the caller's shell.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' },
    });
    if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error(MISSING);
    if (result.error) throw result.error;
    return result;
  }

  test('is installed', () => {
    const result = dockerCompose('version', '--short');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toMatch(/^1\.(29|[3-9]\d)\.\d+/);
  });

  test('accepts the file (config --quiet) without warnings', () => {
    const result = dockerCompose('config', '--quiet');
    expect({ status: result.status, stderr: result.stderr.trim() }).toEqual({ status: 0, stderr: '' });
  });

  test('resolves it to the same services, images and conditions', () => {
    const result = dockerCompose('config');
    expect(result.status).toBe(0);
    const resolved = parse(result.stdout) as ComposeFile;
    expect(Object.keys(resolved.services).sort()).toEqual(Object.keys(services).sort());
    expect(resolved.services.temporal.image).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
    expect(resolved.services['temporal-schema'].image).toBe(resolved.services.temporal.image!.replace('server', 'admin-tools'));
    expect(resolved.services.api.depends_on?.setup.condition).toBe('service_completed_successfully');
    expect(resolved.services.api.environment?.DATABASE_URL).toMatch(/^postgres:\/\/profiles:[^@]+@postgres:5432\/profiles$/);
    // Merge keys resolved as Compose reads them: each process gets its own settings, the shared ones alike.
    expect(resolved.services.api.environment).toMatchObject({ DCV_DNS_LISTEN: ':53', DCV_CAA_ISSUER: 'certificate-profiles.invalid', PORT: '3000' });
    for (const name of Object.keys(services))
      expect({ name, keys: Object.keys(resolved.services[name].environment ?? {}).sort() }).toEqual({ name, keys: Object.keys(env(name)).sort() });
    expect(Object.keys(resolved.services.worker.environment ?? {})).toEqual(
      expect.arrayContaining(['SMTP_URL', 'EMAIL_FROM', 'REVIEWER_EMAILS', 'REVIEWER_LANGUAGE']),
    );
    expect(Object.keys(resolved.services.worker.environment ?? {})).not.toContain('CONSOLE_PUBLIC_URL');
    for (const key of ['DATABASE_URL', 'DCV_DELEGATION_ZONE', 'TEMPORAL_TASK_QUEUE', 'SECRET_KEY_FILE'])
      expect(resolved.services.worker.environment?.[key]).toBe(resolved.services.api.environment?.[key]);
    expect(resolved.services['perspective-north'].environment?.DCV_CAA_ISSUER).toBe(resolved.services.api.environment?.DCV_CAA_ISSUER);
    expect(resolved.services['perspective-west'].environment?.DCV_PERSPECTIVES).toBe('west=8.8.8.8:53,8.8.4.4:53');
  });

  test("an .env beside the file reaches the processes that read it: the console's address, cookies and proxy, the sender", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cps-env-'));
    const file = path.join(dir, '.env');
    writeFileSync(
      file,
      [
        'CONSOLE_PUBLIC_URL=https://console.ca.example',
        'TRUST_PROXY=1',
        'EMAIL_FROM=Certificate desk <certs@ca.example>',
        'REVIEWER_LANGUAGE=zh-CN',
        'DCV_PUBLIC_URL=https://dcv.ca.example',
        'REVIEW_SLA=2bd',
        'WEBHOOK_TIMEOUT=20s',
        'LOG_LEVEL=WARN',
        '',
      ].join('\n'),
    );
    const result = dockerCompose('--env-file', file, 'config');
    rmSync(dir, { recursive: true, force: true });
    expect(result.status).toBe(0);
    const resolved = parse(result.stdout) as { services: Record<string, { environment?: Record<string, string> }> };
    // As each process loads it (the secret file exists only in the container).
    const configOf = (name: string) =>
      loadConfig(
        Object.fromEntries(
          Object.entries(resolved.services[name].environment ?? {})
            .filter(([k]) => k !== 'SECRET_KEY_FILE')
            .map(([k, v]) => [k, v === null ? '' : String(v)]),
        ),
      );
    const api = configOf('api');
    // Invitation links (the CLI runs in this container), Secure __Host- cookies and HSTS from the https URL, X-Forwarded-For of one proxy.
    expect(api.console).toMatchObject({ publicUrl: 'https://console.ca.example', secureCookies: true, trustProxy: 1 });
    expect(api.dcv.publicUrl).toBe('https://dcv.ca.example');
    expect(api.timings.reviewSla).toEqual(loadConfig({ REVIEW_SLA: '2bd' }).timings.reviewSla);
    const worker = configOf('worker');
    expect(worker.notify.email).toMatchObject({ from: 'Certificate desk <certs@ca.example>', reviewerLanguage: 'zh-CN' });
    expect(worker.notify.webhooks.timeout).toEqual(loadConfig({ WEBHOOK_TIMEOUT: '20s' }).notify.webhooks.timeout);
    expect(worker.dcv.publicUrl).toBe('https://dcv.ca.example');
    expect(worker.timings.reviewSla).toEqual(api.timings.reviewSla);
    for (const name of SERVICE_IMAGE) expect({ name, level: configOf(name).logLevel }).toEqual({ name, level: 'WARN' });
    // Without an .env: the local run, whose console is plain HTTP on the published port.
    const local = parse(dockerCompose('config').stdout) as typeof resolved;
    expect(local.services.api.environment).toMatchObject({ CONSOLE_PUBLIC_URL: 'http://localhost:3000' });
    expect(loadConfig({ CONSOLE_PUBLIC_URL: 'http://localhost:3000', CONSOLE_SECURE_COOKIES: '', TRUST_PROXY: '' }).console).toMatchObject({
      secureCookies: false,
      trustProxy: undefined,
    });
  });
});

/**
 * What the file declares can run: the service's commands from `docker-compose config` (the real Compose
 * implementation resolves the file), each with exactly the environment it declares for that service on
 * top of the image's own (Dockerfile ENV), and nothing else changed but where things are: the compose
 * hostnames and ports point at parts on this machine, since no container engine runs here. PostgreSQL
 * is a cluster of the test's own, initialised by deploy/postgres/initdb as the postgres image does;
 * Temporal a dev server without the service's search attributes, as a fresh cluster is; the resolvers
 * of every perspective a BIND9 that holds the customer's zone and delegates the service's zone to the
 * api's DNS server; the secret a throwaway key file at the path Compose mounts it. Then the API takes
 * an organization from creation to a domain validated by the three perspectives.
 */
describe('docker-compose.yml runs: setup, api, worker and the three perspectives with the environment it declares', () => {
  const DNS_ADDRESS = `127.53.${randomInt(1, 255)}.${randomInt(1, 255)}`;
  let projectDir: string;
  let resolved: ResolvedCompose;
  let postgres: PostgresCluster;
  let temporal: DevServer;
  let bind: Bind9Server;
  let apiPort: number;
  /** Each process's metrics listeners, moved to ports of their own: in containers they all use :9464 / :9465. */
  const metricsPorts: Record<string, Record<string, number>> = {};
  const runs: ServiceRun[] = [];

  /** The image's environment, then the service's own, with only its addresses moved onto this machine. */
  function localEnvironment(service: string): Record<string, string> {
    const declared = environmentOf(resolved.services[service]);
    const hostPorts: Record<string, string> = {
      'postgres:5432': `127.0.0.1:${postgres.port}`,
      'temporal:7233': temporal.address,
      'localhost:3000': `localhost:${apiPort}`,
    };
    const moved = (name: string, value: string): string => {
      if (name === 'PORT') return String(apiPort);
      if (name === 'DCV_DNS_LISTEN') return value.replace(/^:/, `${DNS_ADDRESS}:`);
      if (name === 'DCV_PERSPECTIVES') return value.replace(/[\d.]+:\d+/g, bind.server);
      if (name === 'METRICS_LISTEN' || name === 'TEMPORAL_METRICS_LISTEN') return `127.0.0.1:${metricsPorts[service][name]}`;
      const mount = secretMounts(resolved, service).find((m) => m.target === value);
      if (mount) return mount.file;
      return Object.entries(hostPorts).reduce((text, [from, to]) => text.split(from).join(to), value);
    };
    const local = Object.fromEntries(Object.entries(declared).map(([name, value]) => [name, moved(name, value)]));
    // Nothing but addresses (host:port, a listening port, a mounted file's path) differs from the declaration.
    const shape = (value: string) =>
      value
        .replace(/(\[[^\]]*\]|[\w.-]*):\d+/g, '<address>')
        .replace(/^\d+$/, '<port>')
        .replace(/^\/\S+$/, '<path>');
    expect(Object.fromEntries(Object.entries(local).map(([k, v]) => [k, shape(v)]))).toEqual(
      Object.fromEntries(Object.entries(declared).map(([k, v]) => [k, shape(v)])),
    );
    return { PATH: process.env.PATH!, HOME: process.env.HOME!, ...dockerfileEnvironment(path.join(ROOT, 'Dockerfile')), ...local };
  }

  const command = (service: string) => resolved.services[service].command!;
  function start(service: string): ServiceRun {
    const run = runService(service, command(service), { cwd: ROOT, env: localEnvironment(service) });
    runs.push(run);
    return run;
  }
  async function runToEnd(service: string, args: string[] = []): Promise<{ code: number | null; output: string }> {
    const run = runService(service, [...command(service), ...args], { cwd: ROOT, env: localEnvironment(service) });
    return { code: await run.exited, output: run.output() };
  }
  /** Waits for a line of the process's output; fails at once when it exits instead. */
  async function until(run: ServiceRun, pattern: RegExp, what: string): Promise<void> {
    for (const deadline = Date.now() + 180_000; !pattern.test(run.output()); await new Promise((r) => setTimeout(r, 200))) {
      if (!run.running()) throw new Error(`${run.name} exited before ${what}:\n${run.output()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n--- ${run.name} ---\n${run.output().slice(-3000)}`);
    }
  }

  beforeAll(async () => {
    projectDir = mkdtempSync(path.join(os.tmpdir(), 'cps-compose-'));
    // The operator's one step before `docker compose up` (README), into a throwaway project directory.
    mkdirSync(path.join(projectDir, 'secrets'), { mode: 0o700 });
    writeFileSync(path.join(projectDir, 'secrets', 'secret_key'), randomBytes(32).toString('base64'));
    resolved = resolveCompose(COMPOSE_FILE, projectDir);

    postgres = await startPostgresCluster();
    // deploy/postgres/initdb, as the postgres image runs it on an empty volume, with that service's environment.
    const initdb = services.postgres.volumes!.find((v) => v.endsWith(':/docker-entrypoint-initdb.d:ro'))!.split(':')[0];
    for (const file of readdirSync(path.join(ROOT, initdb)).sort()) {
      const result = spawnSync('sh', [path.join(ROOT, initdb, file)], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, ...environmentOf(resolved.services.postgres), PGHOST: '127.0.0.1', PGPORT: String(postgres.port) },
      });
      expect({ file, status: result.status, stderr: result.stderr }).toEqual({ file, status: 0, stderr: '' });
    }

    temporal = await startDevServer({
      cliPath: findTemporalCli(ROOT),
      dataDir: path.join(projectDir, 'temporal'),
      port: await freePort(),
      uiPort: 0,
      namespace: environmentOf(resolved.services.setup).TEMPORAL_NAMESPACE,
      headless: true,
      searchAttributes: false,
    });

    const zone = environmentOf(resolved.services.api).DCV_DELEGATION_ZONE;
    const [label, ...parent] = zone.split('.');
    bind = await startBind9({
      recursion: true,
      zones: [
        // `com` answers the CAA climb (RFC 8659); example.com is the customer's zone.
        { name: 'com' },
        { name: 'example.com', records: ['@ A 127.0.0.1', '* A 127.0.0.1'] },
        // The parent of the delegation zone, delegating it to the api's DNS server (NS + glue).
        { name: parent.join('.'), records: [`${label} NS ns1.${zone}.`, `ns1.${label} A ${DNS_ADDRESS}`] },
      ],
    });
    apiPort = await freePort();
    for (const service of ['api', 'worker', ...PERSPECTIVES]) {
      metricsPorts[service] = { METRICS_LISTEN: await freePort(), TEMPORAL_METRICS_LISTEN: await freePort() };
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(runs.map((run) => run.stop()));
    await bind?.stop();
    await temporal?.stop();
    await postgres?.destroy();
    if (projectDir) rmSync(projectDir, { recursive: true, force: true });
  });

  test('create, approve, add a domain and validate it through the API', async () => {
    // Started before setup on purpose (compose would not): /readyz names what setup has not done yet.
    const api = start('api');
    const url = `http://127.0.0.1:${apiPort}`;
    await until(api, /API: +http/, 'the api listening');
    expect(logLines(api.output())).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/^not set up: migrations: \d+ pending/) }),
    );
    const early = await fetch(`${url}/readyz`);
    expect(early.status).toBe(503);
    const earlyBody = (await early.json()) as { missing: string[]; details: Record<string, string> };
    expect(earlyBody.missing).toEqual(['migrations', 'searchAttributes', 'secretKey']);
    expect(earlyBody.details.searchAttributes).toBe(
      `namespace default lacks search attributes ${SEARCH_ATTRIBUTES.map((k) => `${k.name} (${SEARCH_ATTRIBUTE_TYPE_NAMES[k.type]})`).join(', ')}: run npm run setup (the setup service of docker-compose.yml)`,
    );

    const setup = await runToEnd('setup');
    expect({ code: setup.code, output: setup.output }).toEqual({ code: 0, output: expect.stringContaining('"namespaceCreated":false') });
    const report = JSON.parse(setup.output.trim().split('\n').pop()!);
    expect(report.migrationsApplied.length).toBeGreaterThan(0);
    expect(report.searchAttributesAdded).toEqual(SEARCH_ATTRIBUTES.map(searchAttributeSpec));
    expect(report.database).toBe(`PostgreSQL 127.0.0.1:${postgres.port}/profiles (user profiles)`);
    // Again on every `up`: nothing left to do.
    const again = await runToEnd('setup');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.output.trim().split('\n').pop()!)).toMatchObject({ migrationsApplied: [], searchAttributesAdded: [] });
    const ready = await eventually(async () => {
      const response = await fetch(`${url}/readyz`);
      return response.status === 200 ? response.json() : undefined;
    });
    expect(ready).toEqual({ status: 'ready', checks: { database: true, migrations: true, temporal: true, searchAttributes: true, secretKey: true } });

    const worker = start('worker');
    const perspectives = PERSPECTIVES.map(start);
    await until(worker, /DCV perspectives: east \(remote\); west \(remote\); north \(remote\)/, 'the worker polling');
    for (const perspective of perspectives) await until(perspective, /polling/, 'the perspective polling');
    // Each names where its endpoints are, as the worker does (a line written once its workers run).
    for (const run of [worker, ...perspectives])
      await until(run, /"msg":"Temporal SDK metrics: http:\/\/127\.0\.0\.1:\d+\/metrics"/, 'its SDK metrics endpoint named');
    expect(worker.output()).not.toMatch(/not set up/);

    // Keys as an operator makes them: `docker compose exec api npm run cli -- account create --name ...`.
    const key = async (resource: 'account' | 'reviewer') => {
      const run = runService('cli', ['npm', 'run', '--silent', 'cli', '--', resource, 'create', '--name', 'Compose'], {
        cwd: ROOT,
        env: localEnvironment('api'),
      });
      expect(await run.exited).toBe(0);
      expect(run.output()).toContain(`wrote to PostgreSQL 127.0.0.1:${postgres.port}/profiles (user profiles)`);
      return JSON.parse(
        run
          .output()
          .split('\n')
          .find((line) => line.startsWith('{'))!,
      ).apiKey as string;
    };
    const customerKey = await key('account');
    const reviewerKey = await key('reviewer');
    const call = async (key: string, method: string, route: string, body?: unknown) => {
      const response = await fetch(`${url}${route}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as any };
    };

    const created = await call(customerKey, 'POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR });
    expect(created.status).toBe(201);
    const administratorId = created.body.administrators[0].id;
    const approved = await call(reviewerKey, 'POST', `/v1/reviews/organizations/${created.body.id}/decision`, organizationApproval());
    expect(approved).toMatchObject({ status: 200, body: { status: 'approved' } });
    expect((await call(reviewerKey, 'POST', `/v1/reviews/administrators/${administratorId}/decision`, administratorApproval())).body.status).toBe('approved');

    const domain = await call(customerKey, 'POST', `/v1/administrators/${administratorId}/domains`, { domain: 'www.example.com' });
    expect(domain.status).toBe(201);
    expect(domain.body).toMatchObject({ method: 'dns', autoValidation: true, status: 'pending' });
    const target: string = domain.body.instructions.record.value;
    expect(target.endsWith(`.${environmentOf(resolved.services.api).DCV_DELEGATION_ZONE}`)).toBe(true);
    await bind.addRecord('_dnsauth.www.example.com', 'CNAME', `${target}.`);

    const precheck = await call(customerKey, 'POST', `/v1/domains/${domain.body.id}/validate`);
    expect(precheck.body).toMatchObject({ passed: true, quorum: { summary: '3/3' } });
    const validated = await eventually(
      async () => {
        const current = await call(customerKey, 'GET', `/v1/domains/${domain.body.id}`);
        return current.body.status === 'validated' ? current.body : undefined;
      },
      60_000,
      'validated',
    );
    expect(validated).toMatchObject({ brMethod: '3.2.2.4.7', usable: true, needsAttention: false });
    expect(validated.lastCheck.quorum).toMatchObject({ summary: '3/3', passedPerspectives: ['east', 'west', 'north'] });

    // What Prometheus scrapes (deploy/prometheus/prometheus.yml): each process at its metrics port.
    const scrape = async (service: string, listener = 'METRICS_LISTEN') => (await fetch(`http://127.0.0.1:${metricsPorts[service][listener]}/metrics`)).text();
    expect(await scrape('api')).toMatch(/^http_request_duration_seconds_count\{method="POST",route="\/v1\/organizations",status_code="201"\} 1$/m);
    expect(await scrape('api')).toMatch(/^cps_review_backlog\{kind="organization"\} 0$/m);
    expect(await scrape('worker')).toMatch(/^cps_dcv_checks_total\{kind="scan",code="passed"\} 1$/m);
    for (const name of PERSPECTIVES) {
      const perspective = name.replace('perspective-', '');
      expect(await scrape(name)).toMatch(
        new RegExp(`^cps_dcv_perspective_check_duration_seconds_count\\{perspective="${perspective}",code="passed"\\} [1-9]`, 'm'),
      );
      expect(await scrape(name, 'TEMPORAL_METRICS_LISTEN')).toMatch(/^temporal_worker_task_slots_available\{/m);
    }
    expect(await scrape('worker', 'TEMPORAL_METRICS_LISTEN')).toMatch(/^temporal_activity_execution_latency_count\{/m);
    // Every series the dashboard's panels ask for is among what Prometheus scrapes here: the SDK's and Node's too.
    const scraped = (
      await Promise.all([
        ...['api', 'worker', ...PERSPECTIVES].map((name) => scrape(name)),
        ...['worker', ...PERSPECTIVES].map((name) => scrape(name, 'TEMPORAL_METRICS_LISTEN')),
      ])
    ).join('\n');
    // A counter of failures is exported from the first failure on, and none happens here; nor does a
    // webhook delivery (no endpoint is registered), and labelled series appear from their first use.
    const firstFailure = [
      'temporal_activity_execution_failed',
      'temporal_workflow_task_execution_failed',
      'cps_webhook_deliveries_total',
      'cps_webhook_attempt_duration_seconds_bucket',
      'cps_webhook_endpoints_disabled_total',
      'cps_emails_total',
      'cps_email_attempts_total',
    ];
    for (const name of [...dashboardSeries].filter((n) => !firstFailure.includes(n)))
      expect({ name, scraped: new RegExp(`^${name}[{ ]`, 'm').test(scraped) }).toEqual({ name, scraped: true });

    // Their output is JSON lines only (npm prints no banner in the image); a healthy worker and perspectives warn about nothing.
    expect(logLines(api.output()).length).toBeGreaterThan(5);
    for (const run of [worker, ...perspectives]) expect(logLines(run.output()).filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);

    // `docker compose stop`: the signal reaches npm's command (each script execs it), which drains and
    // exits 0 within the grace period, leaving nothing behind for SIGKILL.
    for (const run of [api, worker, ...perspectives])
      expect({ service: run.name, ...(await run.terminate()) }).toEqual({ service: run.name, code: 0, left: false });
  }, 300_000);
});
