/**
 * Complete review decisions for tests: an organization's approval carries the record of an answered
 * callback to its landline, an administrator's the record of a confirmed verification. The defaults fit
 * the ORGANIZATION and ADMINISTRATOR test data as the service stores them.
 */

/** How `010 6552 9988` in CN is stored: E.164. */
export const STORED_LANDLINE = '+861065529988';
/** How `Li.Lei@Acme.CN` is stored: the local part as entered, the domain lowercase (src/domain/email.ts). */
export const STORED_EMAIL = 'Li.Lei@acme.cn';

/**
 * `calledAt` defaults to now: between the submission and the decision. A request retried under one
 * Idempotency-Key must send the same body, so such callers pass a fixed time (the submission's own).
 */
export function organizationApproval(options: { number?: string; calledAt?: string; note?: string } = {}) {
  return {
    decision: 'approve' as const,
    callback: {
      number: options.number ?? STORED_LANDLINE,
      calledAt: options.calledAt ?? new Date().toISOString(),
      outcome: 'answered' as const,
      answeredBy: { name: 'Wang Fang', role: 'Office manager' },
      note: options.note ?? 'Legal name and address confirmed by the switchboard',
    },
  };
}

export function administratorApproval(options: { email?: string; contactedAt?: string } = {}) {
  return {
    decision: 'approve' as const,
    verification: {
      method: 'email' as const,
      contact: options.email ?? STORED_EMAIL,
      contactedAt: options.contactedAt ?? new Date().toISOString(),
      outcome: 'confirmed' as const,
      note: 'Confirmation link approved by the administrator',
    },
  };
}
