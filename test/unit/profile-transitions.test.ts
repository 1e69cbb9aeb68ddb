import { parseDuration } from '../../src/domain/duration';
import * as transition from '../../src/domain/profile-transitions';
import { isRefusal, type ReviewedRecord } from '../../src/domain/profile-transitions';

const policy = {
  reviewSla: parseDuration('1bd'),
  reviewReminderInterval: parseDuration('4h'),
  expiringWindow: parseDuration('30d'),
};
const at = new Date('2026-11-30T09:00:00.000Z'); // a Monday
const hours = (n: number) => n * 3_600_000;

const underReview = (overrides: Partial<ReviewedRecord> = {}): ReviewedRecord => ({
  status: 'under_review',
  submitted_at: new Date(at.getTime() - hours(30)),
  due_at: new Date(at.getTime() - hours(6)),
  approved_at: null,
  valid_until: null,
  rejection_reason: null,
  ...overrides,
});

const approved = (validUntil: Date): ReviewedRecord => ({
  ...underReview(),
  status: 'approved',
  approved_at: new Date(validUntil.getTime() - hours(24 * 398)),
  valid_until: validUntil,
});

const LANDLINE = '+861065529988;ext=8001';
/** An organization under review, submitted 30 hours before `at`, with its landline. */
const organizationRow = (overrides: Partial<ReviewedRecord> = {}) => ({ ...underReview(overrides), landline: LANDLINE });
const administratorRow = () => ({ ...underReview(), email: 'li.lei@acme.cn', phone: '+8613800138000' });
const callback = (overrides: object = {}) => ({
  number: LANDLINE,
  calledAt: new Date(at.getTime() - hours(1)).toISOString(),
  outcome: 'answered' as const,
  answeredBy: { name: 'Wang Fang', role: 'Office manager' },
  note: 'switchboard',
  ...overrides,
});
const verification = (overrides: object = {}) => ({
  method: 'email' as const,
  contact: 'li.lei@acme.cn',
  contactedAt: new Date(at.getTime() - hours(1)).toISOString(),
  outcome: 'confirmed' as const,
  note: 'link approved',
  ...overrides,
});

describe('decide', () => {
  test('approval is reusable for 398 days (BR §4.2.1) and closes the review with its callback record', () => {
    const record = callback();
    const change = transition.decide('organization', organizationRow(), { decision: 'approve', callback: record }, at, {});
    if (isRefusal(change)) throw new Error(change.refused);
    expect(change).toMatchObject({ action: 'approved', changes: { status: 'approved', approved_at: at } });
    // The audit note (the customer reads it) says what came of the call, without the reviewer's note.
    expect(change.note).toBe(`callback to the landline at ${record.calledAt}: answered`);
    expect(change.review).toEqual({ status: 'approved', reason: null, submittedAt: organizationRow().submitted_at, callback: record });
    expect((change.changes.valid_until!.getTime() - at.getTime()) / 86_400_000).toBe(398);
    expect(change.after).toEqual({ validUntil: change.changes.valid_until!.toISOString() });
  });

  test('a configured identity reuse period overrides the schedule', () => {
    const change = transition.decide('organization', organizationRow(), { decision: 'approve', callback: callback() }, at, {
      identityReusePeriod: parseDuration('8s'),
    });
    expect(change).toMatchObject({ changes: { valid_until: new Date(at.getTime() + 8000) } });
  });

  test('rejection keeps the reason, with or without a callback record', () => {
    expect(transition.decide('organization', organizationRow(), { decision: 'reject', reason: 'no such company' }, at, {})).toEqual({
      changes: { status: 'rejected', rejection_reason: 'no such company' },
      action: 'rejected',
      note: null,
      after: { reason: 'no such company' },
      review: { status: 'rejected', reason: 'no such company', submittedAt: organizationRow().submitted_at },
    });
    const unanswered = callback({ outcome: 'no_answer', answeredBy: undefined, note: undefined });
    const change = transition.decide('organization', organizationRow(), { decision: 'reject', reason: 'no answer', callback: unanswered }, at, {});
    expect(change).toMatchObject({ action: 'rejected', review: { status: 'rejected', callback: unanswered } });
  });

  test.each(['approved', 'rejected', 'expiring', 'expired'] as const)('a %s profile cannot be decided again', (status) => {
    expect(transition.decide('organization', organizationRow({ status }), { decision: 'approve', callback: callback() }, at, {})).toEqual({
      refused: `the organization is ${status}, not under review`,
    });
  });

  test.each([
    ['under_review', true],
    ['rejected', true],
    ['expired', true],
    ['approved', false],
    ['expiring', false],
  ] as const)('an administrator of an organization that is %s: refused = %s', (organizationStatus, refused) => {
    const change = transition.decide('administrator', administratorRow(), { decision: 'approve', verification: verification() }, at, {}, organizationStatus);
    expect(isRefusal(change)).toBe(refused);
  });

  // Under the row lock, against the row as it is now: the API checked the body against an earlier read.
  const rulesOf = (change: ReturnType<typeof transition.decide>) =>
    isRefusal(change) ? (change.issues ?? []).map((i) => `${i.path.join('.')}: ${i.rule}`) : 'not refused';

  test.each([
    ['no callback', undefined, ['callback: required']],
    ['an empty callback', {}, ['callback.number: required', 'callback.calledAt: required', 'callback.outcome: required', 'callback.note: required']],
    ['a call nobody answered', callback({ outcome: 'no_answer', answeredBy: undefined }), ['callback.outcome: callback-answered']],
    ['an answered call without who answered', callback({ answeredBy: undefined }), ['callback.answeredBy: required']],
    ['the landline without its extension', callback({ number: '+861065529988' }), ['callback.number: callback-number']],
    ['a call in the future', callback({ calledAt: new Date(at.getTime() + 60_000).toISOString() }), ['callback.calledAt: not-in-future']],
    ['a call before the submission', callback({ calledAt: new Date(at.getTime() - hours(31)).toISOString() }), ['callback.calledAt: not-before-submission']],
  ])('an organization approved with %s is refused naming the field and rule', (_case, record, rules) => {
    const change = transition.decide('organization', organizationRow(), { decision: 'approve', callback: record as never }, at, {});
    expect(rulesOf(change)).toEqual(rules);
  });

  test.each([
    ['no verification', undefined, ['verification: required']],
    ['an unconfirmed verification', verification({ outcome: 'no_response' }), ['verification.outcome: verification-confirmed']],
    ["someone else's address", verification({ contact: 'someone@acme.cn' }), ['verification.contact: verification-contact']],
    ["the administrator's email given as a phone contact", verification({ method: 'phone' }), ['verification.contact: verification-contact']],
    ['no note', verification({ note: undefined }), ['verification.note: required']],
  ])('an administrator approved with %s is refused naming the field and rule', (_case, record, rules) => {
    const change = transition.decide('administrator', administratorRow(), { decision: 'approve', verification: record as never }, at, {}, 'approved');
    expect(rulesOf(change)).toEqual(rules);
  });

  test("the administrator's own mobile is a contact too; a rejection may carry an unanswered verification", () => {
    const byPhone = verification({ method: 'phone', contact: '+8613800138000' });
    expect(transition.decide('administrator', administratorRow(), { decision: 'approve', verification: byPhone }, at, {}, 'approved')).toMatchObject({
      action: 'approved',
      note: `verification by phone at ${byPhone.contactedAt}: confirmed`,
    });
    const silent = verification({ outcome: 'no_response', note: undefined });
    expect(transition.decide('administrator', administratorRow(), { decision: 'reject', reason: 'unreachable', verification: silent }, at, {})).toMatchObject({
      action: 'rejected',
      review: { status: 'rejected', reason: 'unreachable', verification: silent },
    });
  });
});

describe('resubmit', () => {
  test.each(['rejected', 'expiring', 'expired'] as const)('a %s profile starts a fresh review due in one business day', (status) => {
    const friday = new Date('2026-12-04T15:00:00.000Z');
    const change = transition.resubmit('administrator', underReview({ status, rejection_reason: 'x' }), friday, policy);
    expect(change).toMatchObject({
      action: 'resubmitted',
      changes: {
        status: 'under_review',
        submitted_at: friday,
        due_at: new Date('2026-12-07T15:00:00.000Z'),
        rejection_reason: null,
        valid_until: null,
        approved_at: null,
      },
    });
  });

  test.each(['under_review', 'approved'] as const)('a %s profile cannot be resubmitted', (status) => {
    expect(isRefusal(transition.resubmit('organization', underReview({ status }), at, policy))).toBe(true);
  });
});

describe('remindReviewers', () => {
  test('past the due time: an overdue event and the next reminder one interval later', () => {
    const { change, nextReminderAt } = transition.remindReviewers(underReview(), at, policy);
    expect(change).toMatchObject({ action: 'review_overdue', note: 'review is past its due time by 21600s', changes: {} });
    expect(nextReminderAt).toEqual(new Date(at.getTime() + hours(4)));
  });

  test('a wake-up before the due time (a timer of an earlier review) records nothing and waits for the due time', () => {
    const due = new Date(at.getTime() + hours(24));
    expect(transition.remindReviewers(underReview({ due_at: due }), at, policy)).toEqual({ change: null, nextReminderAt: due });
  });

  test('nothing to remind once decided', () => {
    expect(transition.remindReviewers(underReview({ status: 'approved' }), at, policy)).toEqual({ change: null, nextReminderAt: null });
  });
});

describe('advanceValidity', () => {
  const validUntil = new Date(at.getTime() + hours(24 * 40));

  test('approved stays approved before its expiring window', () => {
    expect(transition.advanceValidity(approved(validUntil), at, policy)).toBeNull();
  });

  test('approved → expiring inside the window, expiring → expired at validUntil', () => {
    const inWindow = new Date(validUntil.getTime() - hours(24 * 29));
    expect(transition.advanceValidity(approved(validUntil), inWindow, policy)).toEqual({ changes: { status: 'expiring' }, action: 'expiring' });
    expect(transition.advanceValidity({ ...approved(validUntil), status: 'expiring' }, validUntil, policy)).toEqual({
      changes: { status: 'expired' },
      action: 'expired',
    });
  });

  test('an approval whose validity ended while nothing ran goes straight to expired', () => {
    expect(transition.advanceValidity(approved(validUntil), new Date(validUntil.getTime() + 1), policy)).toMatchObject({ action: 'expired' });
  });

  test.each(['under_review', 'rejected', 'expired'] as const)('a %s profile does not move', (status) => {
    expect(transition.advanceValidity({ ...approved(validUntil), status }, validUntil, policy)).toBeNull();
  });
});

describe('edit', () => {
  const columns = { name: 'name', displayName: 'display_name' };
  const row = { ...approved(new Date(at.getTime() + hours(24 * 100))), name: 'Acme', display_name: null };

  test('a reviewed field sends an approved profile back to review', () => {
    const edit = transition.edit(row, { name: 'Acme Ltd' }, columns, ['name'], at, policy);
    expect(edit).toMatchObject({
      set: { name: 'Acme Ltd', status: 'under_review', submitted_at: at },
      before: { name: 'Acme', status: 'approved' },
      after: { name: 'Acme Ltd', status: 'under_review' },
    });
  });

  test('a field that is not reviewed changes nothing else', () => {
    expect(transition.edit(row, { displayName: 'Label' }, columns, ['name'], at, policy)).toEqual({
      set: { display_name: 'Label' },
      before: { displayName: null },
      after: { displayName: 'Label' },
    });
  });

  test('the same values are no change at all', () => {
    expect(transition.edit(row, { name: 'Acme', displayName: null }, columns, ['name'], at, policy)).toBeNull();
  });

  test('a profile under review stays under review with its due time', () => {
    const edit = transition.edit({ ...row, status: 'under_review' }, { name: 'Acme Ltd' }, columns, ['name'], at, policy);
    expect(edit).toEqual({ set: { name: 'Acme Ltd' }, before: { name: 'Acme' }, after: { name: 'Acme Ltd' } });
  });

  test('an unknown field is refused', () => {
    expect(transition.edit(row, { landline: '1' }, columns, ['name'], at, policy)).toEqual({ refused: 'unknown field landline' });
  });
});

test('rejectWithOrganization rejects only an administrator still under review', () => {
  expect(transition.rejectWithOrganization(underReview(), 'fake')).toMatchObject({
    action: 'rejected_with_organization',
    changes: { status: 'rejected', rejection_reason: 'organization rejected: fake' },
    // In the administrator's review history too, decided by the service.
    review: { status: 'rejected', reason: 'organization rejected: fake', submittedAt: underReview().submitted_at },
  });
  expect(transition.rejectWithOrganization(underReview({ status: 'approved' }), 'fake')).toBeNull();
});
