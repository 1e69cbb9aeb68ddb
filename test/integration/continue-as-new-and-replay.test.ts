import { readdirSync } from 'node:fs';
import path from 'node:path';
import { workflowIdFor } from '../../src/temporal/ids';
import { exportHistory, FIXTURES, replayHistories } from '../support/histories';
import {
  ADMINISTRATOR,
  ORGANIZATION,
  approvedAdministrator,
  eventually,
  fastTimings,
  startedWorkflow,
  startHarness,
  type Api,
  type Harness,
} from '../support/harness';
import { organizationApproval } from '../support/review-records';

let harness: Harness;
let customer: Api;
let reviewer: Api;
const timings = fastTimings({ reviewSla: '1s', reviewReminderInterval: '500ms' });

describe('continue-as-new', () => {
  beforeAll(async () => {
    // A tiny history cap forces continue-as-new after a few changes.
    harness = await startHarness({ timings, continueAsNewAfterEvents: 20 });
    customer = await harness.customer();
    reviewer = await harness.reviewer();
  });
  afterAll(async () => harness?.stop());

  test('long-lived profile workflows continue-as-new and keep their state and messages', async () => {
    const organization = (await customer.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR })).body;
    const handle = harness.client.workflow.getHandle(workflowIdFor('organization', organization.id));
    const firstRunId = (await startedWorkflow(harness.client, handle.workflowId)).runId;

    for (let n = 1; n <= 4; n++) {
      expect((await customer.request('PATCH', `/v1/organizations/${organization.id}`, { displayName: `Label ${n}` })).status).toBe(200);
    }
    await eventually(async () => ((await handle.describe()).runId !== firstRunId ? true : undefined), 15_000, 'a new run');

    // The new run still reminds and answers updates (its state came along).
    await eventually(
      async () => {
        const events = (await customer.request('GET', `/v1/organizations/${organization.id}/events?limit=100`)).body.items;
        return events.some((e: { action: string }) => e.action === 'review_overdue') ? true : undefined;
      },
      10_000,
      'a reminder from the new run',
    );
    const approved = await reviewer.request('POST', `/v1/reviews/organizations/${organization.id}/decision`, organizationApproval());
    expect(approved.body.status).toBe('approved');
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const actions = (await customer.request('GET', `/v1/organizations/${organization.id}/events?limit=100`)).body.items.map(
      (e: { action: string }) => e.action,
    );
    expect(actions.filter((a: string) => a === 'edited')).toHaveLength(4);
  });
});

describe('continue-as-new of a domain', () => {
  let domainHarness: Harness;
  beforeAll(async () => {
    // Rechecks every 200 ms against a resolver that refuses: the history grows fast while the domain waits.
    domainHarness = await startHarness({ continueAsNewAfterEvents: 40, env: { DCV_RETRY_SCHEDULE: '200ms', DCV_PRECHECK_INTERVAL: '100ms' } });
  });
  afterAll(async () => domainHarness?.stop());

  test('a domain waiting for its record continues-as-new, keeps checking and still answers', async () => {
    const owner = await domainHarness.customer();
    const { administratorId } = await approvedAdministrator(owner, await domainHarness.reviewer());
    const domain = (
      await owner.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: 'waiting.example.com', autoValidation: false, method: 'dns' })
    ).body;
    const handle = domainHarness.client.workflow.getHandle(workflowIdFor('domain', domain.id));
    const firstRunId = (await startedWorkflow(domainHarness.client, handle.workflowId)).runId;
    await eventually(async () => ((await handle.describe()).runId !== firstRunId ? true : undefined), 20_000, 'a new run');

    const checksBefore = (await owner.request('GET', `/v1/domains/${domain.id}/checks?limit=100`)).body.items.length;
    await eventually(
      async () => ((await owner.request('GET', `/v1/domains/${domain.id}/checks?limit=100`)).body.items.length > checksBefore ? true : undefined),
      10_000,
      'rechecks from the new run',
    );
    const precheck = await owner.request('POST', `/v1/domains/${domain.id}/validate`);
    expect([precheck.status, precheck.body.passed]).toEqual([200, false]);
    expect((await owner.request('DELETE', `/v1/domains/${domain.id}`)).status).toBe(204);
    await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined), 10_000, 'domain workflow ended');
  });
});

describe('replay', () => {
  beforeAll(async () => {
    harness = await startHarness({ timings });
    customer = await harness.customer();
    reviewer = await harness.reviewer();
  });
  afterAll(async () => harness?.stop());

  /**
   * Replays real histories (review, reminders, decisions, cascade, edit, delete, continue-as-new) against the
   * current workflow code. The committed fixtures guard workflows already running in production: a change
   * that breaks determinism fails here. RECORD_HISTORIES=1 writes this code's histories as `<name>.json`
   * (the listing below then fails): date them, as the runs this release leaves, before a change that needs a patch.
   */
  test('histories of each workflow replay deterministically', async () => {
    const organization = (await customer.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR })).body;
    const administratorId = organization.administrators[0].id;
    await eventually(
      async () => {
        const events = (await customer.request('GET', `/v1/organizations/${organization.id}/events`)).body.items;
        return events.some((e: { action: string }) => e.action === 'review_overdue') ? true : undefined;
      },
      10_000,
      'a reminder',
    );
    await customer.request('PATCH', `/v1/organizations/${organization.id}`, { city: 'Shanghai' });
    await reviewer.request('POST', `/v1/reviews/organizations/${organization.id}/decision`, { decision: 'reject', reason: 'city mismatch' });
    await eventually(
      async () => ((await customer.request('GET', `/v1/administrators/${administratorId}`)).body.status === 'rejected' ? true : undefined),
      10_000,
      'cascade',
    );
    await customer.request('DELETE', `/v1/organizations/${organization.id}`);

    const exported: string[] = [];
    for (const [kind, id] of [
      ['organization', organization.id],
      ['administrator', administratorId],
    ] as const) {
      const handle = harness.client.workflow.getHandle(workflowIdFor(kind, id));
      await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined), 10_000, `${kind} completed`);
      exported.push(await exportHistory(handle.workflowId, `${kind}Workflow`, harness.codecKeys));
    }

    const committed = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.json'))
      .sort();
    // Dated: each guards the runs a release left (2026-11-28: before the patches; 2026-11-30: the patches
    // that DCV_CURRENT_PATCH and PROFILE_CURRENT_PATCH fold, each recorded on its own; 2026-11-30b: runs
    // since those two, a reverse-proxy (file_proxy) domain's renewal among them, before
    // DCV_RENEWAL_SETTINGS_PATCH; 2026-11-30c: domain runs since DCV_ONE_READ_PATCH, a CNAME domain's
    // renewal with its DCV_RENEWAL_SETTINGS_PATCH marker among them, before the local-activity lane;
    // 2026-11-30d: a run started by the release before the lane that went on live on the lane's release at
    // its renewal, a pre-check at once: in turn from there (DCV_IN_TURN_ONCE_LIVE_PATCH), two pre-checks after;
    // 2026-11-30e: domain runs since DCV_CURRENT_PATCH (the lane), a CNAME domain's renewal among them and
    // one that continued as new while a passed pre-check waited (before DCV_SCAN_BEFORE_CONTINUE_AS_NEW_PATCH),
    // so a later change under that marker without a patch of its own fails here).
    expect(committed).toEqual([
      'administratorWorkflow-2026-11-28.json',
      'administratorWorkflow-2026-11-30.json',
      'administratorWorkflow-2026-11-30b.json',
      'domainValidationWorkflow-2026-11-28.json',
      'domainValidationWorkflow-2026-11-30.json',
      'domainValidationWorkflow-2026-11-30b.json',
      'domainValidationWorkflow-2026-11-30c.json',
      'domainValidationWorkflow-2026-11-30e.json',
      'domainValidationWorkflow-precheck-at-continue-as-new-2026-11-30e.json',
      'domainValidationWorkflow-renewal-2026-11-30b.json',
      'domainValidationWorkflow-renewal-2026-11-30c.json',
      'domainValidationWorkflow-renewal-2026-11-30e.json',
      'domainValidationWorkflow-upgraded-2026-11-30d.json',
      'organizationWorkflow-2026-11-28.json',
      'organizationWorkflow-2026-11-30.json',
      'organizationWorkflow-2026-11-30b.json',
    ]);
    const files = [...exported, ...committed.map((f) => path.join(FIXTURES, f))];
    const replayed = replayHistories(files, harness.codecKeys);
    expect(replayed).toHaveLength(18);
    for (const line of replayed) expect(Number(/: (\d+) events/.exec(line)?.[1])).toBeGreaterThan(20);
  });
});
