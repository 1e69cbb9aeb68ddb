import { getServers } from 'node:dns';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { apiListenHost, DEFAULT_DATA_DIR, defaultCreateConcurrency, loadConfig, parsePerspectives, withEmbeddedDefaults } from '../../src/config';

describe('loadConfig', () => {
  test('production defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.logLevel).toBe('INFO');
    // Metrics endpoints are off until configured (docker-compose.yml turns them on).
    expect(config.metrics).toEqual({ listen: undefined, temporalListen: undefined });
    expect(config.dcv.maxScans).toBe(5);
    expect(config.dcv.randomValueLifetime.ms).toBe(30 * 86_400_000);
    expect(config.dcv.retrySchedule.map((d) => d.ms)).toEqual([60_000, 300_000, 900_000, 3_600_000, 21_600_000]);
    expect(config.temporal.tls).toBe(false);
    expect(config.dcv.addressAllowance).toEqual({}); // the address guard refuses every non-public address
  });

  test('METRICS_LISTEN and TEMPORAL_METRICS_LISTEN are address:port', () => {
    expect(loadConfig({ METRICS_LISTEN: ':9464', TEMPORAL_METRICS_LISTEN: '127.0.0.1:9465' }).metrics).toEqual({
      listen: { host: '0.0.0.0', port: 9464 },
      temporalListen: { host: '127.0.0.1', port: 9465 },
    });
    expect(() => loadConfig({ METRICS_LISTEN: '9464' })).toThrow('METRICS_LISTEN: "9464" is not address:port');
  });

  test('LOG_LEVEL is one of the SDK levels, in any case', () => {
    expect(loadConfig({ LOG_LEVEL: 'info' }).logLevel).toBe('INFO');
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow('LOG_LEVEL: "verbose" is not one of TRACE, DEBUG, INFO, WARN, ERROR');
  });

  test('each bad value names its variable', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/^PORT:/);
    for (const bad of ['not-a-url', 'localhost:5432/profiles', 'mysql://cps:s3cret@db/profiles']) {
      expect(() => loadConfig({ DATABASE_URL: bad })).toThrow(/^DATABASE_URL: not a postgres:\/\/ URL/);
      expect(() => loadConfig({ DATABASE_URL: bad })).not.toThrow(/s3cret/); // the value may hold a password
    }
    expect(loadConfig({ DATABASE_URL: 'postgresql://cps:s3cret@db:5432/profiles' }).databaseUrl).toBe('postgresql://cps:s3cret@db:5432/profiles');
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
    expect(() => loadConfig({ PORT: '0' })).toThrow(/^PORT: "0" is not a port number/); // any free port: no address to give anyone
    expect(loadConfig({ PORT: '' }).port).toBe(3000); // empty as unset, not port 0
    for (const bad of ['0s', '1bd', 'soon']) expect(() => loadConfig({ RECONCILE_INTERVAL: bad })).toThrow(/^RECONCILE_INTERVAL:/);
    expect(loadConfig({ RECONCILE_INTERVAL: '2s' }).reconcileInterval.ms).toBe(2000);
    expect(loadConfig({}).idempotencyKeyRetention.ms).toBe(30 * 86_400_000);
    for (const bad of ['0s', '5bd', '23h']) expect(() => loadConfig({ IDEMPOTENCY_KEY_RETENTION: bad })).toThrow(/^IDEMPOTENCY_KEY_RETENTION:/);
    expect(loadConfig({ IDEMPOTENCY_KEY_RETENTION: '24h' }).idempotencyKeyRetention.ms).toBe(86_400_000);
    expect(loadConfig({}).createYieldMaxMs).toBe(1000);
    expect(loadConfig({ CREATE_YIELD_MAX: '' }).createYieldMaxMs).toBe(1000);
    for (const off of ['0', '0s', '0ms']) expect(loadConfig({ CREATE_YIELD_MAX: off }).createYieldMaxMs).toBe(0);
    expect(loadConfig({ CREATE_YIELD_MAX: '250ms' }).createYieldMaxMs).toBe(250);
    for (const bad of ['-1s', '1bd', '2m', 'soon']) expect(() => loadConfig({ CREATE_YIELD_MAX: bad })).toThrow(/^CREATE_YIELD_MAX:/);
    expect(() => loadConfig({ DCV_MAX_SCANS: '0' })).toThrow(/^DCV_MAX_SCANS:/);
    expect(() => loadConfig({ DCV_MAX_SCANS: 'many' })).toThrow(/^DCV_MAX_SCANS:/);
    expect(() => loadConfig({ REVIEW_SLA: 'soon' })).toThrow(/^REVIEW_SLA:/);
    expect(() => loadConfig({ DCV_RETRY_SCHEDULE: '1m,later' })).toThrow(/^DCV_RETRY_SCHEDULE:/);
    expect(() => loadConfig({ RANDOM_VALUE_LIFETIME: '31d' })).toThrow(/^RANDOM_VALUE_LIFETIME: "31d" must be more than 0 and at most 30d/);
    expect(() => loadConfig({ RANDOM_VALUE_LIFETIME: '5bd' })).toThrow(/^RANDOM_VALUE_LIFETIME:/);
    expect(() => loadConfig({ RANDOM_VALUE_LIFETIME: '0s' })).toThrow(/^RANDOM_VALUE_LIFETIME:/);
    expect(loadConfig({ RANDOM_VALUE_LIFETIME: '2s' }).dcv.randomValueLifetime.ms).toBe(2000);
    expect(() => loadConfig({ SECRET_KEY: 'c2hvcnQ=' })).toThrow(/^SECRET_KEY:/);
    expect(() => loadConfig({ DCV_ALLOW_PRIVATE_ADDRESSES: 'yes' })).toThrow(/^DCV_ALLOW_PRIVATE_ADDRESSES: "yes" is not true, false or a CIDR/);
    expect(() => loadConfig({ DCV_DELEGATION_SERVER: '127.0.0.1:53', DCV_DELEGATION_TSIG: 'key:hmac-md5:c2VjcmV0' })).toThrow(/^DCV_DELEGATION_TSIG:/);
    for (const proxy of ['garbage!', '10.0.0.0/33', '1.2.3.4,oops']) expect(() => loadConfig({ TRUST_PROXY: proxy })).toThrow(/^TRUST_PROXY:/);
    for (const proxy of ['1', '10.0.0.0/8, 192.168.1.1', 'loopback,::1', '10.0.0.0/255.0.0.0']) expect(() => loadConfig({ TRUST_PROXY: proxy })).not.toThrow();
    for (const bad of ['0x50', '8e3', '80.0', ' 0 ']) expect(() => loadConfig({ PORT: bad })).toThrow(/^PORT: ".*" is not a port number \(1–65535\)$/);
    expect(loadConfig({ PORT: ' 8080 ' }).port).toBe(8080);
    for (const zone of ['garbage!', '-1', 'zone', 'a..b']) expect(() => loadConfig({ DCV_DELEGATION_ZONE: zone })).toThrow(/^DCV_DELEGATION_ZONE:/);
    const tsig = 'dcv-key:hmac-sha256:c2VjcmV0LXRzaWcta2V5';
    for (const server of ['garbage value!', 'ns.example.com:abc', 'ns.example.com:70000', '10.0.0.1:53:1'])
      expect(() => loadConfig({ DCV_DELEGATION_SERVER: server, DCV_DELEGATION_TSIG: tsig })).toThrow(/^DCV_DELEGATION_SERVER:/);
    expect(() => loadConfig({ DCV_DELEGATION_SERVER: 'ns.example.com', DCV_DELEGATION_TSIG: 'dcv-key:hmac-sha256:!!!' })).toThrow(/^DCV_DELEGATION_TSIG:/);
    expect(loadConfig({ DCV_DELEGATION_SERVER: 'NS.example.com:5353', DCV_DELEGATION_TSIG: tsig }).dcv.delegationServer).toMatchObject({ port: 5353 });
    // One label (a compose service, localhost) and a bracketed IPv6 address, as the OS resolver and the socket take them.
    for (const [server, host, port] of [
      ['bind:53', 'bind', 53],
      ['localhost', 'localhost', 53],
      ['[::1]:5353', '::1', 5353],
    ] as const)
      expect(loadConfig({ DCV_DELEGATION_SERVER: server, DCV_DELEGATION_TSIG: tsig }).dcv.delegationServer).toMatchObject({ server: host, port });
  });

  test('SMTP_URL is an smtp:// or smtps:// URL, REVIEWER_EMAILS addresses; a mistake is told at start, without the password', () => {
    expect(loadConfig({ SMTP_URL: 'smtps://user:pa55@mail.example.com:465' }).notify.email.smtpUrl).toBe('smtps://user:pa55@mail.example.com:465');
    for (const bad of ['mail.example.com:587', 'http://mail.example.com/', 'smtp://', 'smtp://user:pa55@/']) {
      expect(() => loadConfig({ SMTP_URL: bad })).toThrow(/^SMTP_URL: .* is not an smtp:\/\/ or smtps:\/\/ URL/);
      try {
        loadConfig({ SMTP_URL: bad });
      } catch (error) {
        expect((error as Error).message).not.toContain('pa55');
      }
    }
    expect(loadConfig({ REVIEWER_EMAILS: 'desk@ca.example, lead@ca.example' }).notify.email.reviewerEmails).toEqual(['desk@ca.example', 'lead@ca.example']);
    for (const bad of ['desk', 'desk@ca.example;lead@ca.example', 'Desk <desk@ca.example>', '@ca.example']) {
      expect(() => loadConfig({ REVIEWER_EMAILS: bad })).toThrow(/^REVIEWER_EMAILS: .* is not an email address/);
    }
    for (const good of ['Certificate desk <desk@ca.example>', '"CA, Inc." <desk@ca.example>', 'desk@ca.example']) {
      expect(loadConfig({ EMAIL_FROM: good }).notify.email.from).toBe(good);
    }
    for (const bad of ['desk', 'Desk <desk>', 'a@ca.example, b@ca.example', 'Desk <desk@ca.example>\r\nBcc: all@ca.example', 'Team: a@ca.example;']) {
      expect(() => loadConfig({ EMAIL_FROM: bad })).toThrow(/^EMAIL_FROM: .* is not one sender address/);
    }
  });

  test("the notifier's intervals and the webhook timeout are clock times above 0 (a timeout of 5 minutes at most); none is silently replaced", () => {
    expect(loadConfig({ WEBHOOK_TIMEOUT: '30s', WEBHOOK_DISPATCH_INTERVAL: '500ms' }).notify.webhooks.timeout.ms).toBe(30_000);
    for (const [name, bad] of [
      ['WEBHOOK_TIMEOUT', '0s'],
      ['WEBHOOK_TIMEOUT', '1bd'],
      ['WEBHOOK_TIMEOUT', '1h'],
      ['WEBHOOK_DISPATCH_INTERVAL', '0ms'],
      ['WEBHOOK_DISPATCH_INTERVAL', '2bd'],
      ['NOTICE_INTERVAL', '0s'],
      ['EMAIL_RETRY_INTERVAL', '1bd'],
    ]) {
      expect(() => loadConfig({ [name]: bad })).toThrow(new RegExp(`^${name}: "${bad}" must be`));
    }
  });

  test("every duration needs its unit, is more than 0 and at most ten years (a timer's at most 24 days); empty is the default", () => {
    const settings = [
      'REVIEW_SLA',
      'REVIEW_REMINDER_INTERVAL',
      'EXPIRING_WINDOW',
      'DCV_REVALIDATE_BEFORE',
      'TEMPORAL_NAMESPACE_RETENTION',
      'RECONCILE_INTERVAL',
      'NOTICE_INTERVAL',
      'EMAIL_RETRY_INTERVAL',
      'CONSOLE_SESSION_IDLE',
      'CONSOLE_INVITATION_LIFETIME',
      'LOGIN_FAILURE_WINDOW',
      'REVIEW_CLAIM_TTL',
    ];
    for (const name of settings) {
      // 4 meant as hours would be 4 ms; 0 would loop or expire at once; 99999999999999d leaves what a date holds.
      expect(() => loadConfig({ [name]: '4' })).toThrow(new RegExp(`^${name}: "4" needs a unit: 4ms, 4s, 4m, 4h or 4d$`));
      expect(() => loadConfig({ [name]: '0s' })).toThrow(new RegExp(`^${name}: "0s" must be more than 0$`));
      expect(() => loadConfig({ [name]: '99999999999999d' })).toThrow(new RegExp(`^${name}: "99999999999999d" must be at most \\d+d$`));
      expect(() => loadConfig({ [name]: '' })).not.toThrow();
    }
    for (const name of ['DCV_RETRY_SCHEDULE', 'WEBHOOK_RETRY_SCHEDULE', 'EXPIRY_NOTICES']) {
      expect(() => loadConfig({ [name]: '1m,0s' })).toThrow(new RegExp(`^${name}: "0s" must be more than 0$`));
      expect(() => loadConfig({ [name]: '5,10' })).toThrow(new RegExp(`^${name}: "5" needs a unit`));
    }
    // Node's timers hold about 24.8 days; a longer wait would fire after 1 ms, again and again.
    for (const name of ['RECONCILE_INTERVAL', 'NOTICE_INTERVAL', 'WEBHOOK_DISPATCH_INTERVAL', 'EMAIL_RETRY_INTERVAL']) {
      expect(() => loadConfig({ [name]: '30d' })).toThrow(new RegExp(`^${name}: "30d" must be at most 24d$`));
      expect(() => loadConfig({ [name]: '24d' })).not.toThrow();
    }
    // 0 where it means something: no interval between pre-checks; a rotated-out secret that stops at once (at most 7 days, as the API's).
    expect(loadConfig({ DCV_PRECHECK_INTERVAL: '0s' }).dcv.precheckInterval).toEqual({ ms: 0 });
    expect(loadConfig({ WEBHOOK_SECRET_OVERLAP: '0' }).notify.webhooks.secretOverlap).toEqual({ ms: 0 });
    expect(() => loadConfig({ WEBHOOK_SECRET_OVERLAP: '8d' })).toThrow(/^WEBHOOK_SECRET_OVERLAP: "8d" must be at most 7d$/);
    expect(loadConfig({ REVIEW_SLA: '' }).timings.reviewSla).toEqual({ businessDays: 1 });
    expect(loadConfig({ REVIEW_SLA: ' 2bd ' }).timings.reviewSla).toEqual({ businessDays: 2 });
  });

  test('every whole number is decimal digits within its range: a budget in bytes or 1e12 slots is refused, not a crash at start', () => {
    for (const [name, bad] of [
      ['WORKER_MEMORY_BUDGET', '1073741824'],
      ['WORKER_MAX_CACHED_WORKFLOWS', '1e12'],
      ['WORKER_ACTIVITY_TASK_SLOTS', '1e12'],
      ['WORKER_WORKFLOW_TASK_SLOTS', '0x10'],
      ['CREATE_CONCURRENCY', '4.5'],
      ['EMAIL_MAX_ATTEMPTS', '0'],
      ['LOGIN_MAX_FAILURES', '-3'],
      ['DCV_MAX_SCANS', ' 1e3 '],
    ]) {
      expect(() => loadConfig({ [name]: bad })).toThrow(new RegExp(`^${name}: ".*" is not a whole number from 1 to \\d+$`));
    }
    expect(loadConfig({ WORKER_MEMORY_BUDGET: '2048', CREATE_CONCURRENCY: ' 8 ' })).toMatchObject({ worker: { memoryBudgetMiB: 2048 }, createConcurrency: 8 });
  });

  test("CREATE_CONCURRENCY defaults to the process's CPUs from 2 to 4, also when compose passes it empty", () => {
    expect([1, 2, 3, 4, 8, 64].map((cpus) => defaultCreateConcurrency(cpus))).toEqual([2, 2, 3, 4, 4, 4]);
    expect(loadConfig({}).createConcurrency).toBe(defaultCreateConcurrency(os.availableParallelism()));
    expect(loadConfig({ CREATE_CONCURRENCY: '' }).createConcurrency).toBe(loadConfig({}).createConcurrency);
    expect(loadConfig({ CREATE_CONCURRENCY: '16' }).createConcurrency).toBe(16);
  });

  test('DCV_RETRY_SCHEDULE is a comma-separated list of durations', () => {
    expect(loadConfig({ DCV_RETRY_SCHEDULE: '1s, 2s,5s' }).dcv.retrySchedule.map((d) => d.ms)).toEqual([1000, 2000, 5000]);
  });

  test('DCV_DNS_LISTEN: address:port, every interface with an empty address; npm start serves on 127.0.0.1:5353 unless told otherwise', () => {
    expect(loadConfig({}).dcv.dnsListen).toBeUndefined();
    expect(loadConfig({ DCV_DNS_LISTEN: ':53' }).dcv.dnsListen).toEqual({ host: '0.0.0.0', port: 53 });
    expect(loadConfig({ DCV_DNS_LISTEN: '[::]:53' }).dcv.dnsListen).toEqual({ host: '::', port: 53 });
    expect(loadConfig({ DCV_DNS_LISTEN: '127.0.0.2:5300' }).dcv.dnsListen).toEqual({ host: '127.0.0.2', port: 5300 });
    for (const bad of ['53', 'localhost:53', '127.0.0.1:99999', '127.0.0.1:'])
      expect(() => loadConfig({ DCV_DNS_LISTEN: bad })).toThrow(new RegExp(`^DCV_DNS_LISTEN: "${bad}"`));

    expect(withEmbeddedDefaults(loadConfig({})).dcv.dnsListen).toEqual({ host: '127.0.0.1', port: 5353 });
    expect(withEmbeddedDefaults(loadConfig({ DCV_DNS_LISTEN: ':5300' })).dcv.dnsListen).toEqual({ host: '0.0.0.0', port: 5300 });
    const external = { DCV_DELEGATION_SERVER: '192.0.2.53:53', DCV_DELEGATION_TSIG: 'k:hmac-sha256:c2VjcmV0' };
    expect(withEmbeddedDefaults(loadConfig(external)).dcv.dnsListen).toBeUndefined();
  });

  test('HOST: an IP address, checked where the API listens; unset, npm start keeps the API on loopback and npm run api on every interface', () => {
    expect(loadConfig({}).host).toBeUndefined();
    expect(loadConfig({ HOST: ' ' }).host).toBeUndefined();
    expect(withEmbeddedDefaults(loadConfig({})).host).toBe('127.0.0.1');
    for (const host of ['0.0.0.0', '::', '192.0.2.10', '::1', ' 127.0.0.3 ']) {
      expect(apiListenHost(loadConfig({ HOST: host }))).toBe(host.trim());
      expect(withEmbeddedDefaults(loadConfig({ HOST: host })).host).toBe(host.trim());
    }
    // tcsh exports the machine's name as HOST: only the API refuses it, the worker and the CLI do not read it.
    for (const bad of ['localhost', 'build-host', '127.0.0.1:3000', '*', '300.1.1.1', 'fe80::1%eth0']) {
      expect(() => apiListenHost(loadConfig({ HOST: bad }))).toThrow(new RegExp(`^HOST: "${bad.replace(/[.*]/g, '\\$&')}" is not an IP address`));
    }
  });

  test('TEMPORAL_TLS and CONSOLE_SECURE_COOKIES are true or false; anything else is refused naming the variable, never read as false', () => {
    expect(loadConfig({}).temporal.tls).toBe(false);
    expect(loadConfig({ TEMPORAL_TLS: 'true' }).temporal.tls).toBe(true);
    expect(loadConfig({ TEMPORAL_API_KEY: 'k' }).temporal.tls).toBe(true);
    expect(loadConfig({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }).temporal.tls).toBe(false);
    expect(loadConfig({ CONSOLE_PUBLIC_URL: 'https://console.example.com' }).console.secureCookies).toBe(true);
    expect(loadConfig({ CONSOLE_PUBLIC_URL: 'https://console.example.com', CONSOLE_SECURE_COOKIES: 'false' }).console.secureCookies).toBe(false);
    for (const name of ['TEMPORAL_TLS', 'CONSOLE_SECURE_COOKIES']) {
      for (const bad of ['1', 'yes', 'TRUE', 'on']) expect(() => loadConfig({ [name]: bad })).toThrow(`${name}: "${bad}" is not true or false`);
    }
  });

  test("the console's and the DCV file method's default public URLs are where this machine reaches the API (HOST, PORT)", () => {
    const urls = (env: NodeJS.ProcessEnv) => {
      const config = loadConfig(env);
      return [config.console.publicUrl, config.dcv.publicUrl];
    };
    expect(urls({})).toEqual(['http://127.0.0.1:3000', 'http://127.0.0.1:3000']);
    expect(urls({ HOST: '0.0.0.0', PORT: '8080' })).toEqual(['http://127.0.0.1:8080', 'http://127.0.0.1:8080']);
    expect(urls({ HOST: '::' })).toEqual(['http://127.0.0.1:3000', 'http://127.0.0.1:3000']);
    expect(urls({ HOST: '127.0.0.3' })).toEqual(['http://127.0.0.3:3000', 'http://127.0.0.3:3000']);
    expect(urls({ HOST: '::1' })).toEqual(['http://[::1]:3000', 'http://[::1]:3000']);
    expect(urls({ HOST: 'build-host' })).toEqual(['http://127.0.0.1:3000', 'http://127.0.0.1:3000']);
    expect(urls({ HOST: '::1', CONSOLE_PUBLIC_URL: 'https://console.example.com/', DCV_PUBLIC_URL: 'https://dcv.example.com' })).toEqual([
      'https://console.example.com',
      'https://dcv.example.com',
    ]);
  });

  test("DCV_DNS_NS names the zone's name server (default ns1.<zone>), DCV_DNS_NS_ADDRESS its address", () => {
    expect(loadConfig({ DCV_DELEGATION_ZONE: 'DCV.Example-CA.com.' }).dcv.nameServer).toEqual({ name: 'ns1.dcv.example-ca.com', address: undefined });
    expect(loadConfig({ DCV_DNS_NS: 'ns.example-ca.com.', DCV_DNS_NS_ADDRESS: '203.0.113.53' }).dcv.nameServer).toEqual({
      name: 'ns.example-ca.com',
      address: '203.0.113.53',
    });
    expect(() => loadConfig({ DCV_DNS_NS: 'not a name' })).toThrow(/^DCV_DNS_NS:/);
    expect(() => loadConfig({ DCV_DNS_NS_ADDRESS: 'ns.example-ca.com' })).toThrow(/^DCV_DNS_NS_ADDRESS:/);
  });

  test('SECRET_KEY_FILE names a file holding the key (a compose secret); unreadable, malformed or beside SECRET_KEY it is refused', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cps-secret-'));
    const key = Buffer.alloc(32, 7);
    writeFileSync(path.join(dir, 'secret_key'), `${key.toString('base64')}\n`);
    expect(loadConfig({ SECRET_KEY_FILE: path.join(dir, 'secret_key') }).secretKey).toEqual(key);
    expect(() => loadConfig({ SECRET_KEY_FILE: path.join(dir, 'absent') })).toThrow(`SECRET_KEY_FILE: cannot read ${path.join(dir, 'absent')} (ENOENT)`);
    writeFileSync(path.join(dir, 'short'), 'c2hvcnQ=');
    expect(() => loadConfig({ SECRET_KEY_FILE: path.join(dir, 'short') })).toThrow(/^SECRET_KEY_FILE \(.*short\): expected 32 bytes, base64-encoded/);
    expect(() => loadConfig({ SECRET_KEY: key.toString('base64'), SECRET_KEY_FILE: path.join(dir, 'secret_key') })).toThrow(
      'SECRET_KEY and SECRET_KEY_FILE are both set: keep one',
    );
    expect(loadConfig({}).secretKey).toBeUndefined();
  });

  test("DATA_DIR defaults to the project's data/ wherever the process starts (service and CLI alike); a given one is taken from the working directory", () => {
    expect(DEFAULT_DATA_DIR).toBe(path.resolve(__dirname, '..', '..', 'data'));
    expect(loadConfig({}).dataDir).toBe(DEFAULT_DATA_DIR);
    expect(loadConfig({ DATA_DIR: 'elsewhere' }).dataDir).toBe(path.resolve('elsewhere'));
  });

  test('perspectives: DCV_PERSPECTIVES; unset, the system resolvers as primary, or none when DCV_REMOTE_PERSPECTIVES names them', () => {
    expect(loadConfig({}).dcv.perspectives.map((p) => p.name)).toEqual(['primary']);
    const remote = loadConfig({ DCV_REMOTE_PERSPECTIVES: 'east, west,north' }).dcv;
    expect(remote.perspectives).toEqual([]);
    expect(remote.remotePerspectives).toEqual(['east', 'west', 'north']);
    const both = loadConfig({ DCV_PERSPECTIVES: 'east=127.0.0.1:53', DCV_REMOTE_PERSPECTIVES: 'west' }).dcv;
    expect([both.perspectives.map((p) => p.name), both.remotePerspectives]).toEqual([['east'], ['west']]);
  });

  test("DCV_RESOLVERS: the worker's own lookups; unset, the first local perspective's, or the system's when all run elsewhere", () => {
    expect(loadConfig({ DCV_PERSPECTIVES: 'east=127.0.0.1:5399,127.0.0.2;west=127.0.0.3' }).dcv.resolvers).toEqual(['127.0.0.1:5399', '127.0.0.2']);
    // The shape of docker-compose.yml: every perspective is remote, and the worker still resolves names.
    expect(loadConfig({ DCV_REMOTE_PERSPECTIVES: 'east,west,north' }).dcv.resolvers).toEqual(getServers());
    expect(loadConfig({ DCV_REMOTE_PERSPECTIVES: 'east', DCV_RESOLVERS: ' 10.0.0.53:53, [2001:db8::53]:53' }).dcv.resolvers).toEqual([
      '10.0.0.53:53',
      '[2001:db8::53]:53',
    ]);
    expect(() => loadConfig({ DCV_RESOLVERS: 'resolver.example' })).toThrow(/^DCV_RESOLVERS: "resolver.example" is not a list of resolver addresses/);
  });

  test('TEMPORAL_NAMESPACE_RETENTION: a duration, 30 days by default', () => {
    expect(loadConfig({}).temporal.namespaceRetention.ms).toBe(30 * 86_400_000);
    expect(loadConfig({ TEMPORAL_NAMESPACE_RETENTION: '72h' }).temporal.namespaceRetention.ms).toBe(72 * 3_600_000);
    expect(() => loadConfig({ TEMPORAL_NAMESPACE_RETENTION: 'forever' })).toThrow(/^TEMPORAL_NAMESPACE_RETENTION:/);
  });

  test('an API key implies TLS to Temporal', () => {
    expect(loadConfig({ TEMPORAL_API_KEY: 'k' }).temporal.tls).toBe(true);
  });
});

describe('parsePerspectives', () => {
  test('names and resolvers', () => {
    expect(parsePerspectives('east=127.0.0.1:5399,127.0.0.3:5399;west=127.0.0.2:5399')).toEqual([
      { name: 'east', resolvers: ['127.0.0.1:5399', '127.0.0.3:5399'] },
      { name: 'west', resolvers: ['127.0.0.2:5399'] },
    ]);
  });

  test('a malformed entry is refused', () => {
    expect(() => parsePerspectives('East Coast=1.1.1.1')).toThrow(/^DCV_PERSPECTIVES:/);
    expect(() => parsePerspectives('east')).toThrow(/^DCV_PERSPECTIVES:/);
    expect(() => parsePerspectives('east=bogus-resolver')).toThrow(/^DCV_PERSPECTIVES: "east=bogus-resolver" is not a list of resolver addresses/);
  });
});
