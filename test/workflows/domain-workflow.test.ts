import { randomBytes, randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { DomainActivities } from '../../activities/domains';
import type { PerspectiveActivities } from '../../activities/perspective';
import { attentionAfterCheck, evaluateCheck } from '../../src/dcv/check-outcome';
import type { CheckResult, ResultCode } from '../../src/dcv/result-codes';
import { workflowIdFor } from '../../src/temporal/ids';
import type { domainValidationWorkflow } from '../../workflows/domain';
import { clientForThisFile, inMs, sleep } from './support';
import {
  CUSTOMER_SIDE_WRITE_FAULT,
  DNS_WRITE_REFUSED,
  type CheckKind,
  type CheckOutcome,
  type CheckRequest,
  type DcvSettings,
  type DomainIdentity,
  type DomainState,
  type DomainStatus,
  type DomainWorkflowInput,
  perspectiveTaskQueue,
  precheckUpdate,
  removeDomainUpdate,
  revalidateUpdate,
  replanRenewalSignal,
  parentRemovedSignal,
} from '../../workflows/domain-messages';
import { organizationRenamedSignal } from '../../workflows/messages';

/**
 * The domain validation workflow alone, on a test worker with typed fake activities (no HTTP, no
 * database, no DNS) and fake perspectives on their own task queues: each rule in milliseconds to
 * seconds. Durations are inputs: the state's timestamps and the fake `dcvSettings` (retry schedule,
 * max scans, perspectives), which the workflow reads when it uses them.
 */
const client = clientForThisFile();
const customer = { kind: 'customer' as const, id: 'k1' };
/** The CA's delegation zone: the fault-side rules tell the CA's names from the customer's by it. */
const CA_ZONE = 'dcv.ca.example';
const HOUR = 3_600_000;
/**
 * The dev server fires no timer sooner than about a second after it was set (a 200 ms wait takes
 * ~1000 ms, a 1500 ms one ~1520 ms): waits whose length a test measures are 1 s or more.
 */
const TOLERANCE = 10;

async function waitFor(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Differences between consecutive times. */
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);

// --- Fake perspectives -------------------------------------------------------------------------

/** One perspective's answer: the method's check, then CAA (as activities/perspective.ts returns them). */
function answer(perspective: string, method: ResultCode, caa: ResultCode = 'passed', lookupError?: string): CheckResult[] {
  return [
    {
      perspective,
      code: method,
      passed: method === 'passed',
      expected: 'the random value',
      observed: [],
      detail: method,
      lookup: { name: '_dnsauth.example.com', ...(lookupError ? { error: lookupError } : {}) },
    },
    { perspective, code: caa, passed: caa === 'passed', expected: 'ca.example', observed: [], detail: `CAA ${caa}` },
  ];
}
/** The record is there (customer side done). */
const seen = (p: string) => answer(p, 'passed');
/** The customer has not published the record yet: customer side. */
const notFound = (p: string) => answer(p, 'record_not_found');
/** The customer's CAA forbids this CA: customer side. */
const caaForbids = (p: string) => answer(p, 'passed', 'caa_forbids');
/** The CA's own resolver could not be reached: CA side (src/dcv/fault-side.ts). */
const resolverDown = (p: string) => answer(p, 'dns_error', 'passed', 'ECONNREFUSED');

type Behaviour = (name: string, request: CheckRequest) => CheckResult[] | Promise<CheckResult[]>;

/** Fake `checkDomain` activities, one per perspective task queue, recording which queue each call reached. */
class FakePerspectives {
  readonly calls: Array<{ perspective: string; at: number; randomValue: string }> = [];
  constructor(private readonly behaviour: Record<string, Behaviour>) {}

  get names(): string[] {
    return Object.keys(this.behaviour);
  }

  activities(name: string): PerspectiveActivities {
    return {
      checkDomain: async (request) => {
        this.calls.push({ perspective: name, at: Date.now(), randomValue: request.randomValue });
        return this.behaviour[name](name, request);
      },
    };
  }

  of(name: string) {
    return this.calls.filter((c) => c.perspective === name);
  }
}

// --- Fake domain activities --------------------------------------------------------------------

/** The domain row as the fake database holds it. */
interface Row {
  status: DomainStatus;
  randomValue: string;
  randomValueExpiresAt: string;
  validUntil: string | null;
  revalidateAt: string | null;
  needsAttention: boolean;
}

/**
 * The domain activities over an in-memory row, keeping the contracts of activities/domains.ts: the
 * state returned (attempt and renewing from `previous`), quorum and fault sides from the real pure
 * rules, and completeScan failing the domain once a customer-side scan's `scansSoFar` reaches maxScans.
 */
class FakeDomain {
  readonly identity: DomainIdentity = {
    id: randomUUID(),
    accountId: 'acct',
    name: 'example.com',
    method: 'dns_cname',
    dnsProviderId: null,
    delegationLabel: 'lbl',
  };
  readonly row: Row;
  readonly calls: Array<{ name: string; at: number; args: unknown[] }> = [];
  readonly checks: Array<{ kind: CheckKind; outcome: CheckOutcome; at: number }> = [];
  readonly scans: Array<{ scansSoFar: number; faultSide: CheckOutcome['faultSide']; status: DomainStatus; at: number }> = [];
  private values = 1;

  constructor(
    readonly settings: () => DcvSettings,
    row: Partial<Row> = {},
    identity: Partial<DomainIdentity> = {},
  ) {
    Object.assign(this.identity, identity);
    this.row = {
      status: 'pending',
      randomValue: 'value-1',
      randomValueExpiresAt: inMs(HOUR),
      validUntil: null,
      revalidateAt: null,
      needsAttention: false,
      ...row,
    };
  }

  /** What `renewalTime` answers (DCV_REVALIDATE_BEFORE as configured now): the row's planned time unless a test changed the setting. */
  renewalAt: () => string | null = () => (this.row.status === 'validated' ? this.row.revalidateAt : null);

  state(previous?: Partial<DomainState>): DomainState {
    const { status, randomValueExpiresAt, validUntil, revalidateAt, needsAttention } = this.row;
    return { status, randomValueExpiresAt, validUntil, revalidateAt, attempt: previous?.attempt ?? 0, renewing: previous?.renewing ?? false, needsAttention };
  }

  callsOf(name: string) {
    return this.calls.filter((c) => c.name === name);
  }

  private log(name: string, ...args: unknown[]): void {
    this.calls.push({ name, at: Date.now(), args });
  }

  /** The check as activities/domains.ts records it: the real pure rules, attention for the workflow's own checks. */
  private record(kind: CheckKind, results: CheckResult[][], context?: { renewing: boolean }): CheckOutcome {
    const { outcome, fault } = evaluateCheck(kind, results, CA_ZONE);
    if (context && kind !== 'precheck') {
      this.row.needsAttention = attentionAfterCheck(outcome, fault, context, this.identity.method) !== null;
      outcome.needsAttention = this.row.needsAttention;
    }
    this.checks.push({ kind, outcome, at: Date.now() });
    return outcome;
  }

  /** completeScan's contract: validated, back to pending (a CA-side scan never fails it), or failed at maxScans. */
  private verdict(outcome: CheckOutcome, scansSoFar: number, previous: DomainState): DomainState {
    const row = this.row;
    let next: DomainState;
    if (outcome.passed) {
      Object.assign(row, { status: 'validated', validUntil: inMs(HOUR), revalidateAt: inMs(HOUR / 2), needsAttention: false });
      next = this.state();
    } else if (row.status === 'validated') {
      next = this.state(previous);
    } else if (outcome.faultSide === 'ca') {
      row.status = 'pending';
      next = this.state({ ...previous, attempt: previous.attempt + 1 });
    } else {
      row.status = scansSoFar >= this.settings().maxScans ? 'failed' : 'pending';
      next = this.state({ ...previous, attempt: previous.attempt + 1 });
    }
    this.scans.push({ scansSoFar, faultSide: outcome.faultSide, status: row.status, at: Date.now() });
    return next;
  }

  private request(id: string): CheckRequest {
    return {
      method: this.identity.method,
      name: this.identity.name,
      randomValue: this.row.randomValue,
      delegationTarget: `${id}.${CA_ZONE}`,
      delegationLabel: this.identity.delegationLabel,
    };
  }

  activities(): Partial<DomainActivities> {
    const row = this.row;
    return {
      dcvSettings: async () => {
        this.log('dcvSettings');
        return this.settings();
      },
      checkRequest: async (id) => {
        this.log('checkRequest', id);
        return this.request(id);
      },
      checkInput: async (id) => {
        this.log('checkInput', id);
        return { settings: this.settings(), request: this.request(id) };
      },
      renewalTime: async (id) => {
        this.log('renewalTime', id);
        return this.renewalAt();
      },
      publishRecord: async (_identity, previous) => {
        this.log('publishRecord', previous);
        return row.randomValue;
      },
      unpublishRecord: async (_identity, value) => this.log('unpublishRecord', value),
      reportRecordLeft: async (_identity, reason) => this.log('reportRecordLeft', reason),
      setAttention: async (_id, fault, previous) => {
        this.log('setAttention', fault);
        row.needsAttention = fault !== null;
        return this.state(previous);
      },
      failDomain: async (_id, reason, previous) => {
        this.log('failDomain', reason);
        if (row.status === 'pending') row.status = 'failed';
        return this.state(row.status === 'failed' ? undefined : previous);
      },
      recordCheck: async (_id, kind, results, context) => {
        this.log('recordCheck', kind);
        return this.record(kind, results, context);
      },
      beginScan: async (id) => {
        this.log('beginScan', id);
        if (row.status === 'pending') row.status = 'verifying';
        return this.state();
      },
      beginScanAfterRecheck: async (_id, results, previous) => {
        this.log('beginScanAfterRecheck');
        this.record('recheck', results, previous);
        if (previous.renewing) return this.state(previous);
        if (row.status === 'pending') row.status = 'verifying';
        return this.state();
      },
      completeScan: async (_id, outcome, scansSoFar, previous) => {
        this.log('completeScan', scansSoFar);
        return this.verdict(outcome, scansSoFar, previous);
      },
      finishScan: async (_id, results, scansSoFar, previous) => {
        this.log('finishScan', scansSoFar);
        const outcome = this.record('scan', results, previous);
        return { outcome, state: this.verdict(outcome, scansSoFar, previous) };
      },
      expireRandomValue: async () => {
        this.log('expireRandomValue');
        if (row.status === 'pending' && Date.now() >= Date.parse(row.randomValueExpiresAt)) row.status = 'failed';
        return this.state();
      },
      expireValidation: async (_id, previous) => {
        this.log('expireValidation');
        if (row.status !== 'validated' || !row.validUntil || Date.now() < Date.parse(row.validUntil)) return this.state(previous);
        row.status = 'expired';
        return this.state();
      },
      rotateRandomValue: async (_id, mode) => {
        this.log('rotateRandomValue', mode);
        Object.assign(row, { randomValue: `value-${++this.values}`, randomValueExpiresAt: inMs(HOUR) });
        if (mode === 'restart') Object.assign(row, { status: 'pending', needsAttention: false });
        return this.state({ attempt: 0, renewing: mode === 'renew' });
      },
      flagAttention: async (_id, _outcome, previous) => {
        this.log('flagAttention');
        row.needsAttention = true;
        return this.state(previous);
      },
      removeDomain: async (_identity, _actor, recordLeft) => this.log('removeDomain', recordLeft),
    };
  }
}

// --- Workers -------------------------------------------------------------------------------------

type Handle = WorkflowHandle<typeof domainValidationWorkflow>;

interface Env {
  taskQueue: string;
  start(input: Omit<DomainWorkflowInput, 'domain'>, options?: { workflowTaskTimeout?: number }): Promise<Handle>;
}

/**
 * Runs `test` with a worker on a fresh task queue with `activities` (the database side) and one worker
 * per fake perspective on perspectiveTaskQueue(<that queue>, name); `beforeWorkers` runs before they
 * poll (a workflow started then takes its first task with what was sent meanwhile). Workflows it
 * started are terminated after.
 */
async function withWorkers(
  fake: FakeDomain,
  perspectives: FakePerspectives,
  test: (env: Env) => Promise<void>,
  activities = fake.activities(),
  beforeWorkers?: (env: Env) => Promise<void>,
): Promise<void> {
  const taskQueue = `dom-${randomBytes(4).toString('hex')}`;
  const started: Handle[] = [];
  const env: Env = {
    taskQueue,
    async start(input, options) {
      const handle = await client().workflow.start<typeof domainValidationWorkflow>('domainValidationWorkflow', {
        taskQueue,
        workflowId: workflowIdFor('domain', fake.identity.id),
        args: [{ domain: fake.identity, ...input }],
        ...options,
      });
      started.push(handle);
      return handle;
    },
  };
  const terminateStarted = () =>
    Promise.all(
      started.map((h) =>
        client()
          .workflow.getHandle(h.workflowId)
          .terminate('test over')
          .catch(() => undefined),
      ),
    );
  const workerConnection = await NativeConnection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  try {
    await beforeWorkers?.(env);
    const workers = [
      await Worker.create({ connection: workerConnection, taskQueue, workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, activities }),
      ...(await Promise.all(
        perspectives.names.map((name) =>
          Worker.create({ connection: workerConnection, taskQueue: perspectiveTaskQueue(taskQueue, name), activities: perspectives.activities(name) }),
        ),
      )),
    ];
    const body = (async () => {
      try {
        await test(env);
      } finally {
        await terminateStarted();
      }
    })();
    await workers.reduce<Promise<void>>((until, worker) => worker.runUntil(until), body);
  } catch (error) {
    await terminateStarted();
    throw error;
  } finally {
    await workerConnection.close();
  }
}

/**
 * `fake`'s activities with each local activity slowed by `delays[name]` (ms, or a function giving each
 * call's), counting how many local activities run at once (`mostAtOnce`).
 */
function timedLocalActivities(fake: FakeDomain, delays: Record<string, number | (() => number)>) {
  const stats = { running: 0, mostAtOnce: 0 };
  const activities = Object.fromEntries(
    Object.entries(fake.activities()).map(([name, activity]) => [
      name,
      async (...args: unknown[]) => {
        if (!Context.current().info.isLocal) return (activity as (...a: unknown[]) => unknown)(...args);
        stats.mostAtOnce = Math.max(stats.mostAtOnce, ++stats.running);
        try {
          const delay = delays[name];
          await sleep(typeof delay === 'function' ? delay() : (delay ?? 0));
          return await (activity as (...a: unknown[]) => unknown)(...args);
        } finally {
          stats.running--;
        }
      },
    ]),
  );
  return { stats, activities };
}

/** Replays `handle`'s history as a worker does after losing the run from its cache: throws on nondeterminism. */
async function replays(handle: Handle): Promise<void> {
  await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! } }, await handle.fetchHistory(), handle.workflowId);
}

/** The workflow's loop is waiting (it has read the settings for its first wait). */
const loopStarted = (fake: FakeDomain) => waitFor('the first wait', () => fake.callsOf('dcvSettings').length > 0);

// --- Tests ----------------------------------------------------------------------------------------

test('1. while pending, rechecks run at the configured waits, the last one repeating', async () => {
  const fake = new FakeDomain(() => ({ perspectives: ['a', 'b'], retryScheduleMs: [1000, 3000], maxScans: 3 }));
  const perspectives = new FakePerspectives({ a: notFound, b: notFound });
  await withWorkers(fake, perspectives, async (env) => {
    await env.start({ state: fake.state() });
    await waitFor('three rechecks', () => perspectives.calls.length >= 3, 30_000);
  });
  // A recheck asks the first perspective only, and never starts a scan while the record is missing.
  expect(new Set(perspectives.calls.map((c) => c.perspective))).toEqual(new Set(['a']));
  expect(fake.checks.every((c) => c.kind === 'recheck' && !c.outcome.passed)).toBe(true);
  expect(fake.callsOf('beginScanAfterRecheck')).toHaveLength(0);
  // The record was published once, at the start, before the first wait.
  expect(fake.callsOf('publishRecord')).toHaveLength(1);
  // First wait: the schedule's first entry (attempt 0); then its last entry, again and again. Bounds are
  // midpoints between the entries, so a busy machine's slower timers do not blur them.
  const first = perspectives.calls[0].at - fake.callsOf('publishRecord')[0].at;
  expect(first).toBeGreaterThanOrEqual(1000 - TOLERANCE);
  expect(first).toBeLessThan(2000);
  const waits = gaps(perspectives.calls.slice(0, 3).map((c) => c.at));
  expect(waits).toHaveLength(2);
  for (const wait of waits) {
    expect(wait).toBeGreaterThanOrEqual(3000 - TOLERANCE);
    expect(wait).toBeLessThan(4500);
  }
});

test('2. a record that is seen but scans that fail on the customer side: failed after maxScans scans, then nothing more', async () => {
  const fake = new FakeDomain(() => ({ perspectives: ['a', 'b', 'c'], retryScheduleMs: [100], maxScans: 3 }));
  // The first perspective (the recheck) sees the record; the other two find a CAA record forbidding the CA.
  const perspectives = new FakePerspectives({ a: seen, b: caaForbids, c: caaForbids });
  await withWorkers(fake, perspectives, async (env) => {
    await env.start({ state: fake.state() });
    await waitFor('the domain failed', () => fake.row.status === 'failed');
    const calls = perspectives.calls.length;
    await sleep(1300); // past the next retry wait: a failed domain waits for a message only
    expect(perspectives.calls).toHaveLength(calls);
  });
  expect(fake.scans.map(({ scansSoFar, faultSide, status }) => ({ scansSoFar, faultSide, status }))).toEqual([
    { scansSoFar: 1, faultSide: 'customer', status: 'pending' },
    { scansSoFar: 2, faultSide: 'customer', status: 'pending' },
    { scansSoFar: 3, faultSide: 'customer', status: 'failed' },
  ]);
  expect(fake.checks.map((c) => c.kind)).toEqual(['recheck', 'scan', 'recheck', 'scan', 'recheck', 'scan']);
  expect(fake.callsOf('beginScanAfterRecheck')).toHaveLength(3);
  // Each recheck asked the first perspective, and its scan reused that answer: every perspective once per scan.
  expect(fake.checks.filter((c) => c.kind === 'scan').map((c) => c.outcome.results.map((r) => r.perspective))).toEqual(
    Array(3).fill(['a', 'a', 'b', 'b', 'c', 'c']),
  );
  expect(perspectives.of('a')).toHaveLength(3);
  expect(perspectives.of('b')).toHaveLength(3);
  expect(perspectives.of('c')).toHaveLength(3);
});

test('3. CA-side failures (a perspective that throws, a CA resolver down) never fail the domain nor count towards maxScans', async () => {
  const CA_OUTAGE_SCANS = 2;
  const fake = new FakeDomain(() => ({ perspectives: ['a', 'b', 'c'], retryScheduleMs: [100], maxScans: 2 }));
  const caOutage = () => fake.scans.length < CA_OUTAGE_SCANS;
  const perspectives = new FakePerspectives({
    a: seen,
    b: (name) => {
      if (caOutage()) throw ApplicationFailure.nonRetryable('perspective b crashed', 'PerspectiveCrash');
      return caaForbids(name);
    },
    c: (name) => (caOutage() ? resolverDown(name) : caaForbids(name)),
  });
  await withWorkers(fake, perspectives, async (env) => {
    await env.start({ state: fake.state() });
    await waitFor('the domain failed', () => fake.row.status === 'failed');
  });
  // Two CA-side scans (maxScans is 2) left the domain pending, each given the same count; then it
  // took two customer-side scans to fail it (had the CA's counted, the first would have).
  expect(fake.scans.map(({ scansSoFar, faultSide, status }) => ({ scansSoFar, faultSide, status }))).toEqual([
    { scansSoFar: 1, faultSide: 'ca', status: 'pending' },
    { scansSoFar: 1, faultSide: 'ca', status: 'pending' },
    { scansSoFar: 1, faultSide: 'customer', status: 'pending' },
    { scansSoFar: 2, faultSide: 'customer', status: 'failed' },
  ]);
  const caScans = fake.checks.filter((c) => c.kind === 'scan').slice(0, CA_OUTAGE_SCANS);
  for (const { outcome } of caScans) {
    // The throwing perspective became perspective_unavailable, the resolver error a CA-side dns_error.
    expect(outcome.results.find((r) => r.perspective === 'b')).toMatchObject({ code: 'perspective_unavailable', faultSide: 'ca' });
    expect(outcome.results.find((r) => r.perspective === 'c')).toMatchObject({ code: 'dns_error', faultSide: 'ca' });
    expect(outcome.needsAttention).toBe(true);
  }
  expect(fake.callsOf('failDomain')).toHaveLength(0);
});

test('4. a validated automatic domain renews before validUntil: a fresh value (renew), published, then rechecked and scanned', async () => {
  const revalidateAt = inMs(1000);
  const validUntil = inMs(HOUR);
  const fake = new FakeDomain(() => ({ perspectives: ['a', 'b'], retryScheduleMs: [100], maxScans: 3 }), { status: 'validated', validUntil, revalidateAt });
  const perspectives = new FakePerspectives({ a: seen, b: seen });
  await withWorkers(fake, perspectives, async (env) => {
    await env.start({ state: fake.state() });
    await waitFor('the renewal scan', () => fake.scans.length > 0);
    await sleep(500);
  });
  const order = fake.calls.filter((c) => c.name !== 'dcvSettings').map((c) => (c.name === 'rotateRandomValue' ? `rotate:${c.args[0]}` : c.name));
  expect(order).toEqual(['renewalTime', 'rotate:renew', 'publishRecord', 'checkInput', 'beginScanAfterRecheck', 'finishScan']);
  expect(fake.callsOf('rotateRandomValue')[0].at).toBeGreaterThanOrEqual(Date.parse(revalidateAt));
  expect(fake.checks.map((c) => c.kind)).toEqual(['recheck', 'scan']);
  // The new value is what the perspectives looked for, each once; the domain stayed validated and was renewed once.
  expect(perspectives.calls.map((c) => `${c.perspective}:${c.randomValue}`)).toEqual(['a:value-2', 'b:value-2']);
  expect(fake.scans).toMatchObject([{ status: 'validated' }]);
  expect(Date.parse(fake.row.validUntil!)).toBeGreaterThan(Date.parse(validUntil));
});

test('4b. DCV_REVALIDATE_BEFORE is read when the planned renewal comes: a lead shortened since the domain validated renews later, at the new time', async () => {
  const planned = inMs(1000);
  const later = inMs(4000);
  const fake = new FakeDomain(() => ({ perspectives: ['a'], retryScheduleMs: [100], maxScans: 3 }), {
    status: 'validated',
    validUntil: inMs(HOUR),
    revalidateAt: planned,
  });
  fake.renewalAt = () => later;
  const perspectives = new FakePerspectives({ a: seen });
  await withWorkers(fake, perspectives, async (env) => {
    const handle = await env.start({ state: fake.state() });
    await waitFor('the planned time', () => fake.callsOf('renewalTime').length > 0);
    // Nothing renewed at the planned time: the loop waits for the new one.
    await sleep(500);
    expect(fake.callsOf('rotateRandomValue')).toHaveLength(0);
    await waitFor('the renewal scan', () => fake.scans.length > 0, 10_000);
    // DCV_CURRENT_PATCH stands for DCV_RENEWAL_SETTINGS_PATCH: the run's one marker, none at the renewal.
    const history = (await handle.fetchHistory()).events ?? [];
    expect(history.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toHaveLength(1);
  });
  const [first, second] = fake.callsOf('renewalTime');
  expect(first.at).toBeGreaterThanOrEqual(Date.parse(planned));
  expect(first.at).toBeLessThan(Date.parse(later));
  expect(second.at).toBeGreaterThanOrEqual(Date.parse(later));
  expect(fake.callsOf('rotateRandomValue')[0].at).toBeGreaterThanOrEqual(Date.parse(later));
  const order = fake.calls.filter((c) => c.name !== 'dcvSettings').map((c) => (c.name === 'rotateRandomValue' ? `rotate:${c.args[0]}` : c.name));
  expect(order).toEqual(['renewalTime', 'renewalTime', 'rotate:renew', 'publishRecord', 'checkInput', 'beginScanAfterRecheck', 'finishScan']);
});

test("4c. a lead lengthened since the domain validated: replanRenewal (the worker's pass) reads the renewal time again and renews at once; the same time moves nothing", async () => {
  const planned = inMs(HOUR / 2);
  const fake = new FakeDomain(() => ({ perspectives: ['a'], retryScheduleMs: [100], maxScans: 3 }), {
    status: 'validated',
    validUntil: inMs(HOUR),
    revalidateAt: planned,
  });
  const perspectives = new FakePerspectives({ a: seen });
  await withWorkers(fake, perspectives, async (env) => {
    const handle = await env.start({ state: fake.state() });
    // The setting unchanged: the time read is the one planned, nothing moves.
    await handle.signal(replanRenewalSignal);
    await waitFor('the renewal time read', () => fake.callsOf('renewalTime').length === 1);
    await sleep(500);
    expect(fake.callsOf('rotateRandomValue')).toHaveLength(0);
    // A longer lead: the renewal is due now.
    fake.renewalAt = () => new Date(Date.now() - 1000).toISOString();
    await handle.signal(replanRenewalSignal);
    await waitFor('the renewal scan', () => fake.scans.length > 0);
  });
  expect(fake.callsOf('rotateRandomValue')[0].at).toBeLessThan(Date.parse(planned));
  const order = fake.calls.filter((c) => c.name !== 'dcvSettings').map((c) => (c.name === 'rotateRandomValue' ? `rotate:${c.args[0]}` : c.name));
  // Read by the two signals, then by the wake the second one brought forward (renewalStillDue).
  expect(order).toEqual(['renewalTime', 'renewalTime', 'renewalTime', 'rotate:renew', 'publishRecord', 'checkInput', 'beginScanAfterRecheck', 'finishScan']);
});

test('4d. replanRenewal moves nothing for a domain that has no renewal planned (pending)', async () => {
  const fake = new FakeDomain(() => ({ perspectives: ['a'], retryScheduleMs: [60_000], maxScans: 3 }));
  await withWorkers(fake, new FakePerspectives({ a: notFound }), async (env) => {
    const handle = await env.start({ state: fake.state() });
    await loopStarted(fake);
    await handle.signal(replanRenewalSignal);
    // The signal's workflow task has completed once a query after it answers.
    await handle.query('__stack_trace');
  });
  expect(fake.callsOf('renewalTime')).toHaveLength(0);
  expect(fake.callsOf('rotateRandomValue')).toHaveLength(0);
});

test('5a. a revalidate that holds the mutex while the retry timer fires is not taken for the timer: one recheck, then a full wait', async () => {
  const fake = new FakeDomain(() => ({ perspectives: ['a'], retryScheduleMs: [3000], maxScans: 3 }));
  const perspectives = new FakePerspectives({ a: notFound });
  let rotated = 0;
  const base = fake.activities();
  const activities: Partial<DomainActivities> = {
    ...base,
    async rotateRandomValue(id, mode) {
      await sleep(3500); // holds the mutex past the 3 s timer
      const state = await base.rotateRandomValue!(id, mode);
      rotated = Date.now();
      return state;
    },
  };
  await withWorkers(
    fake,
    perspectives,
    async (env) => {
      const handle = await env.start({ state: fake.state({ attempt: 1 }) });
      await loopStarted(fake);
      const sent = Date.now();
      const state = await handle.executeUpdate(revalidateUpdate, { args: [{ actor: customer }] });
      expect(state).toMatchObject({ status: 'pending', attempt: 0 });
      expect(Date.now() - sent).toBeGreaterThanOrEqual(3500);
      await waitFor('two rechecks', () => perspectives.calls.length >= 2);
    },
    activities,
  );
  // Nothing ran while the update held the mutex, though the timer fired then.
  expect(perspectives.calls[0].at).toBeGreaterThanOrEqual(rotated);
  // The revalidate asked for one recheck at once (with the new value, published first)...
  expect(perspectives.calls[0].at - rotated).toBeLessThan(1500);
  expect(perspectives.calls.map((c) => c.randomValue)).toEqual(['value-2', 'value-2']);
  expect(fake.callsOf('publishRecord')[0].at).toBeLessThanOrEqual(perspectives.calls[0].at);
  // ...and the timer that fired under the mutex did not add another: the next one is a full wait later.
  expect(perspectives.calls[1].at - perspectives.calls[0].at).toBeGreaterThanOrEqual(3000 - TOLERANCE);
});

test('5b. a passed pre-check starts a scan right away (a failed one does not)', async () => {
  let recordThere = false;
  const fake = new FakeDomain(() => ({ perspectives: ['a', 'b'], retryScheduleMs: [60_000], maxScans: 3 }));
  const perspectives = new FakePerspectives({ a: (p) => (recordThere ? seen(p) : notFound(p)), b: (p) => (recordThere ? seen(p) : notFound(p)) });
  await withWorkers(fake, perspectives, async (env) => {
    const handle = await env.start({ state: fake.state() });
    await loopStarted(fake);
    expect(await handle.executeUpdate(precheckUpdate, { args: [{ actor: customer }] })).toMatchObject({ kind: 'precheck', passed: false });
    await sleep(500);
    expect(fake.checks.map((c) => c.kind)).toEqual(['precheck']);
    recordThere = true;
    expect(await handle.executeUpdate(precheckUpdate, { args: [{ actor: customer }] })).toMatchObject({ kind: 'precheck', passed: true });
    const answered = Date.now();
    await waitFor('the scan', () => fake.scans.length > 0, 10_000);
    expect(fake.scans[0].at - answered).toBeLessThan(10_000);
  });
  expect(fake.checks.map((c) => c.kind)).toEqual(['precheck', 'precheck', 'recheck', 'scan']);
  expect(fake.row.status).toBe('validated');
});

// A pre-check that passes while the loop runs the timer's work (onWake) sets `checkNow` and touches the
// version; the loop takes its `seen` version before planning the next wake, so it scans right after
// instead of sleeping until the next retry wait (here 10 s).
test('5c. a pre-check that passes while a timer recheck is running starts a scan right after it', async () => {
  let recordThere = false;
  let quickLookHeld = false;
  const fake = new FakeDomain(() => ({ perspectives: ['a', 'b'], retryScheduleMs: [1000, 10_000], maxScans: 3 }));
  const perspectives = new FakePerspectives({
    a: async (p) => {
      if (!quickLookHeld) {
        quickLookHeld = true;
        await sleep(1500); // the timer's quick look is still out when the pre-check passes
        return notFound(p);
      }
      return recordThere ? seen(p) : notFound(p);
    },
    b: (p) => (recordThere ? seen(p) : notFound(p)),
  });
  const activities = fake.activities();
  await withWorkers(
    fake,
    perspectives,
    async (env) => {
      const handle = await env.start({ state: fake.state() });
      await waitFor('the timer recheck', () => quickLookHeld);
      recordThere = true;
      expect(await handle.executeUpdate(precheckUpdate, { args: [{ actor: customer }] })).toMatchObject({ passed: true });
      const answered = Date.now();
      expect(fake.checks.map((c) => c.kind)).toEqual(['precheck']); // the timer's recheck is still running
      await waitFor('the scan', () => fake.scans.length > 0, 4_000);
      expect(fake.scans[0].at - answered).toBeLessThan(3_000);
    },
    activities,
  );
});

test('6. continue-as-new carries the state: the new run keeps rechecking on the carried attempt and still answers removeDomain', async () => {
  const fake = new FakeDomain(() => ({ perspectives: ['a'], retryScheduleMs: [1000, 1500], maxScans: 3 }));
  const perspectives = new FakePerspectives({ a: notFound });
  await withWorkers(fake, perspectives, async (env) => {
    const started = await env.start({ state: fake.state(), continueAsNewAfterEvents: 40 });
    const handle = client().workflow.getHandle(started.workflowId); // the latest run
    const firstRun = (await handle.describe()).runId;
    await waitFor('a new run', async () => (await handle.describe()).runId !== firstRun);
    const before = perspectives.calls.length;
    await waitFor('two rechecks in the new run', () => perspectives.calls.length >= before + 2);
    // attempt was carried: every wait after the first recheck, across the runs, is the schedule's second
    // entry (1500 ms); a new run starting over would wait the first (1000 ms) and publish again.
    const waits = gaps(perspectives.calls.map((c) => c.at));
    expect(waits.length).toBeGreaterThanOrEqual(3);
    for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(1500 - TOLERANCE);
    await handle.executeUpdate(removeDomainUpdate, { args: [{ actor: customer }] });
    await started.result(); // follows the runs from the first
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });
  // The published value was carried too: published once, taken down on removal with that value.
  expect(fake.callsOf('publishRecord')).toHaveLength(1);
  expect(fake.callsOf('unpublishRecord').map((c) => c.args[0])).toEqual(['value-1']);
  expect(fake.callsOf('removeDomain').map((c) => c.args[0])).toEqual([undefined]);
});

test('7. settings are read when used: a new perspective list and schedule reach the running workflow', async () => {
  const before: DcvSettings = { perspectives: ['a'], retryScheduleMs: [3000], maxScans: 3 };
  const after: DcvSettings = { perspectives: ['b'], retryScheduleMs: [1000], maxScans: 3 };
  // The configuration changes once perspective a has checked twice.
  const perspectives = new FakePerspectives({ a: notFound, b: notFound });
  const fake = new FakeDomain(() => (perspectives.of('a').length < 2 ? before : after));
  await withWorkers(fake, perspectives, async (env) => {
    await env.start({ state: fake.state() });
    await waitFor('two checks by b', () => perspectives.of('b').length >= 2, 30_000);
  });
  // Perspective a's queue got nothing after the change, b's everything.
  expect(perspectives.calls.map((c) => c.perspective)).toEqual(['a', 'a', 'b', 'b', ...perspectives.calls.slice(4).map(() => 'b')]);
  // The waits follow the schedule read before each: 3000 ms while a was configured, 1000 ms from the change
  // (told apart by the midpoint, so a busy machine's slower timers do not blur them).
  const [aWait, changeWait, bWait] = gaps(perspectives.calls.map((c) => c.at));
  expect(aWait).toBeGreaterThanOrEqual(3000 - TOLERANCE);
  for (const wait of [changeWait, bWait]) {
    expect(wait).toBeGreaterThanOrEqual(1000 - TOLERANCE);
    expect(wait).toBeLessThan(2000);
  }
});

// The lean validation path (issue 9): the round trips of one validation, counted from its history so
// that an added activity or workflow task fails here. Before it, one manual-DNS validation with three
// perspectives took 11 activities and 12 workflow tasks one after another.
test('8. one manual-DNS validation with the record present: three activities (each perspective once), its two transactions in the worker, at most seven workflow tasks; nothing published or taken down', async () => {
  const fake = new FakeDomain(() => ({ perspectives: ['a', 'b', 'c'], retryScheduleMs: [100], maxScans: 3 }), {}, { method: 'dns_txt' });
  const perspectives = new FakePerspectives({ a: seen, b: seen, c: seen });
  let events: Array<{ taskCompleted: boolean; activity?: string; taskQueue?: string; completedTask?: string; marker?: string; upsert?: string[] }> = [];
  await withWorkers(fake, perspectives, async (env) => {
    const handle = await env.start({ state: fake.state() });
    await waitFor('validated', () => fake.row.status === 'validated');
    // Until the task that took the verdict has completed: the workflow then only waits.
    await waitFor('the verdict applied', async () => {
      const history = (await handle.fetchHistory()).events ?? [];
      events = history.map((e) => ({
        taskCompleted: Boolean(e.workflowTaskCompletedEventAttributes),
        activity: e.activityTaskScheduledEventAttributes?.activityType?.name ?? undefined,
        taskQueue: e.activityTaskScheduledEventAttributes?.taskQueue?.name ?? undefined,
        completedTask: e.activityTaskScheduledEventAttributes ? String(e.activityTaskScheduledEventAttributes.workflowTaskCompletedEventId) : undefined,
        marker: e.markerRecordedEventAttributes?.markerName ?? undefined,
        upsert: e.upsertWorkflowSearchAttributesEventAttributes
          ? Object.keys(e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {})
          : undefined,
      }));
      // The verdict is a local activity: applied once its marker follows the last perspective's answer.
      const lastAnswer = history.map((e) => Boolean(e.activityTaskCompletedEventAttributes)).lastIndexOf(true);
      return lastAnswer >= 0 && history.slice(lastAnswer).some((e) => e.markerRecordedEventAttributes);
    });
    // Nothing was published, so a removal has nothing to take down: the delete alone.
    await handle.executeUpdate(removeDomainUpdate, { args: [{ actor: customer }] });
  });
  expect(fake.callsOf('removeDomain')).toHaveLength(1);
  expect(fake.callsOf('unpublishRecord')).toHaveLength(0);
  const scheduled = events.filter((e) => e.activity);
  // The quick look from a; then b and c in one task. The recheck recorded with the scan begun, and the
  // verdict, are local activities: no task of the service's queue, one call each.
  expect(scheduled.map((e) => `${e.activity}@${e.taskQueue!.split('.').pop()}`)).toEqual([
    `checkDomain@a`,
    expect.stringMatching(/^checkDomain@[bc]$/),
    expect.stringMatching(/^checkDomain@[bc]$/),
  ]);
  expect(new Set(scheduled.slice(1, 3).map((e) => e.taskQueue)).size).toBe(2);
  expect(new Set(scheduled.slice(1, 3).map((e) => e.completedTask)).size).toBe(1);
  expect(fake.callsOf('beginScanAfterRecheck')).toHaveLength(1);
  expect(fake.callsOf('finishScan')).toHaveLength(1);
  expect(events.filter((e) => e.taskCompleted).length).toBeLessThanOrEqual(7);
  // Reads in the worker (local activities): the settings before the first wait (it follows the retry
  // schedule), then the settings with the row for the scan; the validated domain's wait for its own
  // dates reads nothing. Nothing published.
  expect(fake.callsOf('dcvSettings')).toHaveLength(1);
  expect(fake.callsOf('checkInput')).toHaveLength(1);
  expect(fake.callsOf('checkRequest')).toHaveLength(0);
  expect(fake.callsOf('publishRecord')).toHaveLength(0);
  // One patch marker (DCV_CURRENT_PATCH) and so one TemporalChangeVersion upsert; the status's two
  // changes (verifying, validated) the only other visibility writes. Markers: the patch and three reads/writes.
  expect(events.filter((e) => e.marker === 'core_patch')).toHaveLength(1);
  expect(events.filter((e) => e.marker === 'core_local_activity')).toHaveLength(4);
  expect(events.filter((e) => e.upsert).map((e) => e.upsert)).toEqual([['TemporalChangeVersion'], ['EntityStatus'], ['EntityStatus']]);
  expect(perspectives.calls.map((c) => c.perspective).sort()).toEqual(['a', 'b', 'c']);
  expect(fake.checks.map((c) => c.kind)).toEqual(['recheck', 'scan']);
});

test("9. only a customer-side write failure fails the domain; an unexplained one is the CA's: flagged, published again at the next wake", async () => {
  const failing = (failure: () => Error) => {
    const fake = new FakeDomain(() => ({ perspectives: ['a'], retryScheduleMs: [1000], maxScans: 3 }), {}, { method: 'dns_provider', dnsProviderId: 'p' });
    let publishes = 0;
    const activities: Partial<DomainActivities> = {
      ...fake.activities(),
      publishRecord: async () => {
        publishes++;
        throw failure();
      },
    };
    return { fake, activities, publishes: () => publishes };
  };
  // Not retried here so the test is quick; in production the activity's own retries come first.
  const unexplained = failing(() => ApplicationFailure.nonRetryable('connect ECONNREFUSED 127.0.0.1:5432', 'Error'));
  await withWorkers(
    unexplained.fake,
    new FakePerspectives({ a: notFound }),
    async (env) => {
      await env.start({ state: unexplained.fake.state() });
      await waitFor('published again at the next wake', () => unexplained.publishes() >= 2, 10_000);
    },
    unexplained.activities,
  );
  expect(unexplained.fake.callsOf('failDomain')).toHaveLength(0);
  expect(unexplained.fake.callsOf('setAttention')[0].args[0]).toEqual({
    side: 'ca',
    reason: 'CA side: the record could not be published: connect ECONNREFUSED 127.0.0.1:5432',
  });
  expect(unexplained.fake.row.status).toBe('pending');

  for (const type of [DNS_WRITE_REFUSED, CUSTOMER_SIDE_WRITE_FAULT]) {
    const customerSide = failing(() => ApplicationFailure.nonRetryable('Update of example.com failed: not authorized (NOTAUTH).', type));
    await withWorkers(
      customerSide.fake,
      new FakePerspectives({ a: notFound }),
      async (env) => {
        await env.start({ state: customerSide.fake.state() });
        await waitFor('failed', () => customerSide.fake.row.status === 'failed', 10_000);
      },
      customerSide.activities,
    );
    expect(customerSide.fake.callsOf('failDomain').map((c) => c.args[0])).toEqual(['Update of example.com failed: not authorized (NOTAUTH).']);
    expect(customerSide.publishes()).toBe(1);
  }
});

/**
 * Starts a pending manual-DNS domain's workflow and sends `messages` before any worker polls (its first
 * task carries them with the start, so the loop's settings read and the messages' reads begin together),
 * the local activities slowed by `delays` (timedLocalActivities); waits for the answers and a recheck
 * on the schedule.
 */
async function sentBeforeWorkers(delays: Record<string, number>, messages: (handle: Handle) => Array<Promise<unknown>>) {
  const fake = new FakeDomain(() => ({ perspectives: ['a', 'b'], retryScheduleMs: [300], maxScans: 3 }), {}, { method: 'dns_txt' });
  const { stats, activities } = timedLocalActivities(fake, delays);
  let handle!: Handle;
  let answers!: Promise<unknown[]>;
  await withWorkers(
    fake,
    new FakePerspectives({ a: notFound, b: notFound }),
    async () => {
      await answers;
      await waitFor('a recheck on the schedule', () => fake.checks.some((c) => c.kind === 'recheck'));
    },
    activities,
    async (env) => {
      handle = await env.start({ state: fake.state() });
      answers = Promise.all(messages(handle));
      await sleep(1000); // the messages reach the server before any worker polls
    },
  );
  return { handle, stats, answers: await answers };
}

const precheck = (handle: Handle) => handle.executeUpdate(precheckUpdate, { args: [{ actor: customer }] });

test.each([
  ['the row read (a pre-check) takes longer than the settings read (the loop)', { checkInput: 300 }, 1],
  ['the settings read takes longer', { dcvSettings: 300 }, 1],
  ['two pre-checks, the first read the slowest', { checkInput: 300 }, 2],
])(
  '10. local activities run one at a time, so a run replays as it ran: pre-checks sent before the worker took the first task (%s)',
  async (_case, delays: Record<string, number>, prechecks) => {
    const { handle, stats, answers } = await sentBeforeWorkers(delays, (h) => Array.from({ length: prechecks }, () => precheck(h)));
    expect(answers).toEqual(Array(prechecks).fill(expect.objectContaining({ kind: 'precheck', passed: false })));
    // The first workflow task carried the pre-checks with the start: the loop's read and theirs began together.
    const history = await handle.fetchHistory();
    const firstAccepted = history.events!.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(firstAccepted).toBeGreaterThan(0);
    expect(firstAccepted).toBeLessThan(history.events!.findIndex((e) => e.timerStartedEventAttributes));
    // Replayed as a worker does after losing the run from its cache: no nondeterminism error.
    await replays(handle);
    expect(stats.mostAtOnce).toBe(1);
  },
);

test('11. pre-checks and a revalidate sent before the worker took the first task, the reads slower than the loop: in turn, and the run replays', async () => {
  const { handle, stats, answers } = await sentBeforeWorkers({ checkInput: 300, dcvSettings: 100 }, (h) => [
    precheck(h),
    h.executeUpdate(revalidateUpdate, { args: [{ actor: customer }] }),
    precheck(h),
  ]);
  expect(answers).toEqual([
    expect.objectContaining({ kind: 'precheck' }),
    expect.objectContaining({ status: 'pending', attempt: 0 }),
    expect.objectContaining({ kind: 'precheck' }),
  ]);
  await replays(handle);
  expect(stats.mostAtOnce).toBe(1);
});

test('12. replanRenewal signals, pre-checks and renames arriving while a renewal reads and scans: in turn, and the run replays', async () => {
  const fake = new FakeDomain(() => ({ perspectives: ['a', 'b'], retryScheduleMs: [300], maxScans: 3 }), {
    status: 'validated',
    validUntil: inMs(HOUR),
    revalidateAt: inMs(-1000),
  });
  const perspectives = new FakePerspectives({ a: notFound, b: notFound });
  const { stats, activities } = timedLocalActivities(fake, { checkInput: 200, renewalTime: 150, dcvSettings: 50 });
  let handle!: Handle;
  await withWorkers(
    fake,
    perspectives,
    async () => {
      const sent: Array<Promise<unknown>> = [];
      for (let i = 0; i < 6; i++) {
        sent.push(handle.signal(replanRenewalSignal));
        sent.push(precheck(handle));
        sent.push(handle.signal(organizationRenamedSignal, { name: `Org ${i}` }));
        await sleep(150);
      }
      await Promise.all(sent);
      await waitFor('the renewal scan', () => fake.checks.some((c) => c.kind === 'recheck'));
    },
    activities,
    async (env) => {
      // The renewal is due when the first task runs, with a signal and a pre-check beside it.
      handle = await env.start({ state: fake.state() });
      await handle.signal(replanRenewalSignal);
      void precheck(handle);
      await sleep(1000);
    },
  );
  expect(fake.callsOf('rotateRandomValue').map((c) => c.args[0])).toEqual(['renew']);
  await replays(handle);
  expect(stats.mostAtOnce).toBe(1);
});

/**
 * Runs `body` with the domain's workflow started with 2 s workflow tasks: a local activity that outlasts
 * 80% of that keeps the task open by heartbeats (every 1.6 s), and a message sent meanwhile comes in the
 * next task, live before the activity's result, on replay in the same activation as it.
 */
async function withShortTasks(
  fake: FakeDomain,
  perspectives: FakePerspectives,
  activities: Partial<DomainActivities>,
  body: (handle: Handle) => Promise<void>,
): Promise<Handle> {
  let handle!: Handle;
  await withWorkers(
    fake,
    perspectives,
    async (env) => {
      handle = await env.start({ state: fake.state() }, { workflowTaskTimeout: 2000 });
      await body(handle);
    },
    activities,
  );
  return handle;
}

test('13. the loop reads its settings past a workflow-task heartbeat while a revalidate arrives: the run replays', async () => {
  const fake = new FakeDomain(() => ({ perspectives: ['a'], retryScheduleMs: [800], maxScans: 3 }));
  const perspectives = new FakePerspectives({ a: notFound });
  let reads = 0;
  let slowRead = 0;
  const { activities } = timedLocalActivities(fake, {
    dcvSettings: () => {
      if (++reads !== 2) return 0;
      slowRead = Date.now();
      return 4000; // heartbeats at 1.6 s and 3.2 s
    },
  });
  const handle = await withShortTasks(fake, perspectives, activities, async (handle) => {
    await waitFor('the slow read', () => slowRead > 0);
    await sleep(slowRead + 2400 - Date.now()); // taken by the task the second heartbeat starts, in which the read ends
    expect(await handle.executeUpdate(revalidateUpdate, { args: [{ actor: customer }] })).toMatchObject({ status: 'pending', attempt: 0 });
    await waitFor('the recheck after the revalidate', () => perspectives.calls.some((c) => c.randomValue === 'value-2'));
  });
  const events = (await handle.fetchHistory()).events ?? [];
  const accepted = events.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
  const slowMarker = events.findIndex((e, i) => i > accepted && e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
  // The revalidate was taken in a workflow task in which the slow read's result was recorded.
  const taskOf = (index: number) => events.slice(0, index).filter((e) => e.workflowTaskCompletedEventAttributes).length;
  expect(taskOf(slowMarker)).toBe(taskOf(accepted));
  await replays(handle);
});

test.each([[2200], [2500], [2800]])(
  '14. a pre-check read outlasting workflow-task heartbeats while the retry timer (%d ms) fires: the loop waits its turn, and the run replays',
  async (timerMs) => {
    const fake = new FakeDomain(() => ({ perspectives: ['a', 'b'], retryScheduleMs: [timerMs], maxScans: 3 }), {}, { method: 'dns_txt' });
    const perspectives = new FakePerspectives({ a: notFound, b: notFound });
    let reads = 0;
    // The pre-check's read takes 4 s: with 2 s workflow tasks, the core renews the task at 1.6 s and 3.2 s,
    // and the timer's wake reaches the workflow live before the read's result.
    const { stats, activities } = timedLocalActivities(fake, { checkInput: () => (++reads === 1 ? 4000 : 0) });
    const handle = await withShortTasks(fake, perspectives, activities, async (handle) => {
      await loopStarted(fake);
      await sleep(200);
      expect(await precheck(handle)).toMatchObject({ kind: 'precheck', passed: false });
      await waitFor('the recheck the timer woke', () => fake.checks.some((c) => c.kind === 'recheck'));
    });
    expect(stats.mostAtOnce).toBe(1);
    await replays(handle);
  },
);

test('15. a pre-check that passes while the run waits to continue as new: its scan runs in this run, not a schedule step later', async () => {
  const fake = new FakeDomain(() => ({ perspectives: ['a', 'b'], retryScheduleMs: [1000, 60_000], maxScans: 3 }), {}, { method: 'dns_txt' });
  let asksOfA = 0;
  // The pre-check sees the record from both perspectives, b slowly (2 s); the timer's recheck at 1 s, while
  // the pre-check waits for b, asks a, which misses it. The run is due to continue as new after that wake.
  const perspectives = new FakePerspectives({
    a: (name) => (++asksOfA === 2 ? notFound(name) : seen(name)),
    b: async (name) => (await sleep(2000), seen(name)),
  });
  let answered = 0;
  let first!: Handle;
  await withWorkers(fake, perspectives, async (env) => {
    const handle = await env.start({ state: fake.state(), continueAsNewAfterEvents: 5 });
    first = client().workflow.getHandle(handle.workflowId, (await handle.describe()).runId);
    await loopStarted(fake);
    expect(await precheck(handle)).toMatchObject({ kind: 'precheck', passed: true });
    answered = Date.now();
    // Carried over without it, the next run would wait the schedule's next step (60 s) before scanning.
    await waitFor('the scan the pre-check asked for', () => fake.row.status === 'validated', 8_000);
  });
  // The timer's recheck, the pre-check (recorded when b answered), then the scan's quick look and the scan.
  expect(fake.checks.map((c) => c.kind)).toEqual(['recheck', 'precheck', 'recheck', 'scan']);
  expect(fake.callsOf('finishScan')[0].at - answered).toBeLessThan(5_000);
  // The run that scanned before continuing as new (its patch marker recorded there) replays.
  await replays(first);
});

test('16. a removeDomain update and a parentRemoved signal taken while a pre-check read outlasts heartbeats: the run ends and replays', async () => {
  const fake = new FakeDomain(() => ({ perspectives: ['a'], retryScheduleMs: [2500], maxScans: 3 }), {}, { method: 'dns_txt' });
  const perspectives = new FakePerspectives({ a: notFound });
  let reads = 0;
  // The pre-check's read takes 4 s with 2 s workflow tasks: the removal reaches the workflow live before its result.
  const { activities } = timedLocalActivities(fake, { checkInput: () => (++reads === 1 ? 4000 : 0) });
  const handle = await withShortTasks(fake, perspectives, activities, async (handle) => {
    await loopStarted(fake);
    await sleep(200);
    const answer = precheck(handle).catch((error: unknown) => error);
    await sleep(2000);
    await Promise.all([handle.executeUpdate(removeDomainUpdate, { args: [{ actor: customer }] }), handle.signal(parentRemovedSignal)]);
    await answer;
    await handle.result();
  });
  expect(fake.callsOf('removeDomain')).toHaveLength(1);
  // Without the lane holding the read's result back until the activation's other jobs ran: TMPRL1100 (removeDomain vs checkDomain).
  await replays(handle);
});
