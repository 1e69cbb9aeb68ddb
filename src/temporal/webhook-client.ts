import type { Client } from '@temporalio/client';
import type { webhookDeliveryWorkflow } from '../../workflows/webhook-delivery';
import { type WebhookDeliveryInput, webhookWakeSignal, webhookWorkflowId } from '../../workflows/webhook-messages';
import { signalIfRunning } from './idempotent-calls';
import { ACCOUNT_ID, ENTITY_KIND } from './search-attributes';
import { DEFAULT_DEADLINE_MS } from './update-errors';

export interface WebhookWorkflows {
  /** Tells the endpoint's delivery workflow to look at its queue, starting it if it is not running. Bounded by the deadline. */
  wake(endpoint: { id: string; accountId: string }): Promise<void>;
  /**
   * Wakes the endpoint's delivery workflow if it runs (never starts one), bounded by the deadline: after the
   * endpoint's delete it looks at its queue at once, finds the endpoint gone and ends, rather than at its
   * next retry or idle timeout (up to a minute). Rejects when Temporal does not answer.
   */
  wakeIfRunning(endpointId: string): Promise<void>;
}

/**
 * Signal-with-start of `webhook:<endpointId>`: one delivery workflow per endpoint, so its messages go
 * out one at a time, in order. Its ID, summary and search attributes name ids only (no URL).
 */
export function webhookWorkflows(client: Client, taskQueue: string, deadlineMs = DEFAULT_DEADLINE_MS): WebhookWorkflows {
  return {
    async wake(endpoint) {
      await client.withAbortSignal(AbortSignal.timeout(deadlineMs), () =>
        client.workflow.signalWithStart<typeof webhookDeliveryWorkflow, []>('webhookDeliveryWorkflow', {
          workflowId: webhookWorkflowId(endpoint.id),
          taskQueue,
          args: [{ endpointId: endpoint.id } satisfies WebhookDeliveryInput],
          signal: webhookWakeSignal,
          signalArgs: [],
          typedSearchAttributes: [
            { key: ACCOUNT_ID, value: endpoint.accountId },
            { key: ENTITY_KIND, value: 'webhook' },
          ],
          staticSummary: `Webhook deliveries of ${endpoint.id}`,
        }),
      );
    },
    wakeIfRunning: (endpointId) => signalIfRunning(client, deadlineMs, webhookWorkflowId(endpointId), webhookWakeSignal),
  };
}
