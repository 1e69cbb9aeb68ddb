import type { FieldRule } from './field-rules';
import { mailboxKey } from './identity';
// Workflow-safe, pure: the evidence a CA reviewer records with a decision, and the rules that tie it to
// the profile under review. An organization is approved only after the CA phoned its landline and
// someone there answered (Tencent Cloud's documented review: "the CA phones the landline"; DigiCert's
// organization validation "callback"); an administrator only after the CA confirmed the person through
// a contact of their own (email or phone). Used by the API before a decision is sent (schemas) and by the
// decision's pure transition under the row lock (profile-transitions), so both apply the same rules.

/** What came of the CA's call to the organization's landline. */
export const CALLBACK_OUTCOMES = ['answered', 'no_answer', 'wrong_number'] as const;
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];

/** How the CA reached the administrator, and what came of it. */
export const VERIFICATION_METHODS = ['email', 'phone'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];
export const VERIFICATION_OUTCOMES = ['confirmed', 'no_response', 'denied'] as const;
export type VerificationOutcome = (typeof VERIFICATION_OUTCOMES)[number];

/**
 * The CA's call to an organization's landline. `number` is E.164 with RFC 3966 `;ext=` (as the landline is
 * stored); `calledAt` an ISO 8601 instant; `answeredBy` who took the call (required when answered).
 * `note` is the reviewer's own, kept from the customer.
 */
export interface CallbackRecord {
  number: string;
  calledAt: string;
  outcome: CallbackOutcome;
  answeredBy?: { name: string; role: string };
  note?: string;
}

/**
 * How the CA confirmed an administrator: `contact` is the email address (normalized) or the mobile
 * (E.164) the CA used, which must be the administrator's own; `contactedAt` an ISO 8601 instant.
 */
export interface VerificationRecord {
  method: VerificationMethod;
  contact: string;
  contactedAt: string;
  outcome: VerificationOutcome;
  note?: string;
}

/** A reviewer's decision with its evidence: `callback` for organizations, `verification` for administrators. */
export interface ReviewDecision {
  decision: 'approve' | 'reject';
  reason?: string;
  callback?: CallbackRecord;
  verification?: VerificationRecord;
}

/** The profile under review, as far as the records are checked against it (normalized, as stored). */
export interface ReviewSubject {
  kind: 'organization' | 'administrator';
  /** Start of the current review: a record of an earlier contact belongs to an earlier review. */
  submittedAt: Date;
  landline?: string;
  email?: string;
  phone?: string;
}

/** One broken rule: the path of the field in the decision body, and the rule's stable name. */
export interface RecordIssue {
  path: string[];
  rule: FieldRule;
  message: string;
}

/**
 * The rules that tie a decision's record to its subject (each issue names the field and the rule):
 * - `required`: approving an organization needs `callback`, an administrator `verification`; inside a
 *   record, its number/contact, time and outcome always, who answered when the call was answered, and the
 *   reviewer's note when approving;
 * - `callback-answered` / `verification-confirmed`: an approval needs a call that was answered, a
 *   confirmation that was confirmed;
 * - `callback-number`: the number called is the organization's landline as stored, extension included;
 * - `verification-contact`: the address or number used is the administrator's own;
 * - `not-in-future`, `not-before-submission`: the contact happened between the submission under review
 *   and `now`.
 * Returns [] when the decision's record fits. Messages carry no personal data (they may reach logs).
 */
export function recordIssues(subject: ReviewSubject, decision: ReviewDecision, now: Date): RecordIssue[] {
  const approving = decision.decision === 'approve';
  if (subject.kind === 'organization') {
    const callback = decision.callback;
    if (!callback) {
      return approving ? [issue(['callback'], 'required', "required to approve an organization: the record of the CA's call to its landline")] : [];
    }
    return [
      ...presence('callback', callback, ['number', 'calledAt', 'outcome', ...(approving ? ['note'] : [])]),
      ...(callback.outcome === 'answered' && !callback.answeredBy
        ? [issue(['callback', 'answeredBy'], 'required', 'required when the call was answered: who answered (name and role)')]
        : []),
      ...(approving && callback.outcome && callback.outcome !== 'answered'
        ? [issue(['callback', 'outcome'], 'callback-answered', 'approval needs a verification call that was answered')]
        : []),
      ...(callback.number && callback.number !== subject.landline
        ? [issue(['callback', 'number'], 'callback-number', "must be the organization's landline as it is stored, extension included")]
        : []),
      ...timeIssues(['callback', 'calledAt'], callback.calledAt, subject.submittedAt, now),
    ];
  }
  const verification = decision.verification;
  if (!verification) {
    return approving ? [issue(['verification'], 'required', 'required to approve an administrator: the record of how the CA confirmed the administrator')] : [];
  }
  const own = verification.method === 'email' ? subject.email : subject.phone;
  return [
    ...presence('verification', verification, ['method', 'contact', 'contactedAt', 'outcome', ...(approving ? ['note'] : [])]),
    ...(approving && verification.outcome && verification.outcome !== 'confirmed'
      ? [issue(['verification', 'outcome'], 'verification-confirmed', 'approval needs a verification that was confirmed')]
      : []),
    ...(verification.contact && verification.method && !sameContact(verification.method, verification.contact, own)
      ? [
          issue(
            ['verification', 'contact'],
            'verification-contact',
            `must be the administrator's own ${verification.method === 'email' ? 'email address' : 'mobile number'}`,
          ),
        ]
      : []),
    ...timeIssues(['verification', 'contactedAt'], verification.contactedAt, subject.submittedAt, now),
  ];
}

function issue(path: string[], rule: FieldRule, message: string): RecordIssue {
  return { path, rule, message };
}

function presence(record: string, value: object, fields: string[]): RecordIssue[] {
  return fields.filter((field) => !(value as Record<string, unknown>)[field]).map((field) => issue([record, field], 'required', 'required'));
}

function timeIssues(path: string[], value: string | undefined, submittedAt: Date, now: Date): RecordIssue[] {
  if (!value) return [];
  const at = Date.parse(value);
  if (at > now.getTime()) return [issue(path, 'not-in-future', 'must not be in the future')];
  // Judged at the precision the time was given in: to the second (the console's field, `date -u`; no
  // milliseconds once normalized), any time in the submission's own second is not before it, though
  // submittedAt carries milliseconds.
  const toTheSecond = at % 1000 === 0;
  const submitted = new Date(submittedAt).getTime();
  if (at < (toTheSecond ? Math.floor(submitted / 1000) * 1000 : submitted)) {
    return [issue(path, 'not-before-submission', 'must not be before the submission under review (submittedAt)')];
  }
  return [];
}

/**
 * One line for the audit trail, which the customer reads: method, time and outcome, never the reviewer's
 * note or who answered (the CA's working notes and a third person's name stay with the reviewers).
 */
export function recordSummary(decision: ReviewDecision): string | null {
  if (decision.callback) return `callback to the landline at ${decision.callback.calledAt}: ${decision.callback.outcome}`;
  if (decision.verification) return `verification by ${decision.verification.method} at ${decision.verification.contactedAt}: ${decision.verification.outcome}`;
  return null;
}

/** Emails compare as mailboxes (case-insensitive, NFKC local part, A-label domain); numbers as stored (E.164). */
function sameContact(method: string, contact: string, own: string | undefined): boolean {
  if (own === undefined) return false;
  return method === 'email' ? mailboxKey(contact) === mailboxKey(own) : contact === own;
}
