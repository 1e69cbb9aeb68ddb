// Pure status transitions of organizations and administrators: row + request + now → the columns to
// write and the audit event, or a refusal. No I/O: activities lock the row, call one of these, and
// write what it returns in the same transaction (activities/profiles.ts).
import { addDuration, type Duration } from './duration';
import { type CallbackRecord, recordIssues, type RecordIssue, recordSummary, type ReviewDecision, type VerificationRecord } from './review-records';
import { reusableUntil } from './reuse-period';
import { canDecide, canResubmit, isUsable, type ProfileKind, type ProfileStatus } from './status';

/** The reviewed columns of an organization or administrator row. */
export interface ReviewedRecord {
  status: ProfileStatus;
  submitted_at: Date;
  due_at: Date;
  approved_at: Date | null;
  valid_until: Date | null;
  rejection_reason: string | null;
}

export type ReviewChanges = Partial<ReviewedRecord>;

/** The contact columns a decision's record is checked against: an organization's landline, an administrator's email and mobile. */
export interface ContactColumns {
  landline?: string;
  email?: string;
  phone?: string;
}

/** A completed review, for the review history: what was decided, why, and the evidence the reviewer recorded. */
export interface ReviewOutcome {
  status: 'approved' | 'rejected';
  reason: string | null;
  /** Start of the review it closes. */
  submittedAt: Date;
  callback?: CallbackRecord;
  verification?: VerificationRecord;
}

/** What a transition asks to be written: the row's new columns and the audit event describing it. */
export interface Change {
  changes: ReviewChanges;
  action: string;
  note?: string | null;
  /** Audit `after` fields beyond the status (validUntil, reason, ...). */
  after?: Record<string, unknown>;
  /** Set when the change closes a review: written to the review history with the audit event. */
  review?: ReviewOutcome;
}

/**
 * A request that does not fit: the caller answers 409 with this message, or, when `issues` are given
 * (a decision's record breaks the review rules), 422 naming each field and rule.
 */
export interface Refusal {
  refused: string;
  issues?: RecordIssue[];
}

export const isRefusal = (outcome: unknown): outcome is Refusal => typeof outcome === 'object' && outcome !== null && 'refused' in outcome;

/** Review durations, read from configuration when the activity runs. */
export interface ReviewPolicy {
  reviewSla: Duration;
  reviewReminderInterval: Duration;
  /** Overrides the Baseline Requirements identity reuse schedule (§4.2.1: 398 days) when set. */
  identityReusePeriod?: Duration;
  expiringWindow: Duration;
}

/** A fresh review: new submission time and SLA due date, the previous outcome cleared. */
export function newReview(at: Date, policy: Pick<ReviewPolicy, 'reviewSla'>): ReviewChanges {
  return { status: 'under_review', submitted_at: at, due_at: addDuration(at, policy.reviewSla), approved_at: null, valid_until: null, rejection_reason: null };
}

/**
 * A reviewer's decision on a submission under review. Approving an administrator needs its
 * organization approved (or expiring: still usable). The decision's record (the callback to an
 * organization's landline, the verification of an administrator) must fit the row as it is now, under the
 * lock: `recordIssues` (a landline edited since the API checked the body is caught here). The approval is
 * reusable until the identity reuse period ends (BR §4.2.1, 398 days), or the configured override. The
 * audit note summarizes the record without the reviewer's own note, which only the review history keeps.
 */
export function decide(
  kind: ProfileKind,
  row: ReviewedRecord & ContactColumns,
  request: ReviewDecision,
  at: Date,
  policy: Pick<ReviewPolicy, 'identityReusePeriod'>,
  organizationStatus?: ProfileStatus,
): Change | Refusal {
  if (!canDecide(row.status)) return { refused: `the ${kind} is ${row.status}, not under review` };
  if (request.decision === 'approve' && kind === 'administrator' && organizationStatus !== undefined && !isUsable(organizationStatus)) {
    return { refused: `the administrator's organization is ${organizationStatus}: approve the organization first` };
  }
  const subject = { kind, submittedAt: new Date(row.submitted_at), landline: row.landline, email: row.email, phone: row.phone };
  const issues = recordIssues(subject, request, at);
  if (issues.length)
    return { refused: `the decision's record does not fit the ${kind}: ${issues.map((i) => `${i.path.join('.')} (${i.rule})`).join(', ')}`, issues };
  const note = recordSummary(request);
  const evidence = {
    submittedAt: subject.submittedAt,
    ...(request.callback ? { callback: request.callback } : {}),
    ...(request.verification ? { verification: request.verification } : {}),
  };
  if (request.decision === 'reject') {
    const reason = request.reason ?? '';
    return {
      changes: { status: 'rejected', rejection_reason: reason },
      action: 'rejected',
      note,
      after: { reason },
      review: { status: 'rejected', reason, ...evidence },
    };
  }
  const validUntil = policy.identityReusePeriod ? addDuration(at, policy.identityReusePeriod) : reusableUntil('identity', at);
  return {
    changes: { status: 'approved', approved_at: at, valid_until: validUntil },
    action: 'approved',
    note,
    after: { validUntil: validUntil.toISOString() },
    review: { status: 'approved', reason: null, ...evidence },
  };
}

/** A new review after a rejection, or to renew while expiring or after expiry. */
export function resubmit(kind: ProfileKind, row: ReviewedRecord, at: Date, policy: Pick<ReviewPolicy, 'reviewSla'>): Change | Refusal {
  if (!canResubmit(row.status)) return { refused: `the ${kind} is ${row.status}; only rejected, expiring or expired ones can be resubmitted` };
  return { changes: newReview(at, policy), action: 'resubmitted' };
}

/** An administrator still under review when its organization is rejected is rejected with it; otherwise nothing changes. */
export function rejectWithOrganization(row: ReviewedRecord, organizationReason: string): Change | null {
  if (row.status !== 'under_review') return null;
  const reason = `organization rejected: ${organizationReason}`;
  return {
    changes: { status: 'rejected', rejection_reason: reason },
    action: 'rejected_with_organization',
    after: { reason },
    review: { status: 'rejected', reason, submittedAt: new Date(row.submitted_at) },
  };
}

/**
 * The review-overdue reminder. It is due only once `due_at` has passed: a wake-up before that (a timer
 * set for an earlier review, say) records nothing and names the due time as the next reminder.
 */
export function remindReviewers(
  row: ReviewedRecord,
  at: Date,
  policy: Pick<ReviewPolicy, 'reviewReminderInterval'>,
): { change: Change | null; nextReminderAt: Date | null } {
  if (row.status !== 'under_review') return { change: null, nextReminderAt: null };
  const due = new Date(row.due_at);
  if (at.getTime() < due.getTime()) return { change: null, nextReminderAt: due };
  const lateSeconds = Math.round((at.getTime() - due.getTime()) / 1000);
  return {
    change: { changes: {}, action: 'review_overdue', note: `review is past its due time by ${lateSeconds}s`, after: { dueAt: due.toISOString() } },
    nextReminderAt: addDuration(at, policy.reviewReminderInterval),
  };
}

/** When an approval enters its expiring window: `expiringWindow` before validUntil. */
export function expiringAt(validUntil: Date, expiringWindow: Duration): Date {
  const windowMs = addDuration(validUntil, expiringWindow).getTime() - validUntil.getTime();
  return new Date(validUntil.getTime() - windowMs);
}

/** approved → expiring inside the expiring window, approved/expiring → expired at validUntil; null before that. */
export function advanceValidity(row: ReviewedRecord, at: Date, policy: Pick<ReviewPolicy, 'expiringWindow'>): Change | null {
  if ((row.status !== 'approved' && row.status !== 'expiring') || !row.valid_until) return null;
  const validUntil = new Date(row.valid_until);
  if (at.getTime() >= validUntil.getTime()) return { changes: { status: 'expired' }, action: 'expired' };
  if (row.status === 'approved' && at.getTime() >= expiringAt(validUntil, policy.expiringWindow).getTime())
    return { changes: { status: 'expiring' }, action: 'expiring' };
  return null;
}

/**
 * An edit: only fields whose value changes are written. A change to a reviewed field sends an approved,
 * rejected or expired profile back to review (its identity must be checked again); other fields do not.
 */
export function edit(
  row: ReviewedRecord & Record<string, unknown>,
  changes: Record<string, string | null>,
  columns: Record<string, string>,
  reviewedFields: readonly string[],
  at: Date,
  policy: Pick<ReviewPolicy, 'reviewSla'>,
): { set: Record<string, unknown>; before: Record<string, unknown>; after: Record<string, unknown> } | Refusal | null {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  const set: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changes)) {
    const column = columns[field];
    if (!column) return { refused: `unknown field ${field}` };
    if ((row[column] ?? null) === value) continue;
    before[field] = row[column] ?? null;
    after[field] = value;
    set[column] = value;
  }
  if (Object.keys(set).length === 0) return null;
  const backToReview = Object.keys(after).some((field) => reviewedFields.includes(field)) && row.status !== 'under_review';
  if (backToReview) {
    Object.assign(set, newReview(at, policy));
    before.status = row.status;
    after.status = 'under_review';
  }
  return { set, before, after };
}
