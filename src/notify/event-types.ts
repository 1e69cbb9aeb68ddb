// The public event vocabulary of the account feed and webhooks (issue 11), and which audit actions
// cause which event. Pure: no I/O.

const PROFILE_EVENTS = ['submitted', 'approved', 'rejected', 'expiring', 'expired', 'deleted'] as const;
const DOMAIN_EVENTS = ['added', 'validated', 'failed', 'needs_attention', 'recovered', 'expiring', 'expired', 'deleted'] as const;

/** Every event type the feed and webhooks carry, in the documented order. */
export const EVENT_TYPES = [
  ...PROFILE_EVENTS.map((e) => `organization.${e}` as const),
  ...PROFILE_EVENTS.map((e) => `administrator.${e}` as const),
  ...DOMAIN_EVENTS.map((e) => `domain.${e}` as const),
  'review.overdue',
  'webhook.disabled',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** What an event is about: the kind of its `objectId`. */
export type ObjectKind = 'organization' | 'administrator' | 'domain' | 'webhook';

/** Sent only by `POST /v1/webhooks/{id}/test`, to that endpoint; never in the feed. */
export const TEST_EVENT_TYPE = 'webhook.test';

export const isEventType = (text: string): text is EventType => (EVENT_TYPES as readonly string[]).includes(text);

const PROFILE_ACTIONS: Record<string, (typeof PROFILE_EVENTS)[number]> = {
  submitted: 'submitted',
  resubmitted: 'submitted',
  approved: 'approved',
  rejected: 'rejected',
  rejected_with_organization: 'rejected',
  expiring: 'expiring',
  expired: 'expired',
  deleted: 'deleted',
  deleted_with_organization: 'deleted',
};

const DOMAIN_ACTIONS: Record<string, (typeof DOMAIN_EVENTS)[number]> = {
  added: 'added',
  validated: 'validated',
  revalidated: 'validated',
  failed: 'failed',
  needs_attention: 'needs_attention',
  attention_cleared: 'recovered',
  expired: 'expired',
  deleted: 'deleted',
  deleted_with_administrator: 'deleted',
  deleted_with_organization: 'deleted',
};

/**
 * The public event an audit action causes, or null for internal steps (a scan started, a record
 * published, an edit that keeps the status). An edit that sends a profile back to review is a new
 * submission; every overdue reminder is a `review.overdue`.
 */
export function feedTypeOf(kind: 'organization' | 'administrator' | 'domain', action: string, after?: unknown): EventType | null {
  if (kind === 'domain') return DOMAIN_ACTIONS[action] ? `domain.${DOMAIN_ACTIONS[action]}` : null;
  if (action === 'review_overdue') return 'review.overdue';
  if (action === 'edited') return (after as { status?: string } | undefined)?.status === 'under_review' ? `${kind}.submitted` : null;
  return PROFILE_ACTIONS[action] ? `${kind}.${PROFILE_ACTIONS[action]}` : null;
}
