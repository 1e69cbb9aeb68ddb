import { randomBytes, randomUUID } from 'node:crypto';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { ProfileActivities } from '../../activities/profiles';
import { workflowIdFor } from '../../src/temporal/ids';
import { decideUpdate, editUpdate, removeUpdate, resubmitUpdate, type ProfileState, type ProfileWorkflowInput } from '../../workflows/messages';
import { eventually } from '../support/harness';
import { organizationApproval } from '../support/review-records';
import { clientForThisFile, inMs, sleep } from './support';

/**
 * The profile workflows alone, on a test worker with typed fake activities (no HTTP, no database):
 * each timer and message rule in milliseconds. Durations are inputs (the state's timestamps).
 */
const client = clientForThisFile();
const reviewState = (reminderInMs: number): ProfileState => ({
  status: 'under_review',
  nextReminderAt: inMs(reminderInMs),
  expiringAt: null,
  validUntil: null,
});
const reviewer = { kind: 'reviewer' as const, id: 'r1' };

type Fakes = Partial<ProfileActivities>;

/** Runs `test` with a worker polling a fresh task queue with `fakes` as the activities. */
async function withWorker(fakes: Fakes, test: (start: (input: Omit<ProfileWorkflowInput, 'accountId'>) => Promise<string>) => Promise<void>): Promise<void> {
  const taskQueue = `wf-${randomBytes(4).toString('hex')}`;
  const workerConnection = await NativeConnection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection: workerConnection,
    taskQueue,
    workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
    activities: fakes,
  });
  const start = async (input: Omit<ProfileWorkflowInput, 'accountId'>) => {
    const workflowId = workflowIdFor(input.kind, input.id);
    await client().workflow.start(`${input.kind}Workflow`, { taskQueue, workflowId, args: [{ accountId: 'a', ...input }] });
    return workflowId;
  };
  try {
    await worker.runUntil(test(start));
  } finally {
    await workerConnection.close();
  }
}

test('a change while the reminder timer fires is not taken for the timer', async () => {
  let reminders = 0;
  await withWorker(
    {
      async edit() {
        await sleep(1500); // holds the mutex past the timer
        return reviewState(3_600_000);
      },
      async remindReviewers() {
        reminders++;
        return reviewState(3_600_000);
      },
    },
    async (start) => {
      const workflowId = await start({ kind: 'organization', id: randomUUID(), state: reviewState(400) });
      await client()
        .workflow.getHandle(workflowId)
        .executeUpdate(editUpdate, { args: [{ changes: { city: 'Shanghai' }, actor: reviewer }] });
      await sleep(800);
      expect(reminders).toBe(0);
    },
  );
});

test('a resubmission after a rejection (no timer running) is not taken for a reminder', async () => {
  let reminders = 0;
  await withWorker(
    {
      async resubmit() {
        return reviewState(3_600_000);
      },
      async remindReviewers() {
        reminders++;
        return reviewState(3_600_000);
      },
    },
    async (start) => {
      const rejected: ProfileState = { status: 'rejected', nextReminderAt: null, expiringAt: null, validUntil: null };
      const handle = client().workflow.getHandle(await start({ kind: 'organization', id: randomUUID(), state: rejected }));
      expect(await handle.executeUpdate(resubmitUpdate, { args: [{ actor: reviewer }] })).toMatchObject({ status: 'under_review' });
      await sleep(1000);
      expect(reminders).toBe(0);
    },
  );
});

test('reminders repeat past the SLA at the interval the activity returns', async () => {
  const at: number[] = [];
  await withWorker(
    {
      async remindReviewers() {
        at.push(Date.now());
        return reviewState(200);
      },
    },
    async (start) => {
      await start({ kind: 'organization', id: randomUUID(), state: reviewState(100) });
      await eventually(async () => (at.length >= 4 ? true : undefined), 10_000, 'four reminders');
      for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(150);
    },
  );
});

test('handlers run one at a time: a decision and eight edits sent together never overlap', async () => {
  let active = 0;
  let most = 0;
  const order: string[] = [];
  const held = async (name: string) => {
    active++;
    most = Math.max(most, active);
    order.push(name);
    await sleep(30);
    active--;
  };
  await withWorker(
    {
      async decide() {
        await held('decide');
        return { status: 'approved', nextReminderAt: null, expiringAt: inMs(3_600_000), validUntil: inMs(7_200_000), pendingAdministratorIds: [] };
      },
      async edit(_ref, request) {
        await held(`edit ${request.changes.city}`);
        return reviewState(3_600_000);
      },
    },
    async (start) => {
      const handle = client().workflow.getHandle(await start({ kind: 'organization', id: randomUUID(), state: reviewState(3_600_000) }));
      await Promise.all([
        handle.executeUpdate(decideUpdate, { args: [{ ...organizationApproval(), actor: reviewer }] }),
        ...Array.from({ length: 8 }, (_, n) => handle.executeUpdate(editUpdate, { args: [{ changes: { city: `c${n}` }, actor: reviewer }] })),
      ]);
      expect(order).toHaveLength(9);
      expect(most).toBe(1);
    },
  );
});

test('approved → expiring at the window → expired at validUntil, each when its timer fires', async () => {
  const seen: string[] = [];
  const expiringAt = inMs(1500);
  const validUntil = inMs(3000);
  await withWorker(
    {
      async advanceValidity() {
        const status = Date.now() >= Date.parse(validUntil) ? 'expired' : 'expiring';
        seen.push(status);
        return { status, nextReminderAt: null, expiringAt, validUntil };
      },
    },
    async (start) => {
      await start({ kind: 'organization', id: randomUUID(), state: { status: 'approved', nextReminderAt: null, expiringAt, validUntil } });
      await eventually(async () => (seen.includes('expired') ? true : undefined), 10_000, 'expired');
      expect(seen).toEqual(['expiring', 'expired']);
    },
  );
});

test('continue-as-new carries the state: the new run keeps its timer and answers updates', async () => {
  let reminders = 0;
  await withWorker(
    {
      async edit() {
        return reviewState(1500);
      },
      async remindReviewers() {
        reminders++;
        return reviewState(3_600_000);
      },
    },
    async (start) => {
      const handle = client().workflow.getHandle(
        await start({ kind: 'organization', id: randomUUID(), state: reviewState(3_600_000), continueAsNewAfterEvents: 15 }),
      );
      const firstRun = (await handle.describe()).runId;
      for (let n = 0; n < 4; n++) await handle.executeUpdate(editUpdate, { args: [{ changes: { city: `c${n}` }, actor: reviewer }] });
      await eventually(async () => ((await handle.describe()).runId !== firstRun ? true : undefined), 10_000, 'a new run');
      await eventually(async () => (reminders === 1 ? true : undefined), 10_000, 'the carried reminder');
    },
  );
});

test('a delete answers once committed; the administrators it took are told in the background and end', async () => {
  const administratorIds = Array.from({ length: 12 }, () => randomUUID());
  await withWorker(
    {
      async remove(ref) {
        return { administratorIds: ref.kind === 'organization' ? administratorIds : [], domainIds: [] };
      },
    },
    async (start) => {
      for (const id of administratorIds) await start({ kind: 'administrator', id, state: reviewState(3_600_000) });
      const organization = client().workflow.getHandle(await start({ kind: 'organization', id: randomUUID(), state: reviewState(3_600_000) }));
      await organization.executeUpdate(removeUpdate, { args: [{ actor: reviewer }] });
      await eventually(async () => ((await organization.describe()).status.name === 'COMPLETED' ? true : undefined), 10_000, 'organization ended');
      for (const id of administratorIds) {
        await eventually(
          async () => ((await client().workflow.getHandle(workflowIdFor('administrator', id)).describe()).status.name === 'COMPLETED' ? true : undefined),
          10_000,
          'administrator ended',
        );
      }
    },
  );
});

test('a run records one patch marker, at its start: a decision writes the new status and nothing for patches', async () => {
  await withWorker(
    {
      async decide() {
        return { status: 'rejected', nextReminderAt: null, expiringAt: null, validUntil: null, pendingAdministratorIds: [] };
      },
    },
    async (start) => {
      const handle = client().workflow.getHandle(await start({ kind: 'organization', id: randomUUID(), state: reviewState(3_600_000) }));
      await handle.executeUpdate(decideUpdate, { args: [{ decision: 'reject', reason: 'Wrong landline', actor: reviewer }] });
      const events = (await handle.fetchHistory()).events ?? [];
      const patches = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
      expect(patches).toHaveLength(1);
      // In the first workflow task (started, task scheduled, started, completed, then its commands).
      expect(Number(patches[0].eventId)).toBeLessThanOrEqual(6);
      const upserts = events.flatMap((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
      expect(upserts.filter((key) => key === 'TemporalChangeVersion')).toHaveLength(1);
      expect(upserts).toContain('EntityStatus');
    },
  );
});
