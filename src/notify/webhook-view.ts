import type { WebhookEndpointRow } from '../db/schema';

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
