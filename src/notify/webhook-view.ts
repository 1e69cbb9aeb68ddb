import type { WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow } from '../db/schema';
import { TEST_EVENT_TYPE } from './event-types';

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/** A webhook endpoint as the customer sees it: never its secrets (a new one is shown once, by the request that made it). */
export function webhookView(row: WebhookEndpointRow) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    disabledAt: iso(row.disabled_at),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export type WebhookView = ReturnType<typeof webhookView>;

/** One message to an endpoint with every attempt and what the endpoint answered. */
export function deliveryView(
  row: Pick<WebhookDeliveryRow, 'id' | 'message_id' | 'kind' | 'event_id' | 'status' | 'next_attempt_at' | 'created_at' | 'finished_at'> & {
    type: string | null;
  },
  attempts: WebhookAttemptRow[],
) {
  return {
    id: String(row.id),
    messageId: row.message_id,
    kind: row.kind,
    eventId: row.event_id === null ? null : `evt_${row.event_id}`,
    eventType: row.type ?? TEST_EVENT_TYPE,
    status: row.status,
    nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    createdAt: iso(row.created_at),
    finishedAt: iso(row.finished_at),
    attempts: attempts.map((a) => ({
      at: iso(a.at),
      durationMs: a.duration_ms,
      statusCode: a.status_code,
      error: a.error,
      responseBody: a.response_body,
    })),
  };
}
