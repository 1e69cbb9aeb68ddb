import { z } from 'zod';
import { brokenRule, unprocessable } from '../problem';
import { normalizeEmailAddress } from './email';
import type { FieldRule } from './field-rules';
import { normalizePhone, type PhoneKind } from './phone';
import {
  CALLBACK_OUTCOMES,
  type CallbackRecord,
  recordIssues,
  type ReviewDecision,
  type ReviewSubject,
  VERIFICATION_METHODS,
  VERIFICATION_OUTCOMES,
  type VerificationRecord,
} from './review-records';
import { text } from './schemas';

/** What a decision body is checked against: the profile under review, its organization's country, the time. */
export interface DecisionContext {
  subject: ReviewSubject;
  /** ISO 3166-1 alpha-2 of the organization: national phone numbers are read in it. */
  country: string;
  now: Date;
}

/** An instant with its UTC offset (RFC 3339 §5.6), kept as UTC with milliseconds. */
const instant = z.iso
  .datetime({ offset: true, message: 'must be an RFC 3339 date-time with its UTC offset, e.g. 2026-11-30T09:30:00+08:00' })
  .transform((value) => new Date(value).toISOString());

const reason = text(1000).optional().describe('Required to reject; shown to the customer');

// Every field optional in shape: which are required depends on the decision and the outcome, and all of
// them are reported in one answer (422 `required`) by recordIssues.
const callbackShape = z
  .strictObject({
    number: z.string().max(60).optional().describe("The number dialled: the organization's landline with its extension, as stored (+861065529988;ext=8001)"),
    calledAt: instant.optional().describe('When the call was made; between the submission under review and now'),
    outcome: z.enum(CALLBACK_OUTCOMES).optional().describe('`answered` to approve'),
    answeredBy: z
      .strictObject({ name: text(200).describe('Who answered'), role: text(100).describe('Their role or job title') })
      .optional()
      .describe('Required when answered; kept from the customer'),
    note: text(1000).optional().describe("The reviewer's note on the call; required to approve; internal (never shown to the customer)"),
  })
  .describe("Record of the CA's call to the organization's landline: required to approve, optional with a rejection");

const verificationShape = z
  .strictObject({
    method: z.enum(VERIFICATION_METHODS).optional().describe('How the CA reached the administrator'),
    contact: z.string().max(254).optional().describe("The email address or mobile number used: the administrator's own"),
    contactedAt: instant.optional().describe('When; between the submission under review and now'),
    outcome: z.enum(VERIFICATION_OUTCOMES).optional().describe('`confirmed` to approve'),
    note: text(1000).optional().describe("The reviewer's note; required to approve; internal (never shown to the customer)"),
  })
  .describe('Record of how the CA confirmed the administrator: required to approve, optional with a rejection');

/** Issues found while normalizing: the record rules then skip the fields already at fault. */
interface Ctx {
  zod: z.RefinementCtx;
  failed: Set<string>;
}

function refuse(ctx: Ctx, path: string[], message: string, params: ReturnType<typeof brokenRule>): void {
  ctx.zod.addIssue({ code: 'custom', path, message, params });
  ctx.failed.add(path.join('.'));
}

/** The number as stored (E.164 with `;ext=`): 400 when it is no phone number, 422 naming `wrongRule` when of the wrong type. */
function storedNumber(value: string, country: string, kind: PhoneKind, path: string[], wrongRule: FieldRule, ctx: Ctx): string {
  const result = normalizePhone(value, country, kind);
  if (result.ok) return result.value;
  refuse(ctx, path, result.message, result.rule === 'phone-number' ? brokenRule(result.rule) : unprocessable(wrongRule));
  return value;
}

function normalizeCallback(callback: Partial<CallbackRecord>, country: string, ctx: Ctx): Partial<CallbackRecord> {
  if (callback.number === undefined) return callback;
  return { ...callback, number: storedNumber(callback.number, country, 'landline', ['callback', 'number'], 'callback-number', ctx) };
}

function normalizeVerification(verification: Partial<VerificationRecord>, country: string, ctx: Ctx): Partial<VerificationRecord> {
  const { contact, method } = verification;
  if (contact === undefined || method === undefined) return verification;
  if (method === 'phone')
    return { ...verification, contact: storedNumber(contact, country, 'mobile', ['verification', 'contact'], 'verification-contact', ctx) };
  const email = normalizeEmailAddress(contact);
  if (!email.ok) refuse(ctx, ['verification', 'contact'], `not a valid email address: ${email.message}`, {});
  return { ...verification, contact: email.ok ? email.value : contact };
}

/**
 * A reviewer's decision on an organization (`kind` organization: with its `callback` record) or an
 * administrator (with its `verification` record), checked against the profile under review: numbers and
 * addresses are normalized as the profile's are stored (phones read in the organization's country), then
 * `recordIssues` applies the review rules. A malformed value answers 400; a well-formed record the rules
 * refuse answers 422 naming each field and rule, all at once. A rejection needs its `reason` (400).
 */
export function decisionBody(kind: 'organization' | 'administrator', context: DecisionContext) {
  const base = { decision: z.enum(['approve', 'reject']), reason };
  const shape =
    kind === 'organization'
      ? z.strictObject({ ...base, callback: callbackShape.optional() })
      : z.strictObject({ ...base, verification: verificationShape.optional() });
  return shape.transform((body, zod): ReviewDecision => {
    const ctx: Ctx = { zod, failed: new Set() };
    if (body.decision === 'reject' && !body.reason)
      zod.addIssue({ code: 'custom', path: ['reason'], message: 'a reason is required to reject', params: brokenRule('reason-required') });
    const decision: ReviewDecision = { decision: body.decision, ...(body.reason !== undefined ? { reason: body.reason } : {}) };
    if ('callback' in body && body.callback) decision.callback = normalizeCallback(body.callback, context.country, ctx) as CallbackRecord;
    if ('verification' in body && body.verification)
      decision.verification = normalizeVerification(body.verification, context.country, ctx) as VerificationRecord;
    for (const issue of recordIssues(context.subject, decision, context.now)) {
      if (!ctx.failed.has(issue.path.join('.'))) zod.addIssue({ code: 'custom', path: issue.path, message: issue.message, params: unprocessable(issue.rule) });
    }
    return decision;
  });
}

/** Examples for the API document: a complete approval of each kind, and a rejection after a call nobody answered. */
export const DECISION_EXAMPLES = {
  organizationApproval: {
    decision: 'approve',
    callback: {
      number: '+861065529988;ext=8001',
      calledAt: '2026-11-30T10:15:00+08:00',
      outcome: 'answered',
      answeredBy: { name: 'Wang Fang', role: 'Office manager' },
      note: 'Confirmed the legal name and the address; extension 8001 is the IT department.',
    },
  },
  organizationRejection: {
    decision: 'reject',
    reason: 'Nobody answered the landline on three attempts; check the number and its extension, then resubmit.',
    callback: { number: '+861065529988;ext=8001', calledAt: '2026-11-30T16:40:00+08:00', outcome: 'no_answer' },
  },
  administratorApproval: {
    decision: 'approve',
    verification: {
      method: 'email',
      contact: 'li.lei@acme.cn',
      contactedAt: '2026-11-30T11:00:00+08:00',
      outcome: 'confirmed',
      note: 'Confirmation link opened and approved by the administrator.',
    },
  },
} as const;
