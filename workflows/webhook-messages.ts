// Workflow-safe: the messages of the webhook delivery workflow, shared by the API, the dispatcher and the workflow.
import { defineSignal } from '@temporalio/workflow';

export interface WebhookDeliveryInput {
  endpointId: string;
}

/** What the endpoint's queue holds for its workflow now. */
export type NextDelivery =
  /** The endpoint was deleted, or is disabled: nothing is sent until it is enabled again (which wakes the workflow). */
  | { state: 'stopped' }
  /** Nothing pending. */
  | { state: 'idle' }
  /** The head of the queue waits for its retry time. */
  | { state: 'waiting'; dueAt: string }
  /** Send it now; `timeoutMs` is WEBHOOK_TIMEOUT as configured now. */
  | { state: 'due'; deliveryId: string; timeoutMs: number };

export interface AttemptResult {
  status: 'pending' | 'delivered' | 'failed';
  /** The attempt disabled the endpoint (410 Gone, or a message failed the whole schedule). */
  endpointDisabled: boolean;
}

/** New messages for the endpoint (an event, a redelivery, a test) or the endpoint enabled again: look at the queue now. */
export const webhookWakeSignal = defineSignal('wake');

export const webhookWorkflowId = (endpointId: string) => `webhook:${endpointId}`;
