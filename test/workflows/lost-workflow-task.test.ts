import { randomBytes, randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { operationOf } from '../../activities/operation';
import type { ProfileActivities } from '../../activities/profiles';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../src/temporal/worker';
import { workflowIdFor } from '../../src/temporal/ids';
import { decideUpdate, organizationRejectedSignal, type ProfileState } from '../../workflows/messages';
import { organizationApproval } from '../support/review-records';
import { clientForThisFile, inMs } from './support';

/**
 * A local activity's change commits, and the workflow task that ran it is lost (the worker dies before
 * it completes): no marker in the history, so nothing there says which sequence number (activity id)
 * that attempt had. Another message handled first by the retried task must not be given that id, and
 * the retried request must find its own change.
 */
const client = clientForThisFile();
const reviewer = { kind: 'reviewer' as const, id: 'r1' };
const underReview: ProfileState = { status: 'under_review', nextReminderAt: inMs(3_600_000), expiringAt: null, validUntil: null };
const approved = (): ProfileState => ({ status: 'approved', nextReminderAt: null, expiringAt: inMs(3_600_000), validUntil: inMs(7_200_000) });

let bundle: { code: string };
beforeAll(async () => {
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES, require.resolve('./lost-task-interceptor')],
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
}, 120_000);

test('a decision whose workflow task is lost after its commit keeps its operation; a signal handled first gets another', async () => {
  const taskQueue = `lost-${randomBytes(4).toString('hex')}`;
  const id = randomUUID();
  const workflowId = workflowIdFor('administrator', id);
  /** The fake database's events: which activity wrote under which operation id. */
  const committed = new Map<string, string>();
  const seen: Array<[string, string | null]> = [];
  const fakes: Partial<ProfileActivities> = {
    async decide(_ref, _request, given) {
      const operation = operationOf(given)!;
      seen.push(['decide', operation]);
      if (committed.get(operation) === 'decide') return { ...approved(), pendingAdministratorIds: [] };
      if (committed.size > 0)
        throw ApplicationFailure.create({ type: 'Conflict', message: 'the administrator is approved, not under review', nonRetryable: true });
      committed.set(operation, 'decide');
      // The organization is rejected by another reviewer meanwhile: its signal is in the history before the retried task.
      await client().workflow.getHandle(workflowId).signal(organizationRejectedSignal, { reason: 'no' });
      return { ...approved(), pendingAdministratorIds: [], loseWorkflowTask: true } as never;
    },
    async rejectWithOrganization() {
      const operation = operationOf()!;
      seen.push(['rejectWithOrganization', operation]);
      // The administrator is approved already: nothing to reject (the real activity would find "its own" change under a shared id).
      return approved();
    },
  };
  const connection = await NativeConnection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  const worker = await Worker.create({ connection, taskQueue, workflowBundle: bundle, activities: fakes });
  try {
    await worker.runUntil(async () => {
      await client().workflow.start('administratorWorkflow', {
        taskQueue,
        workflowId,
        args: [{ accountId: 'a', kind: 'administrator', id, organizationId: randomUUID(), state: underReview }],
      });
      const state = await client()
        .workflow.getHandle(workflowId)
        .executeUpdate(decideUpdate, { args: [{ ...organizationApproval(), actor: reviewer }], updateId: `decide-${id}` });
      expect(state.status).toBe('approved');
    });
  } finally {
    await connection.close();
  }
  const decides = seen.filter(([type]) => type === 'decide').map(([, op]) => op);
  const others = seen.filter(([type]) => type !== 'decide').map(([, op]) => op);
  expect(decides.length).toBeGreaterThanOrEqual(2);
  expect(new Set(decides).size).toBe(1); // the retried decision found its own change
  expect(others.length).toBeGreaterThan(0);
  for (const op of others) expect(decides).not.toContain(op); // no other activity was given the decision's operation
}, 60_000);
