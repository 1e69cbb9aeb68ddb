import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks';
import { type WebhookDeliveryInput, webhookWakeSignal } from './webhook-messages';

const queue = proxyActivities<Pick<WebhookActivities, 'nextDelivery'>>({ startToCloseTimeout: '15 seconds' });

/** How long an idle run waits for new messages before it ends (the dispatcher starts a new one when needed). */
const IDLE_MS = 60_000;
/** Continue-as-new past this many history events, well before the server's limits. */
const MAX_HISTORY = 2_000;

/**
 * One endpoint's deliveries, in order: the head of its queue (tests and redeliveries first, then events in
 * feed order) is attempted when due, and a failed one holds the rest back until it is delivered or fails
 * for good. The queue and its retry times are rows in PostgreSQL (activities/webhooks.ts), so this holds
 * no state: a run that dies, ends or continues as new loses nothing. An attempt is an activity with a
 * bounded timeout; a worker killed during one makes Temporal retry it elsewhere, with the same message
 * and `webhook-id` (at least once, as Standard Webhooks allows).
 */
export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<void> {
  let woken = false;
  setHandler(webhookWakeSignal, () => void (woken = true));
  for (;;) {
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > MAX_HISTORY) await continueAsNew<typeof webhookDeliveryWorkflow>(input);
    woken = false;
    const next = await queue.nextDelivery(input.endpointId);
    if (next.state === 'stopped') return;
    if (next.state === 'idle') {
      if (await condition(() => woken, IDLE_MS)) continue;
      return;
    }
    if (next.state === 'waiting') {
      await condition(() => woken, Math.max(Date.parse(next.dueAt) - Date.now(), 1));
      continue;
    }
    // DNS, connection and answer are bounded by timeoutMs; the margin covers the database work around them.
    const sender = proxyActivities<Pick<WebhookActivities, 'attemptDelivery'>>({
      startToCloseTimeout: next.timeoutMs + 15_000,
      retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
    });
    const result = await sender.attemptDelivery(next.deliveryId);
    if (result.endpointDisabled) return;
  }
}
