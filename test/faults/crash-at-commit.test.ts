import { workflowIdFor } from '../../src/temporal/ids';
import { startDcvLab, type DcvLab } from '../support/dcv-lab';
import { killAtCommit, type KillAtCommit, type KillTarget } from './support/kill-at-commit';
import { startPostgresCluster, type PostgresCluster } from './support/postgres-cluster';
import { startProduction, type Caller, type Production, type TimedResponse } from './support/production';
import { eventually } from '../support/harness';
import { administratorApproval, organizationApproval } from '../support/review-records';
import { expectAnswersWellBehaved, expectNoOrphans, withServiceOutput } from './support/checks';
import { startTemporalServer, type TemporalServer } from './support/temporal';

/**
 * Issue 6: a worker crash at the moment a status change commits. A deferred trigger on the row holds
 * the COMMIT at a gate; the test SIGKILLs the worker process group there and opens the gate, and the
 * commit's NOTIFY proves it went through (support/kill-at-commit.ts): the change is in PostgreSQL, the
 * activity never reported it. Temporal retries the activity after its startToCloseTimeout (15 s) on the
 * restarted worker; the retry must find its own change (events.operation_id) and return the recorded
 * outcome. Each status-changing step is killed at its own commit once; then Temporal stops, and
 * PostgreSQL crashes, at a decision's commit.
 */
const DEADLINE_MS = 3_000;

const ORGANIZATION = {
  name: 'Acme Network Technology Co., Ltd.',
  country: 'CN',
  province: 'Beijing',
  city: 'Beijing',
  address: '1 Zhongguancun Street, Haidian District',
  landline: '010 6552 9988',
};
const ADMINISTRATOR = { firstName: 'Lei', lastName: 'Li', position: 'CTO', phone: '138 0013 8000', email: 'li.lei@acme.cn' };

let postgres: PostgresCluster;
let temporal: TemporalServer;
let service: Production;
let kills: KillAtCommit;
let lab: DcvLab;
let reviewer: Caller;
let customer: Caller;
/** Every answer any case got: none may be a 5xx other than 503 with Retry-After. */
const answers: Array<TimedResponse & { what: string }> = [];

beforeAll(async () => {
  [postgres, temporal, lab] = await Promise.all([startPostgresCluster(), startTemporalServer(), startDcvLab()]);
  service = await startProduction({
    databaseUrl: postgres.url,
    temporalAddress: temporal.address,
    // One perspective on BIND9 server A, which holds the customer's zone example.com.
    env: { REQUEST_DEADLINE: `${DEADLINE_MS}ms`, RECONCILE_INTERVAL: '2s', ...lab.env('primary=A') },
  });
  kills = await killAtCommit(postgres.url, service.worker);
  reviewer = await service.reviewer();
  customer = await service.customer('Crash customer');
}, 300_000);

afterAll(async () => {
  await kills?.close();
  await service?.stop();
  await Promise.all([temporal?.destroy(), postgres?.destroy(), lab?.stop()]);
});

const withOutput = (fn: () => Promise<void>) => withServiceOutput(() => service, fn);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function call(what: string, request: Promise<TimedResponse>): Promise<TimedResponse> {
  const answer = { what, ...(await request) };
  answers.push(answer);
  return answer;
}

const expectWellBehaved = () => expectAnswersWellBehaved(answers);
/** Rows and workflows agree (EntityStatus = row status), nothing without its workflow, no running workflow without its row. */
const expectConverged = () => expectNoOrphans(service);

/** Activity types of `workflowId` that completed on an attempt after the first: the killed one was retried. */
async function retriedActivities(workflowId: string): Promise<string[]> {
  const history = await service.client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, string>();
  const retried: string[] = [];
  for (const event of history.events ?? []) {
    const attributes = event.activityTaskScheduledEventAttributes;
    if (attributes) scheduled.set(String(event.eventId), attributes.activityType?.name ?? '');
    const started = event.activityTaskStartedEventAttributes;
    if (started && (started.attempt ?? 1) > 1) retried.push(scheduled.get(String(started.scheduledEventId)) ?? '?');
  }
  return retried;
}

/**
 * The killed step of `workflowId` ran again: a retried activity of that type, or, for a local activity
 * (no task of its own in the history), the `times`-th workflow task that timed out or failed with the
 * worker and was done again, local activity included.
 */
async function stepRetried(workflowId: string, activity: string, times: number): Promise<boolean> {
  if ((await retriedActivities(workflowId)).includes(activity)) return true;
  const history = await service.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowTaskTimedOutEventAttributes || e.workflowTaskFailedEventAttributes).length >= times;
}

/** Events of one entity with one action. */
const eventsOf = (entityId: string, action: string) =>
  service.db.selectFrom('events').select(['id', 'operation_id', 'before', 'after']).where('entity_id', '=', entityId).where('action', '=', action).execute();

/**
 * Sends `send` with the kill armed, waits for the kill at the commit, restarts the worker, then
 * retries the request (same Idempotency-Key) until it is answered: the answer it returns.
 */
async function crashAtCommit(
  label: string,
  target: Omit<KillTarget, 'label'>,
  send: () => Promise<TimedResponse>,
  done: (answer: TimedResponse) => boolean,
): Promise<{ first: TimedResponse; last: TimedResponse }> {
  const { killed } = await kills.arm({ ...target, label });
  const first = call(`${label} (first)`, send());
  const killedAt = await Promise.race([killed, sleep(30_000).then(() => undefined)]);
  if (killedAt === undefined) throw new Error(`${label}: the commit never came (no kill)`);
  await service.worker.kill(); // already killed by the listener: waits until it has exited
  expect(service.worker.running()).toBe(false);
  await service.worker.restart();
  const firstAnswer = await first;
  // Answered within the deadline (the change is still being retried by Temporal): 503 with Retry-After, or the result.
  expect([200, 204, 503]).toContain(firstAnswer.status);
  const last = await eventually(
    async () => {
      const answer = await call(`${label} (retry)`, send());
      return done(answer) ? answer : answer.status === 503 ? undefined : answer;
    },
    90_000,
    `${label}: the retried request to be answered`,
  );
  return { first: firstAnswer, last };
}

/**
 * The approval of each profile created here, with its record (the callback to the landline, the
 * administrator's email confirmation) dated at the submission: every retry under one Idempotency-Key
 * sends the same body.
 */
const approvals = new Map<string, object>();

const decide = (kind: 'organizations' | 'administrators', id: string, decision: 'approve' | 'reject', key: string) => () =>
  reviewer.request(
    'POST',
    `/v1/reviews/${kind}/${id}/decision`,
    decision === 'reject' ? { decision, reason: "The landline is not the company's" } : approvals.get(id),
    {
      headers: { 'Idempotency-Key': key },
    },
  );

async function createOrganization(name: string, administrators: number): Promise<{ id: string; administratorIds: string[] }> {
  const created = await call(
    `create ${name}`,
    customer.request('POST', '/v1/organizations', { organization: { ...ORGANIZATION, name }, ...(administrators ? { administrator: ADMINISTRATOR } : {}) }),
  );
  expect(created.status).toBe(201);
  approvals.set(created.body.id, organizationApproval({ calledAt: created.body.submittedAt }));
  const administratorIds: string[] = [];
  const added = (administrator: { id: string; email: string; submittedAt: string }) => {
    administratorIds.push(administrator.id);
    approvals.set(administrator.id, administratorApproval({ email: administrator.email, contactedAt: administrator.submittedAt }));
  };
  created.body.administrators.forEach(added);
  for (let n = 1; n < administrators; n++) {
    const more = await call(
      'create administrator',
      customer.request('POST', `/v1/organizations/${created.body.id}/administrators`, { ...ADMINISTRATOR, email: `admin${n}@acme.cn` }),
    );
    expect(more.status).toBe(201);
    added(more.body);
  }
  return { id: created.body.id, administratorIds };
}

const statusOf = async (table: 'organizations' | 'administrators', id: string) =>
  (await service.db.selectFrom(table).select('status').where('id', '=', id).executeTakeFirst())?.status;

let approved: { id: string; administratorIds: string[] };
let rejected: { id: string; administratorIds: string[] };

test(
  'decide approve: killed at the commit, the decision lands once and the retried request gets 200 approved',
  withOutput(async () => {
    approved = await createOrganization('Approve Crash', 1);
    const { last } = await crashAtCommit(
      'approve',
      { table: 'organizations', id: approved.id, op: 'UPDATE', column: 'status' },
      decide('organizations', approved.id, 'approve', `approve-${approved.id}`),
      (a) => a.status === 200,
    );
    expect([last.status, last.body.status]).toEqual([200, 'approved']);
    expect(await eventsOf(approved.id, 'approved')).toHaveLength(1);
    // The review record is written with its event: once.
    expect(await service.db.selectFrom('profile_reviews').select(['status', 'check_outcome']).where('entity_id', '=', approved.id).execute()).toEqual([
      { status: 'approved', check_outcome: 'answered' },
    ]);
    expect(await retriedActivities(workflowIdFor('organization', approved.id))).toContain('decide');
    await expectConverged();
    expectWellBehaved();
  }),
);

test(
  'decide reject: killed at the commit, the administrator under review is still rejected with the organization',
  withOutput(async () => {
    rejected = await createOrganization('Reject Crash', 1);
    const { last } = await crashAtCommit(
      'reject',
      { table: 'organizations', id: rejected.id, op: 'UPDATE', column: 'status' },
      decide('organizations', rejected.id, 'reject', `reject-${rejected.id}`),
      (a) => a.status === 200,
    );
    expect([last.status, last.body.status]).toEqual([200, 'rejected']);
    await eventually(
      async () => ((await statusOf('administrators', rejected.administratorIds[0])) === 'rejected' ? true : undefined),
      60_000,
      'the cascade to reject the administrator',
    );
    expect(await eventsOf(rejected.id, 'rejected')).toHaveLength(1);
    expect(await eventsOf(rejected.administratorIds[0], 'rejected_with_organization')).toHaveLength(1);
    expect(await retriedActivities(workflowIdFor('organization', rejected.id))).toContain('decide');
    await expectConverged();
    expectWellBehaved();
  }),
);

test(
  'edit: killed at the commit of an edit that sends an approved organization back to review, one edited event',
  withOutput(async () => {
    const name = 'Approve Crash Renamed';
    const { last } = await crashAtCommit(
      'edit',
      { table: 'organizations', id: approved.id, op: 'UPDATE', column: 'name' },
      () => customer.request('PATCH', `/v1/organizations/${approved.id}`, { name }, { headers: { 'Idempotency-Key': `edit-${approved.id}` } }),
      (a) => a.status === 200,
    );
    expect([last.status, last.body.status, last.body.name]).toEqual([200, 'under_review', name]);
    const edits = await eventsOf(approved.id, 'edited');
    expect(edits).toHaveLength(1);
    expect(edits[0].before).toMatchObject({ status: 'approved' });
    expect(edits[0].after).toMatchObject({ status: 'under_review', name });
    expect(await retriedActivities(workflowIdFor('organization', approved.id))).toContain('edit');
    await expectConverged();
    expectWellBehaved();
  }),
);

test(
  'resubmit: killed at the commit, one resubmitted event and the retried request gets 200 under_review',
  withOutput(async () => {
    const { last } = await crashAtCommit(
      'resubmit',
      { table: 'organizations', id: rejected.id, op: 'UPDATE', column: 'status' },
      () => customer.request('POST', `/v1/organizations/${rejected.id}/resubmit`, undefined, { headers: { 'Idempotency-Key': `resubmit-${rejected.id}` } }),
      (a) => a.status === 200,
    );
    expect([last.status, last.body.status]).toEqual([200, 'under_review']);
    expect(await eventsOf(rejected.id, 'resubmitted')).toHaveLength(1);
    expect(await retriedActivities(workflowIdFor('organization', rejected.id))).toContain('resubmit');
    await expectConverged();
    expectWellBehaved();
  }),
);

test(
  "remove: killed at the commit of a delete, the administrators' workflows still end",
  withOutput(async () => {
    const removed = await createOrganization('Remove Crash', 2);
    const { first, last } = await crashAtCommit(
      'remove',
      { table: 'organizations', id: removed.id, op: 'DELETE' },
      () => customer.request('DELETE', `/v1/organizations/${removed.id}`, undefined, { headers: { 'Idempotency-Key': `remove-${removed.id}` } }),
      (a) => a.status === 204,
    );
    // The retry with the same Idempotency-Key gets the first answer (204), also when that answer was lost to a 503.
    expect([204, 503]).toContain(first.status);
    expect(last.status).toBe(204);
    expect(await statusOf('organizations', removed.id)).toBeUndefined();
    expect(await eventsOf(removed.id, 'deleted')).toHaveLength(1);
    for (const id of removed.administratorIds) expect(await eventsOf(id, 'deleted_with_organization')).toHaveLength(1);
    const ended: Array<['organization' | 'administrator', string]> = [
      ['organization', removed.id],
      ...removed.administratorIds.map((a): ['administrator', string] => ['administrator', a]),
    ];
    for (const [kind, id] of ended) {
      await eventually(
        async () => ((await service.client.workflow.getHandle(workflowIdFor(kind, id)).describe()).status.name === 'COMPLETED' ? true : undefined),
        60_000,
        `the workflow of ${kind} ${id} to end`,
      );
    }
    expect(await retriedActivities(workflowIdFor('organization', removed.id))).toContain('remove');
    await expectConverged();
    expectWellBehaved();
  }),
);

test(
  'DCV scan: killed at the commit of verifying, then of validated; one recheck, one scan and one event each, and the domain stays validated',
  withOutput(async () => {
    const owner = await createOrganization('Domain Crash', 1);
    for (const [kind, id] of [
      ['organizations', owner.id],
      ['administrators', owner.administratorIds[0]],
    ] as const) {
      expect((await call(`approve ${kind}`, decide(kind, id, 'approve', `approve-${id}`)())).status).toBe(200);
    }
    const added = await call(
      'add domain',
      customer.request('POST', `/v1/administrators/${owner.administratorIds[0]}/domains`, {
        domain: 'crash.example.com',
        autoValidation: false,
        method: 'dns',
      }),
    );
    expect(added.status).toBe(201);
    const domainId: string = added.body.id;
    const workflowId = workflowIdFor('domain', domainId);
    // The lean path's two transactions (local activities): the passed recheck with the scan begun, then the scan with its verdict.
    const steps = [
      { status: 'verifying', activity: 'beginScanAfterRecheck' },
      { status: 'validated', activity: 'finishScan' },
    ];
    // One armed at a time (the gate kills at the first commit that waits there): the next one while the worker is down.
    const arm = (step: (typeof steps)[number]) =>
      kills.arm({ table: 'domains', id: domainId, op: 'UPDATE', column: 'status', value: step.status, label: step.activity });
    let armed = await arm(steps[0]);
    // The record appears; the workflow's next check sees it and the CA scan validates.
    await lab.a.addRecord('_dnsauth.crash.example.com', 'TXT', `"${added.body.instructions.randomValue}"`);
    for (const [i, step] of steps.entries()) {
      const killedAt = await Promise.race([armed.killed, sleep(60_000).then(() => undefined)]);
      if (killedAt === undefined) throw new Error(`the scan never reached ${step.status} (no kill)`);
      await service.worker.kill();
      if (i + 1 < steps.length) armed = await arm(steps[i + 1]);
      await service.worker.restart();
      await eventually(async () => (await stepRetried(workflowId, step.activity, i + 1)) || undefined, 60_000, `${step.activity} to be retried`).catch(
        async (error) => {
          const description = await service.client.workflow.getHandle(workflowId).describe();
          throw new Error(`${error.message}; pending: ${JSON.stringify(description.raw.pendingActivities)}`);
        },
      );
    }
    const domain = await call('get domain', customer.request('GET', `/v1/domains/${domainId}`));
    expect([domain.status, domain.body.status]).toEqual([200, 'validated']);
    const events = await service.db.selectFrom('events').select(['action', 'before', 'after']).where('entity_id', '=', domainId).orderBy('id').execute();
    expect(events.map((e) => e.action)).toEqual(['added', 'scan_started', 'validated']);
    // The evidence too, once: the retried transactions found their own rows (failed rechecks before the record came may precede).
    const checks = await service.db.selectFrom('dcv_checks').select(['kind', 'passed']).where('domain_id', '=', domainId).orderBy('at').execute();
    expect(checks.filter((c) => c.passed)).toEqual([
      { kind: 'recheck', passed: true },
      { kind: 'scan', passed: true },
    ]);
    await expectConverged();
    expectWellBehaved();
    expect(kills.kills()).toEqual(['approve', 'reject', 'edit', 'resubmit', 'remove', 'beginScanAfterRecheck', 'finishScan']);
  }),
);

test(
  'Temporal restarts while a decision commits: the decision lands once and the retried request gets the first answer',
  withOutput(async () => {
    const organization = await createOrganization('Temporal Restart', 1);
    const key = `approve-${organization.id}`;
    const { killed } = await kills.arm({ table: 'organizations', id: organization.id, op: 'UPDATE', column: 'status', label: 'approve, Temporal down' }, () =>
      temporal.stop(),
    );
    const first = call('approve (Temporal stops at its commit)', decide('organizations', organization.id, 'approve', key)());
    await Promise.race([killed, sleep(30_000).then(() => Promise.reject(new Error('the commit never came')))]);
    expect(await statusOf('organizations', organization.id)).toBe('approved');
    expect((await first).status).toBe(503);
    // A retry while Temporal is down: 503 with Retry-After, fast.
    const during = await call('approve (Temporal down)', decide('organizations', organization.id, 'approve', key)());
    expect([during.status, !!during.headers.get('retry-after')]).toEqual([503, true]);
    await temporal.start();
    const last = await eventually(
      async () => {
        const answer = await call('approve (after Temporal is back)', decide('organizations', organization.id, 'approve', key)());
        return answer.status === 503 ? undefined : answer;
      },
      90_000,
      'the retried decision to be answered',
    );
    expect([last.status, last.body.status]).toEqual([200, 'approved']);
    expect(await eventsOf(organization.id, 'approved')).toHaveLength(1);
    await expectConverged();
    expectWellBehaved();
  }),
);

test(
  'PostgreSQL goes down while a decision commits and an edit is in flight: both land once after it is back',
  withOutput(async () => {
    const decided = await createOrganization('Postgres Outage Decision', 1);
    const edited = await createOrganization('Postgres Outage Edit', 0);
    expect((await call('approve before the outage', decide('organizations', edited.id, 'approve', `approve-${edited.id}`)())).status).toBe(200);
    const name = 'Postgres Outage Edit Renamed';
    const edit = () => customer.request('PATCH', `/v1/organizations/${edited.id}`, { name }, { headers: { 'Idempotency-Key': `edit-${edited.id}` } });
    const key = `approve-${decided.id}`;
    // The edit's commit waits at the gate (its transaction open, inside COMMIT) ...
    await kills.hold({ table: 'organizations', id: edited.id, op: 'UPDATE', column: 'name', label: 'edit, PostgreSQL down' });
    const editFirst = call('edit (PostgreSQL stops at its commit)', edit());
    await eventually(async () => ((await kills.waiting()) === 1 ? true : undefined), 30_000, 'the edit to reach its commit');
    // ... when the decision reaches its own: PostgreSQL stops (a crash: neither commits).
    const { killed } = await kills.arm({ table: 'organizations', id: decided.id, op: 'UPDATE', column: 'status', label: 'approve, PostgreSQL down' }, () =>
      postgres.stop('immediate'),
    );
    const first = call('approve (PostgreSQL stops at its commit)', decide('organizations', decided.id, 'approve', key)());
    await Promise.race([killed, sleep(30_000).then(() => Promise.reject(new Error('the commit never came to the gate')))]);
    expect((await first).status).toBe(503);
    expect((await editFirst).status).toBe(503);
    await sleep(5_000);
    await postgres.start();
    const answered = (what: string, request: () => Promise<TimedResponse>) =>
      eventually(
        async () => {
          const answer = await call(what, request());
          return answer.status === 503 ? undefined : answer;
        },
        90_000,
        what,
      );
    const [decision, edition] = await Promise.all([
      answered('approve (retry)', decide('organizations', decided.id, 'approve', key)),
      answered('edit (retry)', edit),
    ]);
    expect([decision.status, decision.body.status]).toEqual([200, 'approved']);
    expect([edition.status, edition.body.status, edition.body.name]).toEqual([200, 'under_review', name]);
    expect(await eventsOf(decided.id, 'approved')).toHaveLength(1);
    expect(await eventsOf(edited.id, 'edited')).toHaveLength(1);
    await expectConverged();
    expectWellBehaved();
    // No process died of the lost connections (a checked-out pg client's 'error' event once ended the worker).
    expect([...service.apis, service.worker].filter((p) => !p.running()).map((p) => p.name)).toEqual([]);
  }),
);
