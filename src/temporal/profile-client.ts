import { type Client, WithStartWorkflowOperation } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Timings } from '../config';
import type { OrganizationNames } from '../db/organization-names';
import type { AdministratorRow, OrganizationRow } from '../db/schema';
import { profileStateOf } from '../domain/profile-state';
import type { ProfileKind } from '../domain/status';
import { organizationRejectedSignal, organizationRemovedSignal, organizationRenamedSignal, type ProfileWorkflowInput } from '../../workflows/messages';
import type { organizationWorkflow } from '../../workflows/profile';
import { workflowIdFor } from './ids';
import { signalIfRunning, startOnce } from './idempotent-calls';
import { interactively, PRIORITY } from './priority';
import { DEFAULT_DEADLINE_MS, updateProblem } from './update-errors';
import { ACCOUNT_ID, ENTITY_KIND, ENTITY_STATUS, NEEDS_ATTENTION, ORGANIZATION_ID, ORGANIZATION_NAME } from './search-attributes';

type Row = OrganizationRow | AdministratorRow;

export interface ProfileWorkflows {
  /**
   * A create's start, idempotent (`startOnce`): a running workflow is left as it is, a closed one not started again. Gives up (throws) when `signal`
   * aborts, or after the request deadline without one, so an unreachable Temporal cannot hang a request.
   * `organizationName`: an administrator's organization's legal name when the caller has it (else looked up).
   */
  start(kind: ProfileKind, row: Row, signal?: AbortSignal, organizationName?: string): Promise<void>;
  /** Delivers an update, starting the workflow first if it is missing (so a lost start never blocks a decision). */
  update<Ret, Arg>(kind: ProfileKind, row: Row, update: UpdateDefinition<Ret, [Arg]>, arg: Arg, updateId?: string): Promise<Ret>;
  /** The organization's rejection, for an administrator whose workflow did not exist yet when it happened; a workflow that is gone is no error. */
  rejectWithOrganization(administratorId: string, reason: string): Promise<void>;
  /** The organization's new legal name, for an administrator whose workflow did not exist yet when it changed; a workflow that is gone is no error. */
  renameOrganization(administratorId: string, name: string): Promise<void>;
  /** The organization's delete, for an administrator whose workflow did not exist yet when it took the row; a workflow that is gone is no error. */
  removeWithOrganization(administratorId: string): Promise<void>;
}

/**
 * `deadlineMs` bounds every call (REQUEST_DEADLINE): past it the API answers 503 rather than wait.
 * `names` finds an administrator's organization's legal name for the operator's view (without it,
 * administrators' workflows start without one and learn it at the organization's next rename).
 */
export function profileWorkflows(
  client: Client,
  taskQueue: string,
  timings: Timings,
  continueAsNewAfterEvents?: number,
  deadlineMs = DEFAULT_DEADLINE_MS,
  names?: OrganizationNames,
): ProfileWorkflows {
  async function options(kind: ProfileKind, row: Row, knownName?: string) {
    const organizationId = 'organization_id' in row ? row.organization_id : row.id;
    const organizationName = 'name' in row ? row.name : (knownName ?? (await names?.({ organizationId }))?.name);
    const input: ProfileWorkflowInput = {
      kind,
      id: row.id,
      accountId: row.account_id,
      organizationId,
      organizationName,
      continueAsNewAfterEvents,
      state: profileStateOf(row, timings.expiringWindow),
    };
    return {
      workflowId: workflowIdFor(kind, row.id),
      taskQueue,
      args: [input] as [ProfileWorkflowInput],
      workflowIdConflictPolicy: 'USE_EXISTING' as const,
      priority: PRIORITY.bulk,
      typedSearchAttributes: [
        { key: ACCOUNT_ID, value: row.account_id },
        { key: ENTITY_KIND, value: kind },
        { key: ENTITY_STATUS, value: row.status },
        { key: ORGANIZATION_ID, value: organizationId },
        ...(organizationName === undefined ? [] : [{ key: ORGANIZATION_NAME, value: organizationName }]),
        // Set by the workflow when the review passes its due time.
        { key: NEEDS_ATTENTION, value: false },
      ],
      // Listed by the Temporal UI to whoever can decode it: ids only, never a name, email, phone or address.
      staticSummary: kind === 'organization' ? `Organization ${row.id}` : `Administrator ${row.id} of organization ${organizationId}`,
    };
  }

  // By name, so the API process never loads workflow code.
  const workflowOf = (kind: ProfileKind) => `${kind}Workflow`;

  return {
    async start(kind, row, signal, organizationName) {
      const start = await options(kind, row, organizationName);
      await startOnce<typeof organizationWorkflow>(client, signal ?? AbortSignal.timeout(deadlineMs), workflowOf(kind), start);
    },
    async update(kind, row, update, arg, updateId) {
      const start = { ...(await options(kind, row)), priority: PRIORITY.interactive };
      const startWorkflowOperation = new WithStartWorkflowOperation<typeof organizationWorkflow>(workflowOf(kind), start);
      try {
        return await client.withAbortSignal(AbortSignal.timeout(deadlineMs), () =>
          interactively(client, start.workflowId, () => client.workflow.executeUpdateWithStart(update, { args: [arg], startWorkflowOperation, updateId })),
        );
      } catch (error) {
        throw updateProblem(error);
      }
    },
    async rejectWithOrganization(administratorId, reason) {
      await signalIfRunning(client, deadlineMs, workflowIdFor('administrator', administratorId), organizationRejectedSignal, { reason });
    },
    async renameOrganization(administratorId, name) {
      await signalIfRunning(client, deadlineMs, workflowIdFor('administrator', administratorId), organizationRenamedSignal, { name });
    },
    async removeWithOrganization(administratorId) {
      await signalIfRunning(client, deadlineMs, workflowIdFor('administrator', administratorId), organizationRemovedSignal);
    },
  };
}
