import type { ColumnType, Generated, Selectable } from 'kysely';
import type { DcvMethod } from '../dcv/instructions';
import type { ProfileStatus } from '../domain/status';
import type { DomainStatus } from '../domain/vocabulary';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface AccountTable {
  id: string;
  name: string;
  created_at: CreatedAt;
}

export interface ReviewerTable {
  id: string;
  name: string;
  created_at: CreatedAt;
}

export interface ApiKeyTable {
  id: string;
  /** Shown as the actor of the changes made with the key; an account's first key is "default". */
  name: ColumnType<string, string | undefined, string>;
  /** sha256 of the key; the key itself is shown once and never stored. */
  key_hash: string;
  role: 'customer' | 'reviewer';
  account_id: string | null;
  reviewer_id: string | null;
  created_at: CreatedAt;
  /** Set when revoked: the key authenticates no more, and its row still names it in the audit trail. */
  revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The console user who created it (null for the CLI's keys). */
  created_by: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A console user (see the 2026_11_30_150 migration): an account's owner or member, or a CA reviewer. */
export interface UserTable {
  id: string;
  email: string;
  /** `mailboxKey(email)`: unique across the service. */
  email_key: string;
  name: string;
  /** argon2id PHC string; null until the user accepted an invitation. */
  password_hash: string | null;
  role: 'owner' | 'member' | 'reviewer';
  account_id: string | null;
  reviewer_id: string | null;
  created_at: CreatedAt;
  /** When an owner removed the user: the row stays so the audit trail names them; `email_key` is freed. */
  removed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface UserInvitationTable {
  /** sha256 of the invitation token, which only the link holds. */
  token_hash: string;
  user_id: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

export interface ConsoleSessionTable {
  /** sha256 of the session cookie's value. */
  id_hash: string;
  user_id: string;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface LoginFailureTable {
  /** `email:<mailbox key>` or `address:<client address>`. */
  key: string;
  window_started_at: Timestamp;
  failures: number;
}

/** The single row src/db/secret-key-check.ts compares every process's SECRET_KEY against. */
export interface SecretKeyCheckTable {
  id: Generated<number>;
  sealed: string;
  created_at: CreatedAt;
}

/** A reviewer working on a pending review, until `expires_at`. */
export interface ReviewClaimTable {
  entity_id: string;
  entity_kind: 'organization' | 'administrator';
  reviewer_id: string;
  claimed_at: Timestamp;
  expires_at: Timestamp;
}

/** Columns both reviewed kinds share: status and review timestamps, written only by their workflow. */
interface ReviewedColumns {
  account_id: string;
  status: ProfileStatus;
  submitted_at: Timestamp;
  due_at: Timestamp;
  approved_at: Timestamp | null;
  valid_until: Timestamp | null;
  rejection_reason: string | null;
  /** Set once the entity's workflow is known to run; the reconciler starts the rest. */
  workflow_started: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface OrganizationTable extends ReviewedColumns {
  id: string;
  name: string;
  display_name: string | null;
  department: string | null;
  country: string;
  province: string;
  city: string;
  address: string;
  postal_code: string | null;
  landline: string;
}

export interface AdministratorTable extends ReviewedColumns {
  id: string;
  organization_id: string;
  first_name: string;
  last_name: string;
  position: string;
  phone: string;
  email: string;
}

export interface EventTable {
  id: Generated<string>;
  account_id: string;
  entity_kind: 'organization' | 'administrator' | 'domain';
  entity_id: string;
  at: CreatedAt;
  actor_kind: 'customer' | 'reviewer' | 'system';
  actor_id: string | null;
  action: string;
  before: unknown;
  after: unknown;
  note: string | null;
  /** The activity execution that wrote it (`<runId>/<activityId>`), for retries after a commit. */
  operation_id: string | null;
}

/** One completed review of an organization or administrator, with the evidence recorded (see the 2026_11_30_020 migration). */
export interface ProfileReviewTable {
  id: Generated<string>;
  account_id: string;
  entity_kind: 'organization' | 'administrator';
  entity_id: string;
  submitted_at: Timestamp;
  decided_at: Timestamp;
  status: 'approved' | 'rejected';
  reason: string | null;
  actor_kind: 'reviewer' | 'system';
  actor_id: string | null;
  /** `callback` to the organization's landline; `email` / `phone` verification of an administrator; null without a record. */
  check_method: 'callback' | 'email' | 'phone' | null;
  /** The number called or the address / number the administrator was reached at. */
  check_contact: string | null;
  check_at: Timestamp | null;
  check_outcome: string | null;
  answered_by_name: string | null;
  answered_by_role: string | null;
  /** The reviewer's own note: shown to reviewers only. */
  reviewer_note: string | null;
}

/** How `fingerprint` was computed: 1 with the router's own path (before 2026-12-01), 2 with the full path. */
type FingerprintVersion = ColumnType<number, number | undefined, never>;

export interface IdempotencyKeyTable {
  account_id: string;
  key: string;
  fingerprint: string;
  fingerprint_version: FingerprintVersion;
  status_code: number;
  body: unknown;
  created_at: CreatedAt;
}

/** Owned by an account or by a reviewer (exactly one is set). */
export interface UpdateKeyTable {
  account_id: string | null;
  reviewer_id: string | null;
  key: string;
  fingerprint: string;
  fingerprint_version: FingerprintVersion;
  /** The first answer, once the update finished (2xx only: a refusal or an outage may be retried). */
  status_code: number | null;
  body: unknown;
  created_at: CreatedAt;
}

export type { DomainStatus } from '../domain/vocabulary';

export interface DnsProviderTable {
  id: string;
  account_id: string;
  kind: 'rfc2136' | 'dnspod';
  name: string;
  /** Everything but the secret, returned to the customer as it is. */
  settings: ColumnType<Record<string, unknown>, string, string>;
  secret_ciphertext: string;
  created_at: CreatedAt;
}

export interface DomainTable {
  id: string;
  account_id: string;
  administrator_id: string;
  name: string;
  method: DcvMethod;
  dns_provider_id: string | null;
  delegation_label: string;
  status: DomainStatus;
  random_value: string;
  random_value_expires_at: Timestamp;
  validated_at: Timestamp | null;
  valid_until: Timestamp | null;
  br_method: string | null;
  br_version: string | null;
  needs_attention: Generated<boolean>;
  /** Why it needs attention, naming the side at fault. */
  attention_reason: Generated<string | null>;
  failure_reason: string | null;
  last_check: ColumnType<unknown, string | null, string | null>;
  last_precheck_at: Timestamp | null;
  workflow_started: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface DcvCheckTable {
  id: Generated<string>;
  domain_id: string;
  account_id: string;
  kind: 'precheck' | 'recheck' | 'scan';
  at: CreatedAt;
  passed: boolean;
  code: string;
  quorum: ColumnType<unknown, string, never>;
  results: ColumnType<unknown, string, never>;
  /** The activity execution that recorded it (see events.operation_id). */
  operation_id: string | null;
}

/** The account event feed and outbox (see the 2026_11_30_100 migration). */
export interface AccountEventTable {
  id: Generated<string>;
  account_id: string;
  /** The writing transaction (xid8, read as text): the feed's order is (txid, id). */
  txid: ColumnType<string, never, never>;
  type: string;
  object_kind: string;
  object_id: string;
  at: CreatedAt;
  /** The object's row as it was in the transaction that wrote the event (src/notify/feed.ts). */
  snapshot: ColumnType<unknown, string, never>;
  audit_event_id: string | null;
  notice_key: string | null;
}

/** A customer's webhook endpoint (see the 2026_11_30_101 migration). */
export interface WebhookEndpointTable {
  id: string;
  account_id: string;
  url: string;
  description: string | null;
  /** The event types sent; null: all of them. */
  event_types: ColumnType<string[] | null, string | null, string | null>;
  enabled: Generated<boolean>;
  /** Why the service disabled it (a delivery failed for days, or the endpoint answered 410 Gone); null when the customer did. */
  disabled_reason: string | null;
  disabled_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

/** A signing secret, sealed (src/domain/secret-box.ts) and bound to its row; `expires_at` set once rotated out. */
export interface WebhookSecretTable {
  id: string;
  endpoint_id: string;
  ciphertext: string;
  created_at: CreatedAt;
  expires_at: Timestamp | null;
}

/** One message to a webhook endpoint and its retry schedule (see the 2026_11_30_102 migration). */
export interface WebhookDeliveryTable {
  id: Generated<string>;
  endpoint_id: string;
  account_id: string;
  event_id: string | null;
  kind: 'event' | 'redelivery' | 'test';
  /** The `webhook-id` header: the event's id, or the test message's. */
  message_id: string;
  payload: ColumnType<unknown, string | null, never>;
  status: ColumnType<'pending' | 'delivered' | 'failed', 'pending' | 'delivered' | 'failed' | undefined, 'pending' | 'delivered' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  announced: Generated<boolean>;
  created_at: CreatedAt;
  finished_at: Timestamp | null;
}

/** What one attempt sent and got back. */
export interface WebhookAttemptTable {
  id: Generated<string>;
  delivery_id: string;
  at: Timestamp;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  /** The start of the endpoint's answer (at most 1 KiB). */
  response_body: string | null;
  operation_id: string | null;
}

/** How far each consumer has read the account event feed, in feed order. */
export interface OutboxCursorTable {
  name: string;
  txid: ColumnType<string, string, string>;
  event_id: string;
}

export type EmailLanguage = 'en' | 'zh-CN';

/** Who besides the administrators gets an account's emails, and in which language (see the 2026_11_30_103 migration). */
export interface NotificationSettingsTable {
  account_id: string;
  /** The administrators' language, and the contacts' unless they name their own. */
  language: EmailLanguage;
  contacts: ColumnType<Array<{ email: string; name: string | null; language: EmailLanguage | null }>, string, string>;
  updated_at: Timestamp;
}

/** One email to one recipient about one event, rendered, with what the mail server said. */
export interface EmailMessageTable {
  id: Generated<string>;
  account_id: string;
  event_id: string;
  template: string;
  language: EmailLanguage;
  recipient: string;
  subject: string;
  text_body: string;
  html_body: string;
  status: ColumnType<'pending' | 'sent' | 'failed', 'pending' | 'sent' | 'failed' | undefined, 'pending' | 'sent' | 'failed'>;
  attempts: Generated<number>;
  last_error: string | null;
  smtp_response: string | null;
  workflow_started: Generated<boolean>;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
}

export interface Database {
  accounts: AccountTable;
  reviewers: ReviewerTable;
  api_keys: ApiKeyTable;
  organizations: OrganizationTable;
  administrators: AdministratorTable;
  events: EventTable;
  profile_reviews: ProfileReviewTable;
  idempotency_keys: IdempotencyKeyTable;
  update_keys: UpdateKeyTable;
  dns_providers: DnsProviderTable;
  domains: DomainTable;
  dcv_checks: DcvCheckTable;
  account_events: AccountEventTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_secrets: WebhookSecretTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
  outbox_cursors: OutboxCursorTable;
  notification_settings: NotificationSettingsTable;
  email_messages: EmailMessageTable;
  users: UserTable;
  user_invitations: UserInvitationTable;
  console_sessions: ConsoleSessionTable;
  login_failures: LoginFailureTable;
  review_claims: ReviewClaimTable;
  secret_key_check: SecretKeyCheckTable;
}

export type DomainRow = Selectable<DomainTable>;
export type DnsProviderRow = Selectable<DnsProviderTable>;
export type DcvCheckRow = Selectable<DcvCheckTable>;

export type OrganizationRow = Selectable<OrganizationTable>;
export type AdministratorRow = Selectable<AdministratorTable>;
export type EventRow = Selectable<EventTable>;
export type ProfileReviewRow = Selectable<ProfileReviewTable>;
export type AccountEventRow = Selectable<AccountEventTable>;
export type WebhookEndpointRow = Selectable<WebhookEndpointTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveryTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptTable>;
export type EmailMessageRow = Selectable<EmailMessageTable>;
export type UserRow = Selectable<UserTable>;
export type ApiKeyRow = Selectable<ApiKeyTable>;
export type ReviewClaimRow = Selectable<ReviewClaimTable>;
