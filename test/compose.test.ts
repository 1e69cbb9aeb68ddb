import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { SEARCH_ATTRIBUTES } from '../src/temporal/search-attributes';

/**
 * docker-compose.yml is the production shape (DESIGN.md "Runtime"). This checks its structure, then
 * has a real Compose implementation validate it: Debian's `docker-compose` 1.29.2, whose `config`
 * needs no Docker engine.
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
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(TEXT) as ComposeFile;
const services = compose.services;

const LONG_RUNNING = ['postgres', 'temporal', 'temporal-ui', 'api', 'worker'];
const ONE_SHOTS = ['temporal-schema', 'temporal-admin-tools'];

const env = (name: string): Record<string, string> => Object.fromEntries(Object.entries(services[name].environment ?? {}).map(([k, v]) => [k, String(v)]));
const script = (name: string): string => [services[name].entrypoint, services[name].command].flat().filter(Boolean).join('\n');
/** A one-shot's shell script as the container runs it: Compose turns `$$` into `$`. */
const shellOf = (name: string): string => {
  const command = services[name].command;
  return (Array.isArray(command) ? command[command.length - 1] : String(command)).replace(/\$\$/g, '$');
};

describe('docker-compose.yml: production shape', () => {
  test('has the five long-running services and the two Temporal one-shots, nothing else', () => {
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

  test.each(ONE_SHOTS)('%s is a one-shot admin-tools container (no healthcheck, no restart)', (name) => {
    expect(services[name].image).toMatch(/^temporalio\/admin-tools:/);
    expect(services[name].healthcheck).toBeUndefined();
    expect(services[name].restart).toBe('no');
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
  });

  test('the Temporal server healthcheck uses a tool its image has, and the one-shot waits for cluster health', () => {
    // temporalio/server is Alpine + temporal-server (no temporal CLI, no tctl): busybox nc.
    expect(services.temporal.healthcheck?.test).toEqual(['CMD', 'nc', '-z', '127.0.0.1', '7233']);
    expect(script('temporal-admin-tools')).toMatch(/temporal operator cluster health/);
  });

  test('the service search attributes are registered, with the types the code declares', () => {
    const types: Record<string, string> = {
      KEYWORD: 'Keyword',
      TEXT: 'Text',
      INT: 'Int',
      DOUBLE: 'Double',
      BOOL: 'Bool',
      DATETIME: 'Datetime',
      KEYWORD_LIST: 'KeywordList',
    };
    const expected = SEARCH_ATTRIBUTES.map((key) => `${key.name}=${types[key.type]}`).sort();
    expect(expected).toEqual([
      'AccountId=Keyword',
      'DomainName=Keyword',
      'EntityKind=Keyword',
      'EntityStatus=Keyword',
      'NeedsAttention=Bool',
      'OrganizationId=Keyword',
    ]);
    const admin = env('temporal-admin-tools');
    expect(admin.SEARCH_ATTRIBUTES.split(/\s+/).sort()).toEqual(expected);
    expect(admin.TEMPORAL_ADDRESS).toBe('temporal:7233');
    const shell = shellOf('temporal-admin-tools');
    expect(shell).toMatch(/for attribute in \$SEARCH_ATTRIBUTES; do/);
    expect(shell).toMatch(/temporal operator search-attribute create --namespace "\$ns" --name "\$name" --type "\$type"/);
    expect(shell).toMatch(/temporal operator namespace create/);
    expect(admin.TEMPORAL_NAMESPACE).toBe(env('api').TEMPORAL_NAMESPACE);
  });

  test('the one-shot scripts are valid POSIX sh', () => {
    for (const name of ONE_SHOTS) {
      const result = spawnSync('sh', ['-n', '-c', shellOf(name)], { encoding: 'utf8' });
      expect({ name, status: result.status, stderr: result.stderr }).toEqual({ name, status: 0, stderr: '' });
    }
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
  ])('%s is built from ./Dockerfile and runs `%s` against PostgreSQL and Temporal', (name, command) => {
    const service = services[name];
    expect(service.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect([service.command].flat().join(' ')).toBe(command);
    const vars = env(name);
    expect(vars.DATABASE_URL).toMatch(/^postgres(ql)?:\/\/[^@]+@postgres:5432\/\w+$/);
    expect(vars.TEMPORAL_ADDRESS).toBe('temporal:7233');
    // Same image for both processes.
    expect(service.image).toBe(services.api.image);
  });

  test('the api listens on 3000, publishes it, and its healthcheck asks /readyz there', () => {
    expect(env('api').PORT).toBe('3000');
    expect(services.api.ports).toContain('3000:3000');
    expect(services.api.healthcheck?.test).toEqual([
      'CMD',
      'node',
      '-e',
      "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))",
    ]);
  });

  test('the worker healthcheck is a process check for src/worker.ts that excludes itself', () => {
    const check = (services.worker.healthcheck?.test as string[]).join(' ');
    expect(check).toMatch(/\/proc/);
    expect(check).toMatch(/src\/worker\.ts/);
    expect(check).toMatch(/process\.pid/);
    expect(existsSync(path.join(ROOT, 'src/worker.ts'))).toBe(true);
  });

  test('lifecycle durations stay at their defaults and are listed as commented examples', () => {
    for (const name of ['REVIEW_SLA', 'REVIEW_REMINDER_INTERVAL', 'EXPIRING_WINDOW']) {
      expect(TEXT).toMatch(new RegExp(`^\\s*# ${name}: \\S+`, 'm'));
      expect(env('api')[name]).toBeUndefined();
      expect(env('worker')[name]).toBeUndefined();
    }
  });

  test('start order: every dependency waits for health or successful completion', () => {
    const conditions = Object.fromEntries(
      Object.entries(services).map(([name, s]) => [name, Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([dep, d]) => [dep, d.condition]))]),
    );
    const app = { postgres: 'service_healthy', temporal: 'service_healthy', 'temporal-admin-tools': 'service_completed_successfully' };
    expect(conditions).toEqual({
      postgres: {},
      'temporal-schema': { postgres: 'service_healthy' },
      temporal: { 'temporal-schema': 'service_completed_successfully' },
      'temporal-admin-tools': { temporal: 'service_healthy' },
      'temporal-ui': { temporal: 'service_healthy' },
      api: app,
      worker: app,
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
    expect(resolved.services.api.depends_on?.['temporal-admin-tools'].condition).toBe('service_completed_successfully');
    expect(resolved.services.api.environment?.DATABASE_URL).toMatch(/^postgres:\/\/profiles:[^@]+@postgres:5432\/profiles$/);
    expect(resolved.services.worker.environment).toEqual(resolved.services.api.environment);
  });
});
