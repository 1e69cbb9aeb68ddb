import type { AdministratorRow, EventRow, OrganizationRow } from '../db/schema';

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

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

export function eventView(row: EventRow) {
  return {
    id: String(row.id),
    at: iso(row.at),
    actor: { kind: row.actor_kind, id: row.actor_id },
    action: row.action,
    before: row.before ?? null,
    after: row.after ?? null,
    note: row.note,
  };
}
