import { ApplicationFailure, continueAsNew, getExternalWorkflowHandle, proxyActivities, setHandler, type SignalDefinition } from '@temporalio/workflow';
import type { ProfileActivities } from '../activities/profiles';
import { profileDetails, reviewOverdue } from '../src/domain/operator-view';
import { canDecide, canResubmit } from '../src/domain/status';
import { FAILURE } from '../src/domain/vocabulary';
import { workflowIdFor } from '../src/temporal/ids';
import { NEEDS_ATTENTION, ORGANIZATION_NAME } from '../src/temporal/search-attributes';
import { parentRemovedSignal } from './domain-messages';
import { callerFacing, EntityCore } from './entity-core';
import { foldPatches } from './patches';
import {
  type Actor,
  type DecisionRequest,
  decideUpdate,
  type EditRequest,
  editUpdate,
  organizationRejectedSignal,
  organizationRemovedSignal,
  organizationRenamedSignal,
  type ProfileState,
  type ProfileWorkflowInput,
  removeUpdate,
  resubmitUpdate,
} from './messages';

const activities = proxyActivities<ProfileActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { nonRetryableErrorTypes: Object.values(FAILURE) },
});

/** Runs before this patch cascaded inside the handler, one signal at a time, and took a change for a timer. */
const ENTITY_CORE_PATCH = 'entity-core-v2';

/**
 * Since this patch the workflow keeps the operator's view in its search attributes: OrganizationName
 * (renames reach the administrators' and domains' workflows too) and NeedsAttention for an overdue review.
 */
export const OPERATOR_VIEW_PATCH = 'operator-view';

/**
 * The one patch a run started since records, at its start (issue 9): it stands for the two above. Each
 * patch marker comes with a TemporalChangeVersion upsert, a visibility write, and the operator-view
 * patch's fell in the first decision's workflow task. Runs recorded before it ask each patch as they ran.
 */
export const PROFILE_CURRENT_PATCH = 'profile-current-2026-11';

/**
 * One organization or administrator, for its whole life: review with SLA reminders, approval, expiry,
 * edits, resubmission and deletion. Status is written only by activities; this code decides when.
 */
async function profileLifecycle(input: ProfileWorkflowInput): Promise<void> {
  const ref = { kind: input.kind, id: input.id };
  const { since } = foldPatches({ order: [ENTITY_CORE_PATCH, OPERATOR_VIEW_PATCH, PROFILE_CURRENT_PATCH], folds: [PROFILE_CURRENT_PATCH] });
  const current = since(ENTITY_CORE_PATCH);
  /** The legal name as this run knows it: an organization's from its own state, an administrator's from its organization's messages. */
  let organizationName = input.state.organizationName ?? input.organizationName;
  const entity = new EntityCore<ProfileState>(
    input.state,
    !current,
    (state) =>
      since(OPERATOR_VIEW_PATCH)
        ? [
            { key: NEEDS_ATTENTION, value: reviewOverdue(state) },
            // A state without the name (a run recorded before it) leaves the attribute as it is.
            ...(state.organizationName === undefined ? [] : [{ key: ORGANIZATION_NAME, value: state.organizationName }]),
          ]
        : [],
    (state) => profileDetails(ref.kind, ref.id, input.organizationId, state.organizationName ?? organizationName, state),
  );

  /** An organization whose legal name changed tells its administrators' and domains' workflows, in the background. */
  async function announceRename(): Promise<void> {
    const name = entity.state.organizationName;
    if (ref.kind !== 'organization' || name === undefined || name === organizationName) return;
    const previous = organizationName;
    organizationName = name;
    // Runs recorded before the patch had no names (their results carry none), so they never get here on replay.
    if (previous === undefined || !since(OPERATOR_VIEW_PATCH)) return;
    const { administratorIds, domainIds } = await activities.membersOf(ref);
    await cascade(
      administratorIds.map((id) => workflowIdFor('administrator', id)),
      organizationRenamedSignal,
      { name },
    );
    await cascade(
      domainIds.map((id) => workflowIdFor('domain', id)),
      organizationRenamedSignal,
      { name },
    );
  }

  /** Tells other workflows (an organization's administrators and domains): in parallel, after the handler answered. */
  function cascade<Args extends unknown[]>(workflowIds: string[], signal: SignalDefinition<Args>, ...args: Args): Promise<void> | undefined {
    if (current) return void entity.inBackground(Promise.all(workflowIds.map((id) => signalIfRunning(id, signal, ...args))));
    return workflowIds.reduce((previous, id) => previous.then(() => signalIfRunning(id, signal, ...args)), Promise.resolve());
  }

  setHandler(
    decideUpdate,
    (request) =>
      entity.exclusive(async () => {
        const { pendingAdministratorIds, ...next } = await callerFacing(() => activities.decide(ref, request), entity.markRemoved);
        entity.apply(next);
        await cascade(
          pendingAdministratorIds.map((id) => workflowIdFor('administrator', id)),
          organizationRejectedSignal,
          { reason: request.reason ?? '' },
        );
        return entity.state;
      }),
    {
      validator: (_request: DecisionRequest) => {
        entity.ensureNotRemoved(ref.kind);
        // A racing second decision passes this check but then fails in the activity, under the row lock.
        if (!canDecide(entity.state.status)) throw conflict(`the ${ref.kind} is ${entity.state.status}, not under review`);
      },
    },
  );

  setHandler(
    editUpdate,
    (request) =>
      entity.exclusive(async () => {
        entity.apply(await callerFacing(() => activities.edit(ref, request), entity.markRemoved));
        await announceRename();
        return entity.state;
      }),
    {
      validator: (_request: EditRequest) => entity.ensureNotRemoved(ref.kind),
    },
  );

  setHandler(
    resubmitUpdate,
    ({ actor }) => entity.exclusive(async () => (entity.apply(await callerFacing(() => activities.resubmit(ref, actor), entity.markRemoved)), entity.state)),
    {
      validator: (_request: { actor: Actor }) => {
        entity.ensureNotRemoved(ref.kind);
        if (!canResubmit(entity.state.status)) {
          throw conflict(`the ${ref.kind} is ${entity.state.status}; only rejected, expiring or expired ones can be resubmitted`);
        }
      },
    },
  );

  // Answers once the delete committed; the administrators and domains it took with it are told in the background.
  setHandler(
    removeUpdate,
    ({ actor }) =>
      entity.exclusive(async () => {
        const { administratorIds, domainIds } = await activities.remove(ref, actor);
        await cascade(
          administratorIds.map((id) => workflowIdFor('administrator', id)),
          organizationRemovedSignal,
        );
        await cascade(
          (domainIds ?? []).map((id) => workflowIdFor('domain', id)),
          parentRemovedSignal,
        );
        entity.markRemoved();
      }),
    { validator: (_request: { actor: Actor }) => entity.ensureNotRemoved(ref.kind) },
  );

  if (ref.kind === 'administrator') {
    // Returned, not voided: allHandlersFinished (checked before continue-as-new) then waits for it.
    setHandler(organizationRejectedSignal, ({ reason }) =>
      entity.exclusive(async () => {
        if (!entity.removed) entity.apply(await activities.rejectWithOrganization(ref, reason));
      }),
    );
    setHandler(organizationRemovedSignal, entity.markRemoved);
    entity.followOrganizationName((name) => (organizationName = name));
  }

  await entity.run({
    nextWake,
    async onWake() {
      if (entity.state.status === 'under_review') entity.apply(await activities.remindReviewers(ref));
      else entity.apply(await activities.advanceValidity(ref));
    },
    continueAsNew: (state) => continueAsNew<typeof organizationWorkflow>({ ...input, state, organizationName }),
    continueAsNewAfterEvents: input.continueAsNewAfterEvents,
  });
}

const conflict = (message: string) => ApplicationFailure.create({ type: FAILURE.conflict, message });

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
async function signalIfRunning<Args extends unknown[]>(workflowId: string, signal: SignalDefinition<Args>, ...args: Args): Promise<void> {
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
