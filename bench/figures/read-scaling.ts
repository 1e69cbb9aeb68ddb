import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { createApp } from '../../src/api/app';
import { loadConfig } from '../../src/config';
import { setLogLevel } from '../../src/log';
import { connectDatabase } from '../../src/db/connect';
import { migrateToLatest } from '../../src/db/migrate';
import { createReviewer } from '../../src/db/principals';
import { codecKeysOf } from '../../src/temporal/codec-keys';
import { EncryptionCodec } from '../../src/temporal/payload-codec';
import { createTestDatabase } from '../../test/support/database';
import { pairedFigure, type Figures } from '../support/report';
import { accountWithOrganizations, seedDomains, seedOrganizations } from '../support/seed';
import { median } from '../support/stats';

/**
 * `list_orgs_ratio_10k` and `review_queue_ratio_10k` (issue 9): the latency of an account's organization
 * list and of the reviewers' queue (first page) in a database holding `organizations` organizations (all
 * under review) and `domains` domains, against the same requests on a database holding only the
 * measured account's 10. Both databases are served by the same API code in this process over loopback
 * HTTP; requests alternate between the two. Seeded rows are clones of rows the service wrote itself.
 * Ratio = large ÷ small median latency; goal ≤ 1.2.
 */
export async function readScaling(options: { organizations: number; domains: number; requests: number; repetitions: number }): Promise<Figures> {
  // The API runs in this process: its request log would be written (and paid for) on every measured request.
  setLogLevel('ERROR');
  const small = await servedDatabase(0, 0);
  const large = await servedDatabase(options.organizations, options.domains);
  try {
    const queries = {
      list_orgs_ratio_10k: (side: Served) => side.get('/v1/organizations?limit=20', side.customerKey),
      review_queue_ratio_10k: (side: Served) => side.get('/v1/reviews?limit=20', side.reviewerKey),
    };
    const figures: Figures = {};
    for (const [name, query] of Object.entries(queries)) {
      for (let i = 0; i < 20; i++) await Promise.all([query(small), query(large)]); // warm-up: plans, caches
      const runs: Array<{ value: number; baseline: number }> = [];
      for (let r = 0; r < options.repetitions; r++) {
        const smallMs: number[] = [];
        const largeMs: number[] = [];
        for (let i = 0; i < options.requests; i++) {
          smallMs.push(await query(small));
          largeMs.push(await query(large));
        }
        runs.push({ value: median(largeMs), baseline: median(smallMs) });
        console.log(`  ${name} #${r + 1}: ${median(largeMs).toFixed(2)} ms at ${options.organizations} organizations, ${median(smallMs).toFixed(2)} ms at 10`);
      }
      const figure = pairedFigure(runs, 'ms', false, '≤ 1.2× the latency at 10 organizations');
      figures[name] = figure;
    }
    return figures;
  } finally {
    await Promise.all([small.stop(), large.stop()]);
  }
}

interface Served {
  customerKey: string;
  reviewerKey: string;
  /** Milliseconds the request took; throws unless 200. */
  get(path: string, key: string): Promise<number>;
  stop(): Promise<void>;
}

async function servedDatabase(organizations: number, domains: number): Promise<Served> {
  const database = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: database.url, DCV_PERSPECTIVES: 'primary=127.0.0.1:1' });
  const db = await connectDatabase({ databaseUrl: database.url, dataDir: config.dataDir });
  await migrateToLatest(db);
  const measured = await accountWithOrganizations(db, config, 10);
  const reviewer = await createReviewer(db, 'Bench reviewer');
  if (organizations > 10) {
    const accounts = Math.ceil((organizations - 10) / 10);
    await seedOrganizations(db, measured.accountId, accounts);
    if (domains > 0) await seedDomains(db, { namePattern: 'Seed %' }, measured.administratorId, Math.ceil(domains / accounts));
  }
  await sql`analyze`.execute(db);

  const secretKey = randomBytes(32);
  const unused = new Proxy({}, { get: () => () => Promise.reject(new Error('reads start no workflows')) });
  const app = createApp({
    db,
    workflows: unused as never,
    domains: unused as never,
    webhooks: unused as never,
    timings: config.timings,
    dcv: config.dcv,
    notify: config.notify,
    secretKey,
    codec: new EncryptionCodec(codecKeysOf(config.temporal.codecKeys, secretKey)),
    uiOrigins: config.temporal.uiOrigins,
    createConcurrency: config.createConcurrency,
    ready: async () => ({ database: true, temporal: true }),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    customerKey: measured.apiKey,
    reviewerKey: reviewer.apiKey,
    async get(path, key) {
      const started = performance.now();
      const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
      return performance.now() - started;
    },
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      await db.destroy();
      await database.drop();
    },
  };
}
