import { type Client, WithStartWorkflowOperation } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { DcvConfig } from '../config';
import type { OrganizationNames } from '../db/organization-names';
import type { DomainRow } from '../db/schema';
import { domainIdentityOf, domainStateOf } from '../dcv/domain-state';
import { type DomainWorkflowInput, parentRemovedSignal, replanRenewalSignal } from '../../workflows/domain-messages';
import type { domainValidationWorkflow } from '../../workflows/domain';
import { workflowIdFor } from './ids';
import { signalIfRunning, startOnce } from './idempotent-calls';
import { interactively, PRIORITY } from './priority';
import { ACCOUNT_ID, DOMAIN_NAME, ENTITY_KIND, ENTITY_STATUS, NEEDS_ATTENTION, ORGANIZATION_ID, ORGANIZATION_NAME } from './search-attributes';
import { DEFAULT_DEADLINE_MS, updateProblem } from './update-errors';

export interface DomainWorkflows {
  /** A create's start, idempotent (`startOnce`: a running workflow is left as it is, a closed one not started again); gives up when `signal` aborts, or after the request deadline without one. */
  start(row: DomainRow, signal?: AbortSignal): Promise<void>;
  update<Ret, Arg>(row: DomainRow, update: UpdateDefinition<Ret, [Arg]>, arg: Arg, updateId?: string): Promise<Ret>;
  /** Tells domain `id`'s workflow to plan its renewal again (`replanRenewalSignal`); a workflow that is gone is no error. */
  replanRenewal(id: string): Promise<void>;
  /** Its administrator's or organization's delete, for a domain whose workflow did not exist yet when it took the row; a workflow that is gone is no error. */
  removeWithParent(id: string): Promise<void>;
}

/**
 * `deadlineMs` bounds every call (REQUEST_DEADLINE): past it the API answers 503 rather than wait.
 * `names` finds the domain's organization (its id and legal name) for the operator's view.
 */
export function domainWorkflows(
  client: Client,
  taskQueue: string,
  dcv: DcvConfig,
  continueAsNewAfterEvents?: number,
  deadlineMs = DEFAULT_DEADLINE_MS,
  names?: OrganizationNames,
): DomainWorkflows {
  async function options(row: DomainRow) {
    // Its id and legal name: operators find all of an organization's workflows by either.
    const organization = await names?.({ administratorId: row.administrator_id });
    const organizationName = organization?.name;
    const input: DomainWorkflowInput = {
      domain: domainIdentityOf(row),
      state: domainStateOf(row, dcv.revalidateBefore),
      organizationName,
      continueAsNewAfterEvents,
    };
    return {
      workflowId: workflowIdFor('domain', row.id),
      taskQueue,
      args: [input] as [DomainWorkflowInput],
      workflowIdConflictPolicy: 'USE_EXISTING' as const,
      priority: PRIORITY.bulk,
      typedSearchAttributes: [
        { key: ACCOUNT_ID, value: row.account_id },
        { key: ENTITY_KIND, value: 'domain' },
        { key: ENTITY_STATUS, value: row.status },
        { key: DOMAIN_NAME, value: row.name },
        ...(organization === undefined ? [] : [{ key: ORGANIZATION_ID, value: organization.id }]),
        { key: NEEDS_ATTENTION, value: row.needs_attention },
        ...(organizationName === undefined ? [] : [{ key: ORGANIZATION_NAME, value: organizationName }]),
      ],
      staticSummary: `Domain ${row.name} (${row.method})`,
    };
  }
  return {
    async start(row, signal) {
      const start = await options(row);
      await startOnce<typeof domainValidationWorkflow>(client, signal ?? AbortSignal.timeout(deadlineMs), 'domainValidationWorkflow', start);
    },
    async update(row, update, arg, updateId) {
      const start = { ...(await options(row)), priority: PRIORITY.interactive };
      const startWorkflowOperation = new WithStartWorkflowOperation<typeof domainValidationWorkflow>('domainValidationWorkflow', start);
      try {
        return await client.withAbortSignal(AbortSignal.timeout(deadlineMs), () =>
          interactively(client, start.workflowId, () => client.workflow.executeUpdateWithStart(update, { args: [arg], startWorkflowOperation, updateId })),
        );
      } catch (error) {
        throw updateProblem(error);
      }
    },
    async replanRenewal(id) {
      await signalIfRunning(client, deadlineMs, workflowIdFor('domain', id), replanRenewalSignal);
    },
    async removeWithParent(id) {
      await signalIfRunning(client, deadlineMs, workflowIdFor('domain', id), parentRemovedSignal);
    },
  };
}
