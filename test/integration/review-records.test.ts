import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createProfileActivities } from '../../activities/profiles';
import { ADMINISTRATOR, ORGANIZATION, eventually, profileRowCounts, startHarness, type Api, type Harness } from '../support/harness';
import { STORED_EMAIL, administratorApproval, organizationApproval } from '../support/review-records';

/**
 * Issue 7 items 7 and 11: an organization is approved only with the record of the CA's answered call to
 * its landline (extension included), an administrator only with the record of its confirmation; the
 * records are kept with the decision, shown to reviewers in full and to the customer as a history that
 * outlives resubmissions; the audit trail names its actors readably. Real API, worker, Temporal, PostgreSQL.
 */
let harness: Harness;
let customer: Api;
let reviewer: Api;

beforeAll(async () => {
  harness = await startHarness();
  customer = await harness.customer('Acme', 'deploy-bot');
  reviewer = await harness.reviewer('Zhang Min (CA desk)');
});
afterAll(async () => harness?.stop());

let submitted = 0;

/** An organization whose landline has an extension, as the CA must dial it (each its own, so none is a duplicate). */
async function submit(landline = '010 6552 9988 ext. 8001') {
  const organization = { ...ORGANIZATION, name: `Acme Network Technology ${++submitted} Co., Ltd.`, landline };
  const response = await customer.request('POST', '/v1/organizations', { organization, administrator: ADMINISTRATOR });
  expect(response.status).toBe(201);
  return response.body;
}

const decide = (kind: 'organizations' | 'administrators', id: string, body: unknown, headers?: Record<string, string>) =>
  reviewer.request('POST', `/v1/reviews/${kind}/${id}/decision`, body, headers);
const reviewsOf = async (id: string) => harness.db.selectFrom('profile_reviews').selectAll().where('entity_id', '=', id).execute();
/** What a refused decision may not change: rows, events, review records, the status. */
const snapshot = async (organizationId: string) => ({
  counts: await profileRowCounts(harness.db),
  reviews: (await harness.db.selectFrom('profile_reviews').select('id').execute()).length,
  status: (await customer.request('GET', `/v1/organizations/${organizationId}`)).body.status,
});

test('an approval without the callback, or with a call to a number that is not the landline, answers 422 naming the field and rule; nothing changes', async () => {
  const organization = await submit();
  expect(organization.landline).toBe('+861065529988;ext=8001');
  const before = await snapshot(organization.id);
  expect(before.status).toBe('under_review');

  const bare = await decide('organizations', organization.id, { decision: 'approve' });
  expect([bare.status, bare.headers.get('content-type'), bare.body.errors]).toEqual([
    422,
    'application/problem+json; charset=utf-8',
    [{ field: 'callback', rule: 'required', message: "required to approve an organization: the record of the CA's call to its landline" }],
  ]);

  // The main number without the extension reaches the switchboard, not the organization's line.
  const withoutExtension = await decide('organizations', organization.id, organizationApproval({ number: '+861065529988' }));
  expect([withoutExtension.status, withoutExtension.body.errors]).toEqual([
    422,
    [{ field: 'callback.number', rule: 'callback-number', message: "must be the organization's landline as it is stored, extension included" }],
  ]);
  const mobile = await decide('organizations', organization.id, organizationApproval({ number: '138 0013 8000' }));
  expect(mobile.body.errors).toEqual([expect.objectContaining({ field: 'callback.number', rule: 'callback-number' })]);

  // Every broken rule at once: a call in the future, nobody said who answered, no note.
  const approval = organizationApproval({ calledAt: new Date(Date.now() + 3_600_000).toISOString() });
  const incomplete = await decide('organizations', organization.id, {
    decision: 'approve',
    callback: { number: '+86 10 6552 9988 ext. 8001', calledAt: approval.callback.calledAt, outcome: 'answered' },
  });
  expect([incomplete.status, incomplete.body.errors.map((e: { field: string; rule: string }) => `${e.field}: ${e.rule}`)]).toEqual([
    422,
    ['callback.note: required', 'callback.answeredBy: required', 'callback.calledAt: not-in-future'],
  ]);
  const early = await decide('organizations', organization.id, organizationApproval({ number: '+861065529988;ext=8001', calledAt: '2020-01-01T00:00:00Z' }));
  expect(early.body.errors).toEqual([expect.objectContaining({ field: 'callback.calledAt', rule: 'not-before-submission' })]);

  expect(await snapshot(organization.id)).toEqual(before);
});

test('a full approval is stored with its record: reviewers see all of it, the customer what came of the call', async () => {
  const organization = await submit();
  const administrator = organization.administrators[0];
  // The reviewer may type the number as dialled: it is read in the organization's country.
  const approval = organizationApproval({ number: '010 6552 9988 转 8001', note: 'Confirmed the legal name; ext. 8001 is IT' });
  const approved = await decide('organizations', organization.id, approval);
  expect([approved.status, approved.body.status]).toEqual([200, 'approved']);

  const history = await reviewer.request('GET', `/v1/reviews/organizations/${organization.id}/history`);
  expect(history.status).toBe(200);
  expect(history.body).toEqual({
    items: [
      {
        id: expect.any(String),
        kind: 'organization',
        subjectId: organization.id,
        status: 'approved',
        reason: null,
        submittedAt: organization.submittedAt,
        decidedAt: approved.body.approvedAt,
        decidedBy: { kind: 'reviewer', id: reviewer.id, name: 'Zhang Min (CA desk)' },
        callback: {
          number: '+861065529988;ext=8001',
          calledAt: approval.callback.calledAt,
          outcome: 'answered',
          answeredBy: { name: 'Wang Fang', role: 'Office manager' },
          note: 'Confirmed the legal name; ext. 8001 is IT',
        },
        verification: null,
      },
    ],
    nextCursor: null,
  });

  // The customer's history: no reviewer's note, no name of whoever answered.
  const own = await customer.request('GET', `/v1/organizations/${organization.id}/reviews`);
  expect(own.body.items).toEqual([
    {
      id: history.body.items[0].id,
      status: 'approved',
      reason: null,
      submittedAt: organization.submittedAt,
      decidedAt: approved.body.approvedAt,
      decidedBy: { kind: 'reviewer', id: reviewer.id, name: 'Zhang Min (CA desk)' },
      callback: { number: '+861065529988;ext=8001', calledAt: approval.callback.calledAt, outcome: 'answered' },
      verification: null,
    },
  ]);
  expect(JSON.stringify(own.body)).not.toMatch(/Wang Fang|legal name/);

  // The administrator: its own address or mobile, confirmed.
  const someoneElse = await decide('administrators', administrator.id, administratorApproval({ email: 'ceo@acme.cn' }));
  expect([someoneElse.status, someoneElse.body.errors]).toEqual([
    422,
    [{ field: 'verification.contact', rule: 'verification-contact', message: "must be the administrator's own email address" }],
  ]);
  expect((await decide('administrators', administrator.id, { decision: 'approve' })).body.errors).toEqual([
    expect.objectContaining({ field: 'verification', rule: 'required' }),
  ]);
  const confirmed = administratorApproval({ email: 'Li.Lei@ACME.cn' });
  expect((await decide('administrators', administrator.id, confirmed)).body.status).toBe('approved');
  const adminHistory = await customer.request('GET', `/v1/administrators/${administrator.id}/reviews`);
  expect(adminHistory.body.items).toEqual([
    expect.objectContaining({
      status: 'approved',
      callback: null,
      verification: { method: 'email', contact: STORED_EMAIL, contactedAt: confirmed.verification.contactedAt, outcome: 'confirmed' },
    }),
  ]);
  const adminRecord = (await reviewer.request('GET', `/v1/reviews/administrators/${administrator.id}/history`)).body.items[0];
  expect(adminRecord.verification.note).toBe(confirmed.verification.note);
});

test('a rejection with its reason and unanswered call stays in the history after the resubmission, next to the approval', async () => {
  const organization = await submit();
  const administrator = organization.administrators[0];
  const unanswered = { number: '+861065529988;ext=8001', calledAt: new Date().toISOString(), outcome: 'no_answer' };
  const reason = 'Nobody answered extension 8001 on three attempts; check the extension and resubmit';
  const rejected = await decide('organizations', organization.id, { decision: 'reject', reason, callback: unanswered });
  expect([rejected.status, rejected.body.rejectionReason]).toEqual([200, reason]);
  await eventually(
    async () => ((await customer.request('GET', `/v1/administrators/${administrator.id}`)).body.status === 'rejected' ? true : undefined),
    10_000,
    'the administrator rejected with its organization',
  );

  const resubmitted = await customer.request('POST', `/v1/organizations/${organization.id}/resubmit`);
  // The current status has no rejection reason any more; the history keeps it.
  expect([resubmitted.body.status, resubmitted.body.rejectionReason]).toEqual(['under_review', null]);

  // The reviewer of the resubmission sees why it was rejected before, with the record.
  const queue = await reviewer.request('GET', '/v1/reviews?limit=100');
  const queued = queue.body.items.find((i: { id: string }) => i.id === organization.id);
  expect(queued.lastReview).toMatchObject({ status: 'rejected', reason, callback: { outcome: 'no_answer', answeredBy: null, note: null } });

  const approval = organizationApproval({ number: '+861065529988;ext=8001' });
  expect((await decide('organizations', organization.id, approval)).body.status).toBe('approved');

  const history = await customer.request('GET', `/v1/organizations/${organization.id}/reviews`);
  expect(history.body.items).toEqual([
    expect.objectContaining({
      status: 'rejected',
      reason,
      submittedAt: organization.submittedAt,
      decidedBy: expect.objectContaining({ kind: 'reviewer', name: 'Zhang Min (CA desk)' }),
      callback: { number: '+861065529988;ext=8001', calledAt: new Date(unanswered.calledAt).toISOString(), outcome: 'no_answer' },
    }),
    expect.objectContaining({
      status: 'approved',
      reason: null,
      submittedAt: resubmitted.body.submittedAt,
      callback: expect.objectContaining({ outcome: 'answered' }),
    }),
  ]);
  // Cursor paged like every list.
  const first = await customer.request('GET', `/v1/organizations/${organization.id}/reviews?limit=1`);
  const second = await customer.request('GET', `/v1/organizations/${organization.id}/reviews?limit=1&cursor=${first.body.nextCursor}`);
  expect([first.body.items[0].status, second.body.items[0].status, second.body.nextCursor]).toEqual(['rejected', 'approved', null]);
  expect((await customer.request('GET', `/v1/organizations/${organization.id}/reviews?cursor=garbage`)).body.errors[0].field).toBe('cursor');

  // The administrator's history names the service as who rejected it with its organization.
  const adminHistory = await customer.request('GET', `/v1/administrators/${administrator.id}/reviews`);
  expect(adminHistory.body.items).toEqual([
    expect.objectContaining({
      status: 'rejected',
      reason: `organization rejected: ${reason}`,
      decidedBy: { kind: 'system', id: null, name: 'system' },
      callback: null,
      verification: null,
    }),
  ]);
});

test("the customer's audit trail names its actors: the key's name, the reviewer's display name, the service", async () => {
  const organization = await submit();
  const administrator = organization.administrators[0];
  const reason = 'The registry lists another address';
  await decide('organizations', organization.id, { decision: 'reject', reason });
  const trail = await eventually(
    async () => {
      const items = (await customer.request('GET', `/v1/administrators/${administrator.id}/events`)).body.items;
      return items.length === 2 ? items : undefined;
    },
    10_000,
    'the administrator rejected with its organization',
  );
  expect(trail.map((e: { action: string; actor: unknown }) => [e.action, e.actor])).toEqual([
    ['submitted', { kind: 'customer', id: expect.any(String), name: 'deploy-bot' }],
    ['rejected_with_organization', { kind: 'system', id: null, name: 'system' }],
  ]);
  const organizationTrail = (await customer.request('GET', `/v1/organizations/${organization.id}/events`)).body.items;
  expect(organizationTrail.map((e: { action: string; actor: { name: string } }) => `${e.action} by ${e.actor.name}`)).toEqual([
    'submitted by deploy-bot',
    'rejected by Zhang Min (CA desk)',
  ]);
});

test('a decision retried with its Idempotency-Key gets the first answer, even once its record no longer fits; one review is kept', async () => {
  const organization = await submit();
  const approval = organizationApproval({ number: '+861065529988;ext=8001' });
  const key = { 'Idempotency-Key': `approve-${organization.id}` };
  const first = await decide('organizations', organization.id, approval, key);
  expect([first.status, first.body.status]).toEqual([200, 'approved']);
  expect(await decide('organizations', organization.id, approval, key)).toMatchObject({ status: 200, body: first.body });

  // The customer moves to a new landline: the organization is under review again, and the old call fits neither the number nor the submission.
  const moved = await customer.request('PATCH', `/v1/organizations/${organization.id}`, { landline: '010 6552 9900' });
  expect(moved.body).toMatchObject({ status: 'under_review', landline: '+861065529900' });
  expect(await decide('organizations', organization.id, approval, key)).toMatchObject({ status: 200, body: first.body });
  const fresh = await decide('organizations', organization.id, approval);
  expect([fresh.status, fresh.body.errors.map((e: { rule: string }) => e.rule)]).toEqual([422, ['callback-number', 'not-before-submission']]);
  expect((await reviewsOf(organization.id)).map((r) => r.status)).toEqual(['approved']);
});

test('the decide activity checks the record against the row under its lock: a landline changed since the API read it is refused with 422 details', async () => {
  const organization = await submit();
  // What the API checked was the old landline; the row now holds another one.
  await harness.db.updateTable('organizations').set({ landline: '+861065529900' }).where('id', '=', organization.id).execute();
  const activities = createProfileActivities({ db: harness.db, timings: harness.config.timings });
  const attempt = new MockActivityEnvironment({ activityId: '1', workflowExecution: { workflowId: 'w', runId: randomUUID() } });
  const request = { ...organizationApproval({ number: '+861065529988;ext=8001' }), actor: { kind: 'reviewer' as const, id: reviewer.id } };
  const ref = { kind: 'organization' as const, id: organization.id as string };
  await expect(attempt.run(activities.decide, ref, request)).rejects.toMatchObject({
    type: 'Unprocessable',
    nonRetryable: true,
    details: [[{ field: 'callback.number', rule: 'callback-number', message: "must be the organization's landline as it is stored, extension included" }]],
  });
  // No personal data in the failure's message (Temporal keeps it in the history): fields and rules only.
  await expect(attempt.run(activities.decide, ref, request)).rejects.toThrow(
    "the decision's record does not fit the organization: callback.number (callback-number)",
  );
  const row = await harness.db.selectFrom('organizations').select('status').where('id', '=', organization.id).executeTakeFirstOrThrow();
  expect(row.status).toBe('under_review');
  expect(await reviewsOf(organization.id)).toEqual([]);
});

test('review history of an unknown profile answers 404; a known one without reviews an empty page', async () => {
  const organization = await submit();
  expect((await customer.request('GET', `/v1/organizations/${organization.id}/reviews`)).body).toEqual({ items: [], nextCursor: null });
  expect((await customer.request('GET', `/v1/organizations/${randomUUID()}/reviews`)).status).toBe(404);
  expect((await customer.request('GET', `/v1/administrators/${randomUUID()}/reviews`)).status).toBe(404);
  expect((await reviewer.request('GET', `/v1/reviews/organizations/${randomUUID()}/history`)).status).toBe(404);
  expect((await reviewer.request('GET', `/v1/reviews/domains/${organization.id}/history`)).status).toBe(404);
});
