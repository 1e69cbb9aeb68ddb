import type { DcvConfig } from '../config';
import { actorKey } from '../db/principals';
import type { AdministratorRow, DcvCheckRow, DnsProviderRow, DomainRow, EventRow, OrganizationRow, ProfileReviewRow } from '../db/schema';
import { buildInstructions } from '../dcv/instructions';
import { apiMethodOf } from '../domain/domain-input';
import { isWithinReuse } from '../domain/reuse-period';

/** A stored time as ISO 8601; null when absent (a snapshot written before its column existed) or unreadable. */
function iso(value: Date | string | null | undefined): string | null {
  const time = value === null || value === undefined ? NaN : new Date(value).getTime();
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function reviewView(row: OrganizationRow | AdministratorRow) {
  return {
    status: row.status,
    submittedAt: iso(row.submitted_at),
    dueAt: iso(row.due_at),
    approvedAt: iso(row.approved_at),
    validUntil: iso(row.valid_until),
    rejectionReason: row.rejection_reason,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function administratorView(row: AdministratorRow) {
  return {
    id: row.id,
    organizationId: row.organization_id,
    firstName: row.first_name,
    lastName: row.last_name,
    position: row.position,
    phone: row.phone,
    email: row.email,
    ...reviewView(row),
  };
}

export function organizationView(row: OrganizationRow, administrators: AdministratorRow[]) {
  return {
    id: row.id,
    name: row.name,
    displayName: row.display_name,
    department: row.department,
    country: row.country,
    province: row.province,
    city: row.city,
    address: row.address,
    postalCode: row.postal_code,
    landline: row.landline,
    ...reviewView(row),
    administrators: administrators.map(administratorView),
  };
}

/** Who acted, readably: `name` is the customer key's name, the reviewer's display name, or "system" (null once the key or reviewer is gone). */
function actorView(kind: string, id: string | null, names: ReadonlyMap<string, string>) {
  return { kind, id, name: names.get(actorKey({ kind, id })) ?? null };
}

/** `names`: from `actorNames` (src/db/principals.ts), for the page's events. */
export function eventView(row: EventRow, names: ReadonlyMap<string, string> = new Map()) {
  return {
    id: String(row.id),
    at: iso(row.at),
    actor: actorView(row.actor_kind, row.actor_id, names),
    action: row.action,
    before: row.before ?? null,
    after: row.after ?? null,
    note: row.note,
  };
}

export function domainView(row: DomainRow, dcv: DcvConfig, now = new Date()) {
  const built = buildInstructions({ method: row.method, domain: row.name, domainId: row.id, randomValue: row.random_value, config: dcv });
  const validatedAt = row.validated_at ? new Date(row.validated_at) : null;
  return {
    id: row.id,
    administratorId: row.administrator_id,
    domain: row.name,
    ...apiMethodOf(row.method),
    dnsProviderId: row.dns_provider_id,
    status: row.status,
    /** Usable in a certificate application today: validated, and within the reuse period in force today. */
    usable:
      row.status === 'validated' &&
      validatedAt !== null &&
      (row.valid_until === null || now < new Date(row.valid_until)) &&
      isWithinReuse('domain', validatedAt, now),
    needsAttention: row.needs_attention,
    attentionReason: row.attention_reason ?? null,
    instructions: built.ok ? built.instructions : null,
    randomValueExpiresAt: iso(row.random_value_expires_at),
    validatedAt: iso(row.validated_at),
    validUntil: iso(row.valid_until),
    brMethod: row.br_method,
    brVersion: row.br_version,
    failureReason: row.failure_reason,
    lastCheck: row.last_check ?? null,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function dnsProviderView(row: DnsProviderRow) {
  return { id: row.id, kind: row.kind, name: row.name, ...row.settings, createdAt: iso(row.created_at) };
}

export function checkView(row: DcvCheckRow) {
  return { id: String(row.id), at: iso(row.at), kind: row.kind, passed: row.passed, code: row.code, quorum: row.quorum, perspectives: row.results };
}

/**
 * A completed review as the customer sees it: the decision, its reason, who decided and when, and what
 * came of the CA's contact (method, number or address, time, outcome). The reviewer's note and the name
 * and role of whoever answered the call are the CA's working record and stay with the reviewers.
 */
export function reviewHistoryView(row: ProfileReviewRow, names: ReadonlyMap<string, string>) {
  const contact = row.check_method ? { contact: row.check_contact, at: iso(row.check_at), outcome: row.check_outcome } : null;
  return {
    id: String(row.id),
    status: row.status,
    reason: row.reason,
    submittedAt: iso(row.submitted_at),
    decidedAt: iso(row.decided_at),
    decidedBy: actorView(row.actor_kind, row.actor_id, names),
    callback: row.check_method === 'callback' && contact ? { number: contact.contact, calledAt: contact.at, outcome: contact.outcome } : null,
    verification:
      row.check_method && row.check_method !== 'callback' && contact
        ? { method: row.check_method, contact: contact.contact, contactedAt: contact.at, outcome: contact.outcome }
        : null,
  };
}

/** The same review as reviewers see it: the full record, with who answered and the reviewer's note. */
export function reviewRecordView(row: ProfileReviewRow, names: ReadonlyMap<string, string>) {
  const view = reviewHistoryView(row, names);
  return {
    ...view,
    kind: row.entity_kind,
    subjectId: row.entity_id,
    callback: view.callback && {
      ...view.callback,
      answeredBy: row.answered_by_name !== null ? { name: row.answered_by_name, role: row.answered_by_role } : null,
      note: row.reviewer_note,
    },
    verification: view.verification && { ...view.verification, note: row.reviewer_note },
  };
}
