import { DECISION_EXAMPLES, type DecisionContext, decisionBody } from '../../src/domain/decision-schemas';
import { parse, Problem } from '../../src/problem';

const now = new Date('2026-11-30T10:00:00.000Z');
const submittedAt = new Date('2026-11-30T01:00:00.000Z');
const organization: DecisionContext = { subject: { kind: 'organization', submittedAt, landline: '+861065529988;ext=8001' }, country: 'CN', now };
const administrator: DecisionContext = {
  subject: { kind: 'administrator', submittedAt, email: 'li.lei@acme.cn', phone: '+8613800138000' },
  country: 'CN',
  now,
};

/** The problem a body gets: status and `field: rule` of each error (the message where no rule). */
function refusal(kind: 'organization' | 'administrator', body: unknown): [number, string[]] {
  try {
    parse(decisionBody(kind, kind === 'organization' ? organization : administrator), body);
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    return [error.status, (error.extra.errors ?? []).map((e) => `${e.field}: ${e.rule ?? e.message}`)];
  }
  return [200, []];
}

const call = {
  number: '+86 10 6552 9988 ext. 8001',
  calledAt: '2026-11-30T17:30:00+08:00',
  outcome: 'answered',
  answeredBy: { name: 'Wang Fang', role: 'Office manager' },
  note: 'confirmed',
};

test('an approval with its callback is normalized as the landline is stored, and its time kept in UTC', () => {
  expect(decisionBody('organization', organization).parse({ decision: 'approve', callback: { ...call, number: '010 6552 9988 转 8001' } })).toEqual({
    decision: 'approve',
    callback: { ...call, number: '+861065529988;ext=8001', calledAt: '2026-11-30T09:30:00.000Z' },
  });
});

test('{"decision":"approve"} alone answers 422 naming the missing record', () => {
  expect(refusal('organization', { decision: 'approve' })).toEqual([422, ['callback: required']]);
  expect(refusal('administrator', { decision: 'approve' })).toEqual([422, ['verification: required']]);
});

test('every field the approval rules miss is named in one answer', () => {
  expect(refusal('organization', { decision: 'approve', callback: { outcome: 'answered' } })).toEqual([
    422,
    ['callback.number: required', 'callback.calledAt: required', 'callback.note: required', 'callback.answeredBy: required'],
  ]);
});

test.each([
  ['the landline without its extension', { number: '+86 10 6552 9988' }, [422, ['callback.number: callback-number']]],
  ["another of the organization's lines", { number: '+86 10 6552 9900 ext. 8001' }, [422, ['callback.number: callback-number']]],
  ['a mobile number', { number: '+86 138 0013 8000' }, [422, ['callback.number: callback-number']]],
  ['no phone number at all', { number: 'call the front desk' }, [400, ['callback.number: phone-number']]],
  ['a time in the future', { calledAt: '2026-11-30T18:00:01+08:00' }, [422, ['callback.calledAt: not-in-future']]],
  ['a time before the submission', { calledAt: '2026-11-30T08:59:59+08:00' }, [422, ['callback.calledAt: not-before-submission']]],
  ['a time without its offset', { calledAt: '2026-11-30T17:30:00' }, [400, ['callback.calledAt: format']]],
  ['a call that was not answered', { outcome: 'wrong_number' }, [422, ['callback.outcome: callback-answered']]],
  ['an outcome the CA does not record', { outcome: 'busy' }, [400, ['callback.outcome: one-of']]],
  ['an unknown field', { recording: 'x' }, [400, ['callback: unknown-field']]],
])('an organization approved with %s is refused', (_case, change, expected) => {
  expect(refusal('organization', { decision: 'approve', callback: { ...call, ...change } })).toEqual(expected);
});

test('a rejection needs its reason; its callback needs no answer, only the number and the time', () => {
  expect(refusal('organization', { decision: 'reject', callback: { number: call.number, calledAt: call.calledAt, outcome: 'no_answer' } })).toEqual([
    400,
    ['reason: reason-required'],
  ]);
  expect(refusal('organization', { decision: 'reject', reason: 'nobody answered', callback: { outcome: 'no_answer' } })).toEqual([
    422,
    ['callback.number: required', 'callback.calledAt: required'],
  ]);
  expect(
    refusal('organization', {
      decision: 'reject',
      reason: 'nobody answered',
      callback: { number: call.number, calledAt: call.calledAt, outcome: 'no_answer' },
    }),
  ).toEqual([200, []]);
});

const confirmation = { method: 'email', contact: 'Li.Lei@ACME.cn', contactedAt: '2026-11-30T09:00:00Z', outcome: 'confirmed', note: 'link approved' };

test.each([
  ['their email address, in another case', {}, [200, []]],
  ['their mobile, in national format', { method: 'phone', contact: '138 0013 8000' }, [200, []]],
  ["someone else's email address", { contact: 'ceo@acme.cn' }, [422, ['verification.contact: verification-contact']]],
  ['a landline', { method: 'phone', contact: '010 6552 9988' }, [422, ['verification.contact: verification-contact']]],
  ['no answer', { outcome: 'no_response' }, [422, ['verification.outcome: verification-confirmed']]],
  ['a callback record', { callback: 'x' }, [400, ['(body): unknown-field']]],
])('an administrator approved through %s', (_case, change, expected) => {
  const { callback, ...verification } = { ...confirmation, ...change } as Record<string, unknown>;
  expect(refusal('administrator', { decision: 'approve', verification, ...(callback ? { callback } : {}) })).toEqual(expected);
});

test('the examples of the API document are accepted', () => {
  const at = new Date('2026-11-30T12:00:00Z');
  const context = (kind: 'organization' | 'administrator'): DecisionContext => ({
    subject: { kind, submittedAt: new Date('2026-11-30T00:00:00Z'), landline: '+861065529988;ext=8001', email: 'li.lei@acme.cn' },
    country: 'CN',
    now: at,
  });
  expect(decisionBody('organization', context('organization')).safeParse(DECISION_EXAMPLES.organizationApproval).success).toBe(true);
  expect(decisionBody('organization', context('organization')).safeParse(DECISION_EXAMPLES.organizationRejection).success).toBe(true);
  expect(decisionBody('administrator', context('administrator')).safeParse(DECISION_EXAMPLES.administratorApproval).success).toBe(true);
});

test("a record's time is judged at its own precision: given to the second, it may fall in the submission's own second (submittedAt has milliseconds)", () => {
  const submittedWithin = (at: string) => ({ ...organization, subject: { ...organization.subject, submittedAt: new Date(at) } });
  const judged = (calledAt: string) =>
    decisionBody('organization', submittedWithin('2026-11-30T01:00:00.444Z')).safeParse({ decision: 'approve', callback: { ...call, calledAt } });
  expect(judged('2026-11-30T09:00:00+08:00').success).toBe(true);
  expect(judged('2026-11-30T01:00:00.444Z').success).toBe(true);
  // Given to the millisecond, or a second earlier: before the submission.
  for (const calledAt of ['2026-11-30T01:00:00.443Z', '2026-11-30T08:59:59+08:00']) {
    const before = judged(calledAt);
    expect(before.success ? [] : before.error.issues.map((issue) => issue.message)).toEqual([expect.stringMatching(/must not be before the submission/)]);
  }
});
