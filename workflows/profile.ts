import {
  type SignalDefinition,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { ProfileActivities } from '../activities/profiles';
import { canDecide, canResubmit } from '../src/domain/status';
import { workflowIdFor } from '../src/temporal/ids';
import { ENTITY_STATUS } from '../src/temporal/search-attributes';
import {
  type Actor,
  CONFLICT,
  NOT_FOUND,
  type DecisionRequest,
  decideUpdate,
  type EditRequest,
  editUpdate,
  organizationRejectedSignal,
  organizationRemovedSignal,
  type ProfileState,
  type ProfileWorkflowInput,
  removeUpdate,
  resubmitUpdate,
} from './messages';
import { parentRemovedSignal } from './domain-messages';
import { callerFacing, serializer, shouldContinueAsNew, unlessGone } from './entity-support';

const activities = proxyActivities<ProfileActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { nonRetryableErrorTypes: [CONFLICT, NOT_FOUND, 'BadRequest'] },
});

/**
 * One organization or administrator, for its whole life: review, SLA reminders, expiry, edits, deletion.
 * All status writes go through activities; this code only decides when.
 */
async function profileLifecycle(input: ProfileWorkflowInput): Promise<void> {
  const ref = { kind: input.kind, id: input.id };
  let state: ProfileState = input.state;
  let removed = false;
  let version = 0;
  const lock = serializer();
  const { exclusive } = lock;

  function apply(next: ProfileState): void {
    if (next.status !== state.status) upsertSearchAttributes([{ key: ENTITY_STATUS, value: next.status }]);
    state = next;
    version++;
  }


  const gone = () => {
    removed = true;
  };

  const notRemoved = () => {
    if (removed) throw ApplicationFailure.create({ type: CONFLICT, message: `the ${ref.kind} has been deleted` });
  };

  setHandler(
    decideUpdate,
    (request) =>
      exclusive(async () => {
        const outcome = await callerFacing(() => activities.decide(ref, request), gone);
        const { pendingAdministratorIds, ...next } = outcome;
        apply(next);
        for (const administratorId of pendingAdministratorIds) {
          await signalIfRunning(workflowIdFor('administrator', administratorId), organizationRejectedSignal, { reason: request.reason ?? '' });
        }
        return state;
      }),
    {
      validator: (_request: DecisionRequest) => {
        notRemoved();
        // A racing second decision passes this check but then fails in the activity, under the row lock.
        if (!canDecide(state.status)) throw ApplicationFailure.create({ type: CONFLICT, message: `the ${ref.kind} is ${state.status}, not under review` });
      },
    },
  );

  setHandler(editUpdate, (request) => exclusive(async () => (apply(await callerFacing(() => activities.edit(ref, request), gone)), state)), {
    validator: (_request: EditRequest) => notRemoved(),
  });

  setHandler(resubmitUpdate, ({ actor }) => exclusive(async () => (apply(await callerFacing(() => activities.resubmit(ref, actor), gone)), state)), {
    validator: (_request: { actor: Actor }) => {
      notRemoved();
      if (!canResubmit(state.status)) {
        throw ApplicationFailure.create({ type: CONFLICT, message: `the ${ref.kind} is ${state.status}; only rejected, expiring or expired ones can be resubmitted` });
      }
    },
  });

  setHandler(
    removeUpdate,
    ({ actor }) =>
      exclusive(async () => {
        const { administratorIds, domainIds } = await activities.remove(ref, actor);
        for (const administratorId of administratorIds) {
          await signalIfRunning(workflowIdFor('administrator', administratorId), organizationRemovedSignal);
        }
        for (const domainId of domainIds ?? []) await signalIfRunning(workflowIdFor('domain', domainId), parentRemovedSignal);
        removed = true;
      }),
    { validator: (_request: { actor: Actor }) => notRemoved() },
  );

  if (ref.kind === 'administrator') {
    // Returned, not voided: allHandlersFinished (checked before continue-as-new) then waits for it.
    setHandler(organizationRejectedSignal, ({ reason }) =>
      exclusive(async () => {
        if (!removed) apply(await activities.rejectWithOrganization(ref, reason));
      }),
    );
    setHandler(organizationRemovedSignal, () => {
      removed = true;
    });
  }

  while (!removed) {
    const seen = version;
    const wakeAt = nextWake(state);
    const changed = wakeAt === null
      ? await condition(() => removed || version !== seen)
      : await condition(() => removed || version !== seen, Math.max(wakeAt - Date.now(), 1));
    if (removed) break;
    if (!changed) {
      await exclusive(async () => {
        if (removed) return;
        await unlessGone(async () => {
          if (state.status === 'under_review') apply(await activities.remindReviewers(ref));
          else apply(await activities.advanceValidity(ref));
        }, gone);
      });
    }
    if (shouldContinueAsNew(input.continueAsNewAfterEvents)) {
      await condition(() => !lock.busy && allHandlersFinished());
      if (!removed) await continueAsNew<typeof organizationWorkflow>({ ...input, state });
    }
  }
  await condition(allHandlersFinished);
}

/** The next moment a timer must act: a review reminder, the start of the expiring window, or the end of validity. */
export function nextWake(state: ProfileState): number | null {
  switch (state.status) {
    case 'under_review':
      return state.nextReminderAt ? Date.parse(state.nextReminderAt) : null;
    case 'approved':
      return state.expiringAt ? Date.parse(state.expiringAt) : null;
    case 'expiring':
      return state.validUntil ? Date.parse(state.validUntil) : null;
    default:
      return null;
  }
}


/** A workflow that already ended (deleted meanwhile) has nothing to be told. */
async function signalIfRunning<Args extends unknown[]>(
  workflowId: string,
  signal: SignalDefinition<Args>,
  ...args: Args
): Promise<void> {
  try {
    await getExternalWorkflowHandle(workflowId).signal(signal, ...args);
  } catch (error) {
    if (!(error instanceof Error && /not found|already completed/i.test(error.message))) throw error;
  }
}

export async function organizationWorkflow(input: ProfileWorkflowInput): Promise<void> {
  return profileLifecycle(input);
}

export async function administratorWorkflow(input: ProfileWorkflowInput): Promise<void> {
  return profileLifecycle(input);
}
