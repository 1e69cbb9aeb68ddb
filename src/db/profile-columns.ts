import type { ProfileKind } from '../domain/status';

/** API field name → column, per reviewed kind. */
export const ORGANIZATION_COLUMNS = {
  name: 'name',
  displayName: 'display_name',
  department: 'department',
  country: 'country',
  province: 'province',
  city: 'city',
  address: 'address',
  postalCode: 'postal_code',
  landline: 'landline',
} as const;

export const ADMINISTRATOR_COLUMNS = {
  firstName: 'first_name',
  lastName: 'last_name',
  position: 'position',
  phone: 'phone',
  email: 'email',
} as const;

export function columnsFor(kind: ProfileKind): Record<string, string> {
  return kind === 'organization' ? ORGANIZATION_COLUMNS : ADMINISTRATOR_COLUMNS;
}

export function tableFor(kind: ProfileKind): 'organizations' | 'administrators' {
  return kind === 'organization' ? 'organizations' : 'administrators';
}
