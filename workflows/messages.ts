// Workflow-safe: the messages of the profile workflows, shared by the API (client side) and the workflows.
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ReviewDecision } from '../src/domain/review-records';
import type { ProfileKind, ProfileStatus } from '../src/domain/status';
import { type Actor, FAILURE } from '../src/domain/vocabulary';

export type { Actor };

export interface ProfileRef {
  kind: ProfileKind;
  id: string;
}

/**
 * The part of the read model the workflow needs for its timers and the operator's view; ISO strings so it
 * survives JSON. The optional fields came later: histories recorded before them replay without them.
 */
export interface ProfileState {
  status: ProfileStatus;
  nextReminderAt: string | null;
  expiringAt: string | null;
  validUntil: string | null;
  /** When the review under way is due (the SLA); null outside a review. */
  dueAt?: string | null;
  /** An organization's legal name (organizations only). */
  organizationName?: string;
}

export interface ProfileWorkflowInput extends ProfileRef {
  accountId: string;
  organizationId?: string;
  /** The organization's legal name when the workflow started (or continued as new), for the operator's view. */
  organizationName?: string;
  state: ProfileState;
  /** Test hook: continue-as-new once history exceeds this many events (production relies on the server's suggestion). */
  continueAsNewAfterEvents?: number;
}

/**
 * A reviewer's decision with its record (`callback` for organizations, `verification` for
 * administrators), passed through to the decide activity. The record fields are optional additions:
 * histories recorded before them (`{ decision, reason?, actor }`) replay unchanged.
 */
export interface DecisionRequest extends ReviewDecision {
  actor: Actor;
}

export interface EditRequest {
  /** Normalized API field names (camelCase) to their new values. */
  changes: Record<string, string | null>;
  actor: Actor;
}

export const decideUpdate = defineUpdate<ProfileState, [DecisionRequest]>('decide');
export const editUpdate = defineUpdate<ProfileState, [EditRequest]>('edit');
export const resubmitUpdate = defineUpdate<ProfileState, [{ actor: Actor }]>('resubmit');
export const removeUpdate = defineUpdate<void, [{ actor: Actor }]>('remove');

/** Sent by an organization's workflow to its administrators' workflows. */
export const organizationRejectedSignal = defineSignal<[{ reason: string }]>('organizationRejected');
export const organizationRemovedSignal = defineSignal('organizationRemoved');
/** Sent by an organization's workflow to its administrators' and domains' workflows when its legal name changed. */
export const organizationRenamedSignal = defineSignal<[{ name: string }]>('organizationRenamed');

/** Shorthands of the failure types in src/domain/vocabulary.ts. */
export const CONFLICT = FAILURE.conflict;
export const NOT_FOUND = FAILURE.notFound;
