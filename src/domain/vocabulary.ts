// Workflow-safe shared vocabulary: imported by workflows, activities, the database layer and the API
// alike, so each term is defined once, below every layer that uses it. No I/O, no Temporal runtime.

/** Who made a change: a customer's API key, a CA reviewer, or the service itself. */
export interface Actor {
  kind: 'customer' | 'reviewer' | 'system';
  /** API key id of a customer, reviewer id, or null for the system. */
  id: string | null;
}

export const SYSTEM: Actor = { kind: 'system', id: null };

/**
 * ApplicationFailure types that cross from activities and workflows to callers. The API maps each to
 * an HTTP status with an exhaustive switch (src/temporal/update-errors.ts), so a new type cannot be
 * forgotten there.
 */
export const FAILURE = {
  /** The request does not fit the entity's current status (HTTP 409). */
  conflict: 'Conflict',
  /** The row no longer exists (HTTP 404). */
  notFound: 'NotFound',
  /** The request names something the entity does not have (HTTP 400). */
  badRequest: 'BadRequest',
  /**
   * Well-formed, but a rule refuses it against the entity as it is now (HTTP 422): a decision's record
   * that does not fit the profile. The failure's details carry the field errors.
   */
  unprocessable: 'Unprocessable',
  /** The change would make a second record of a profile the account already holds (HTTP 409); details: [{ kind, id, field }]. */
  duplicate: 'Duplicate',
} as const;

export type FailureType = (typeof FAILURE)[keyof typeof FAILURE];

export function isFailureType(type: string | undefined): type is FailureType {
  return Object.values(FAILURE).includes(type as FailureType);
}

/**
 * A domain's validation status (DigiCert's and Tencent Cloud's DCV statuses, one word each):
 * pending → verifying (the CA scan) → validated | failed; validated → expired at the end of the reuse period.
 */
export const DOMAIN_STATUSES = ['pending', 'verifying', 'validated', 'failed', 'expired'] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];
