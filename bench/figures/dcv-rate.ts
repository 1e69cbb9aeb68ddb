import { type ChildProcess, spawn } from 'node:child_process';
import { administratorApproval, organizationApproval } from '../../test/support/review-records';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { createPerspectiveActivities } from '../../activities/perspective';
import { startWorkflowsOf } from '../../src/app/start-workflows';
import { type Config, loadConfig } from '../../src/config';
import { createDomain } from '../../src/db/domain-store';
import type { DomainRow } from '../../src/db/schema';
import { dnsRecordName } from '../../src/dcv/instructions';
import { domainWorkflows } from '../../src/temporal/domain-client';
import { PRIORITY } from '../../src/temporal/priority';
import { ACCOUNT_ID, DOMAIN_NAME, ENTITY_KIND, ENTITY_STATUS, NEEDS_ATTENTION } from '../../src/temporal/search-attributes';
import type { CheckRequest } from '../../workflows/domain-messages';
import { startDcvLab, type DcvLab } from '../../test/support/dcv-lab';
import type { FloorInput } from '../floor/workflows';
import { type Figures, pairedFigure, round } from '../support/report';
import { organizationBody, startStack, type Stack } from '../support/stack';
import { pool } from '../support/stats';

/** Three perspectives on two BIND9 servers (lab A holds example.com for two of them, lab B for the third). */
const PERSPECTIVES = 'east=A;west=B;north=A';
/** The domain workflow's first wait before its first check; the dev server fires no timer much sooner. */
const FIRST_WAIT = '1s';
const FIRST_WAIT_MS = 1000;
/** Starts in flight at once: what two API processes starting the workflows of creates would have. */
const START_CONCURRENCY = 8;
const START_CHUNK = 25;
/** DNS checks in flight at once for the ceiling: each perspective worker's default activity slots. */
const RAW_CONCURRENCY = 100;

/**
 * `dcv_rate` and `dcv_raw_dns` (issue 9 item 3): manual-DNS domains validated per second with three
 * perspectives and the records present, on the production shape (bench/support/stack.ts) with BIND9 as
 * the perspectives' DNS.
 *
 * Each repetition adds `domains` pending domains to the database with the project's own `createDomain`,
 * writes their `_dnsauth` TXT records into both BIND9 servers, and then runs, in alternating order:
 * - value: starts their workflows with the service's own start step (`startWorkflowsOf`), as a create
 *   does, and waits until every row is validated;
 * - baseline, the Temporal floor: as many `dcvFloorWorkflow`s (bench/floor/workflows.ts), started with
 *   the same options, on a worker of the same shape (bench/floor/worker.ts) whose activities do nothing:
 *   the same first wait, the first perspective, then the other two in parallel;
 * - dcv_raw_dns, the ceiling: the same DNS checks (each perspective's `checkDomain`, TXT and CAA) made
 *   from this process with the project's own code, RAW_CONCURRENCY at once.
 * Rates count from the first start to the last validated (or completed) workflow, less the first wait,
 * which is idle by design in both. ratio = baseline ÷ value.
 */
export async function dcvRate(options: { repetitions: number; domains: number; warmup: number }): Promise<Figures> {
  const lab = await startDcvLab();
  let stack: Stack | undefined;
  let floor: ChildProcess | undefined;
  try {
    stack = await startStack({
      apis: 1,
      env: lab.env(PERSPECTIVES, { DCV_RETRY_SCHEDULE: FIRST_WAIT, RECONCILE_INTERVAL: '1h' }),
    });
    const config = loadConfig(stack.service.env);
    const floorQueue = `${stack.service.taskQueue}-floor`;
    floor = await startFloorWorker({ ...stack.service.env, TEMPORAL_TASK_QUEUE: floorQueue });
    const run = runner(stack, lab, config, floorQueue);

    await run.round(options.warmup, 0, 'warm-up');
    const runs: Array<{ value: number; baseline: number; raw: number }> = [];
    for (let r = 1; r <= options.repetitions; r++) runs.push(await run.round(options.domains, r));
    return {
      dcv_rate: pairedFigure(
        runs.map(({ value, baseline }) => ({ value, baseline })),
        'validated/s',
        true,
        '≥ 70/s and ≤ 1.5× the Temporal floor (baseline)',
      ),
      // The ceiling: its baseline is dcv_rate, its ratio how many times faster the DNS work alone goes.
      dcv_raw_dns: pairedFigure(
        runs.map(({ raw, value }) => ({ value: raw, baseline: value })),
        'checked/s',
        false,
        'ceiling of dcv_rate (baseline)',
      ),
    };
  } finally {
    floor?.kill('SIGKILL');
    await stack?.stop();
    await lab.stop();
  }
}

function runner(stack: Stack, lab: DcvLab, config: Config, floorQueue: string) {
  const { service } = stack;
  // A start waits up to a minute, as in the other figures: on a slow machine the dev server can take longer than a request's deadline.
  const domains = domainWorkflows(service.client, service.taskQueue, config.dcv, undefined, 60_000);
  const perspectives = config.dcv.perspectives.map((perspective) => createPerspectiveActivities({ ...config.dcv, perspective }));

  /** `count` pending manual-DNS domains of a new account, their records in both BIND9 servers. */
  async function pendingDomains(count: number, label: string): Promise<DomainRow[]> {
    const customer = await service.customer(`Bench ${label}`);
    const reviewer = await service.reviewer(`Bench ${label}`);
    const organization = (await customer.request('POST', '/v1/organizations', organizationBody(0, true))).body;
    const administratorId: string = organization.administrators[0].id;
    await reviewer.request('POST', `/v1/reviews/organizations/${organization.id}/decision`, organizationApproval());
    const approved = await reviewer.request(
      'POST',
      `/v1/reviews/administrators/${administratorId}/decision`,
      administratorApproval({ email: 'admin0@acme.cn' }),
    );
    if (approved.body?.status !== 'approved') throw new Error(`the administrator was not approved: ${JSON.stringify(approved.body)}`);
    const tag = randomBytes(3).toString('hex');
    const rows = await service.db.transaction().execute(async (trx) => {
      const created: DomainRow[] = [];
      for (let i = 0; i < count; i++) {
        created.push(
          await createDomain(trx, {
            accountId: customer.id,
            administratorId,
            name: `v${tag}-${i}.example.com`,
            method: 'dns_txt',
            dnsProviderId: null,
            actor: { kind: 'customer', id: customer.id },
            dcv: config.dcv,
          }),
        );
      }
      return created;
    });
    const records = rows.map((row) => ({ name: dnsRecordName(row.name), type: 'TXT', data: `"${row.random_value}"` }));
    await Promise.all([lab.a.addRecords(records), lab.b.addRecords(records)]);
    return rows;
  }

  /** The service validating `rows`: validated per second. */
  async function value(rows: DomainRow[]): Promise<number> {
    const started = Date.now();
    await pool(chunks(rows, START_CHUNK), START_CONCURRENCY, async (chunk) => {
      const { failures } = await startWorkflowsOf(service.db, { profiles: undefined as never, domains }, { domains: chunk });
      if (failures.length) throw failures[0];
    });
    const ids = rows.map((row) => row.id);
    const last = await until(async () => {
      const done = await service.db
        .selectFrom('domains')
        .select((eb) => [
          eb.fn.countAll<string>().as('n'),
          eb.fn.max('validated_at').as('last'),
          eb.fn.countAll<string>().filterWhere('status', '=', 'failed').as('failed'),
        ])
        .where('id', 'in', ids)
        .where('status', 'in', ['validated', 'failed'])
        .executeTakeFirstOrThrow();
      if (Number(done.failed) > 0) throw new Error(`${done.failed} domains failed validation: the records should all be present`);
      return Number(done.n) === rows.length ? new Date(done.last as Date).getTime() : undefined;
    });
    return rows.length / ((last - started - FIRST_WAIT_MS) / 1000);
  }

  /** The Temporal floor for as many validations: completed per second. */
  async function baseline(rows: DomainRow[]): Promise<number> {
    const tag = randomUUID();
    const started = Date.now();
    await pool(chunks(rows, START_CHUNK), START_CONCURRENCY, (chunk) =>
      Promise.all(
        chunk.map((row) => {
          const input: FloorInput = { perspectives: config.dcv.perspectives.map((p) => p.name), firstWaitMs: FIRST_WAIT_MS, request: requestOf(row) };
          return service.client.workflow.start('dcvFloorWorkflow', {
            workflowId: `floor:${tag}:${row.id}`,
            taskQueue: floorQueue,
            args: [input],
            workflowIdConflictPolicy: 'USE_EXISTING',
            priority: PRIORITY.bulk,
            typedSearchAttributes: [
              { key: ACCOUNT_ID, value: row.account_id },
              { key: ENTITY_KIND, value: 'domain' },
              { key: ENTITY_STATUS, value: row.status },
              { key: DOMAIN_NAME, value: row.name },
              { key: NEEDS_ATTENTION, value: row.needs_attention },
            ],
            staticSummary: `Domain ${row.name} (${row.method})`,
          });
        }),
      ),
    );
    const query = `TaskQueue = '${floorQueue}' AND WorkflowId STARTS_WITH 'floor:${tag}:' AND ExecutionStatus = 'Completed'`;
    await until(async () => ((await service.client.workflow.count(query)).count === rows.length ? true : undefined));
    let last = 0;
    for await (const execution of service.client.workflow.list({ query })) last = Math.max(last, execution.closeTime?.getTime() ?? 0);
    return rows.length / ((last - started - FIRST_WAIT_MS) / 1000);
  }

  /** The same DNS checks made directly: each domain from every perspective, TXT and CAA. Checked per second. */
  async function raw(rows: DomainRow[]): Promise<number> {
    const started = Date.now();
    const passed = await pool(rows, RAW_CONCURRENCY, async (row) => {
      const answers = await Promise.all(perspectives.map((p) => p.checkDomain(requestOf(row))));
      return answers.every((pair) => pair.every((result) => result.passed));
    });
    const elapsed = (Date.now() - started) / 1000;
    if (passed.includes(false)) throw new Error('a direct DNS check did not pass: the records should all be present');
    return rows.length / elapsed;
  }

  return {
    /** One repetition: value and baseline in alternating order, then the ceiling. */
    async round(count: number, repetition: number, label = `#${repetition}`): Promise<{ value: number; baseline: number; raw: number }> {
      const rows = await pendingDomains(count, label);
      let measured: number;
      let floorRate: number;
      if (repetition % 2 === 1) {
        measured = await value(rows);
        floorRate = await baseline(rows);
      } else {
        floorRate = await baseline(rows);
        measured = await value(rows);
      }
      const direct = await raw(rows);
      const result = { value: round(measured), baseline: round(floorRate), raw: round(direct) };
      console.log(`  dcv_rate ${label} (${count} domains): ${JSON.stringify(result)}`);
      return result;
    },
  };
}

function requestOf(row: DomainRow): CheckRequest {
  return { method: row.method, name: row.name, randomValue: row.random_value, delegationTarget: '', delegationLabel: row.delegation_label };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Polls `check` every 100 ms until it gives a value; gives up after 10 minutes. */
async function until<T>(check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error('timed out waiting for the run to finish');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function startFloorWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'floor', 'worker.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (output.includes('floor worker ready')) resolve();
    });
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`the floor worker exited (${code}):\n${output}`)));
  });
  return child;
}
