import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { Client as PgClient } from 'pg';
import { createProfileActivities } from '../../activities/profiles';
import { parseDuration } from '../../src/domain/duration';
import { recordEvent, recordEvents } from '../../src/db/events';
import { SYSTEM } from '../../src/domain/vocabulary';
import { recordExpiryNotices } from '../../src/notify/expiry-notices';
import { recordOutboxEvent } from '../../src/notify/outbox';
import { type Api, approvedAdministrator, eventually, fastTimings, type Harness, ORGANIZATION, ADMINISTRATOR, startHarness } from '../support/harness';
import { organizationApproval } from '../support/review-records';

/**
 * The account event feed (issue 11): every public event written in the transaction of its change, with
 * a snapshot of the object, listed oldest first in commit order. Real service, PostgreSQL and Temporal.
 */
let harness: Harness;
let customer: Api;
let reviewer: Api;

beforeAll(async () => {
  harness = await startHarness();
  customer = await harness.customer();
  reviewer = await harness.reviewer();
});
afterAll(async () => harness?.stop());

const feed = async (api: Api, query = '') => (await api.request('GET', `/v1/events${query}`)).body;
const typesOf = (items: { type: string; objectId: string }[], objectIds: string[]) => items.filter((e) => objectIds.includes(e.objectId)).map((e) => e.type);

/** One scheduled activity: every call through it is an attempt of the same execution (a retry after a crash at the commit). */
const execution = () =>
  new MockActivityEnvironment({ activityId: String(Math.floor(Math.random() * 1e6)), workflowExecution: { workflowId: 'w', runId: randomUUID() } });

let organizations = 0;
async function submitOrganization(api: Api): Promise<any> {
  const name = `Feed Test ${++organizations} Co., Ltd.`;
  const created = await api.request('POST', '/v1/organizations', { organization: { ...ORGANIZATION, name }, administrator: ADMINISTRATOR });
  expect(created.status).toBe(201);
  return created.body;
}

test('each change of an organization, administrator and domain is in the feed once, in order, with its public view at that moment', async () => {
  const { organizationId, administratorId } = await approvedAdministrator(customer, reviewer);
  const added = await customer.request('POST', `/v1/administrators/${administratorId}/domains`, {
    domain: 'feed.example.com',
    autoValidation: false,
    method: 'dns',
  });
  expect(added.status).toBe(201);
  const domainId = added.body.id;
  expect((await customer.request('DELETE', `/v1/domains/${domainId}`)).status).toBe(204);

  const items = await eventually(async () => {
    const listed = (await feed(customer, '?limit=100')).items;
    return typesOf(listed, [domainId]).length === 2 ? listed : undefined;
  });
  expect(typesOf(items, [organizationId, administratorId, domainId])).toEqual([
    'organization.submitted',
    'administrator.submitted',
    'organization.approved',
    'administrator.approved',
    'domain.added',
    'domain.deleted',
  ]);
  const byType = Object.fromEntries(items.map((e: any) => [e.type, e]));
  // The submission's snapshot shows the organization under review with its first administrator.
  expect(byType['organization.submitted'].data).toMatchObject({ id: organizationId, status: 'under_review', administrators: [{ id: administratorId }] });
  // A submission's event is dated at the submission, to the millisecond.
  for (const type of ['organization.submitted', 'administrator.submitted']) expect(byType[type].timestamp).toBe(byType[type].data.submittedAt);
  expect(byType['organization.approved']).toMatchObject({ objectKind: 'organization', objectId: organizationId, data: { status: 'approved' } });
  expect(byType['organization.approved'].data.validUntil).toEqual(expect.any(String));
  expect(byType['organization.approved'].id).toMatch(/^evt_[1-9][0-9]*$/);
  // A deleted object's last view: the domain as it was when it went.
  expect(byType['domain.deleted'].data).toMatchObject({ id: domainId, domain: 'feed.example.com', status: 'pending', method: 'dns' });
  expect(byType['domain.added'].data.instructions).toMatchObject({ record: { type: 'TXT', name: '_dnsauth.feed.example.com' } });
  // Timestamps never go back along the feed.
  const times = items.map((e: any) => Date.parse(e.timestamp));
  expect([...times].sort((a, b) => a - b)).toEqual(times);
});

test('type filters, pages follow `after`, another account sees nothing, and bad parameters answer 400 naming them', async () => {
  const organization = await submitOrganization(customer);
  const approvals = await eventually(async () => {
    const page = await feed(customer, '?type=organization.approved,organization.submitted&limit=100');
    return page.items.some((e: any) => e.objectId === organization.id) ? page : undefined;
  });
  expect(approvals.items.every((e: any) => ['organization.approved', 'organization.submitted'].includes(e.type))).toBe(true);
  expect(approvals.items.some((e: any) => e.objectId === organization.id)).toBe(true);

  const all = (await feed(customer, '?limit=100')).items;
  const seen: string[] = [];
  let after: string | null = null;
  do {
    const page: any = await feed(customer, `?limit=2${after ? `&after=${after}` : ''}`);
    seen.push(...page.items.map((e: any) => e.id));
    after = page.nextCursor;
  } while (after);
  expect(seen).toEqual(all.map((e: any) => e.id));
  // Polling from the last event seen: nothing new yet, then only what happened since.
  const last = seen[seen.length - 1];
  expect((await feed(customer, `?after=${last}`)).items).toEqual([]);
  await customer.request('DELETE', `/v1/organizations/${organization.id}`);
  const since = await eventually(async () => {
    const items = (await feed(customer, `?after=${last}`)).items;
    return items.length >= 2 ? items : undefined;
  });
  expect(typesOf(since, [organization.id, organization.administrators[0].id])).toEqual(['organization.deleted', 'administrator.deleted']);

  const other = await harness.customer('Other');
  expect((await feed(other)).items).toEqual([]);
  const foreign = await other.request('GET', `/v1/events?after=${last}`);
  expect(foreign.status).toBe(400);
  expect(foreign.body.errors).toEqual([{ field: 'after', message: 'no such event in this account', rule: 'not-in-account' }]);
  const badType = await customer.request('GET', '/v1/events?type=organization.approved,organisation.approved');
  expect(badType.status).toBe(400);
  expect(badType.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(badType.body.errors).toEqual([expect.objectContaining({ field: 'type', rule: 'event-type' })]);
  expect(badType.body.errors[0].message).toMatch(/^unknown event type "organisation\.approved"; one of /);
  const empty = await customer.request('GET', '/v1/events?type=organization.approved,,');
  expect([empty.status, empty.body.errors[0].message]).toEqual([400, expect.stringMatching(/^unknown event type "", ""; one of /)]);
  for (const query of ['?after=42', '?after=evt_0', '?limit=0', '?limit=101']) {
    const answer = await customer.request('GET', `/v1/events${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].field).toBe(query.slice(1).split('=')[0]);
  }
});

describe('written with the change, in its transaction', () => {
  const activities = () => createProfileActivities({ db: harness.db, timings: fastTimings() });
  const reviewerActor = () => ({ kind: 'reviewer' as const, id: randomUUID() });

  test('a change that rolls back leaves no event; a retried activity (crash at the commit) writes no second one', async () => {
    const organization = await submitOrganization(customer);
    const ref = { kind: 'organization' as const, id: organization.id };
    const events = async () =>
      (await harness.db.selectFrom('account_events').select('type').where('object_id', '=', organization.id).orderBy('id').execute()).map((e) => e.type);
    // The review history's insert fails after the status and the events were written: all of it rolls back.
    await sql`create function refuse_review() returns trigger language plpgsql as $$ begin raise exception 'review history refused'; end $$`.execute(
      harness.db,
    );
    await sql`create trigger refuse_review before insert on profile_reviews for each row execute function refuse_review()`.execute(harness.db);
    try {
      await expect(execution().run(activities().decide, ref, { ...organizationApproval(), actor: reviewerActor() })).rejects.toThrow(/review history refused/);
    } finally {
      await sql`drop trigger refuse_review on profile_reviews`.execute(harness.db);
      await sql`drop function refuse_review()`.execute(harness.db);
    }
    expect(await events()).toEqual(['organization.submitted']);
    expect((await customer.request('GET', `/v1/organizations/${organization.id}`)).body.status).toBe('under_review');

    const attempt = execution();
    const decision = { ...organizationApproval(), actor: reviewerActor() };
    const first = await attempt.run(activities().decide, ref, decision);
    expect(await attempt.run(activities().decide, ref, decision)).toEqual(first);
    expect(await events()).toEqual(['organization.submitted', 'organization.approved']);
  });

  test('an event that commits late is listed after those already read, never skipped by a cursor past its id', async () => {
    const late = new PgClient({ connectionString: harness.databaseUrl });
    await late.connect();
    try {
      const objectId = randomUUID();
      const before = (await feed(customer, '?limit=100')).items;
      const last = before[before.length - 1].id;
      // A transaction that wrote its event (the smaller id) and has not committed yet.
      await late.query('begin');
      await late.query(`insert into account_events (account_id, type, object_kind, object_id, snapshot) values ($1, 'domain.failed', 'domain', $2, 'null')`, [
        customer.id,
        objectId,
      ]);
      // Another change commits meanwhile (a larger id).
      const other = randomUUID();
      await harness.db
        .transaction()
        .execute((trx) => recordOutboxEvent(trx, { accountId: customer.id, type: 'domain.validated', object: { kind: 'domain', id: other }, snapshot: null }));
      // Not listed yet: something older may still commit before it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(typesOf((await feed(customer, `?after=${last}`)).items, [objectId, other])).toEqual([]);
      await late.query('commit');
      // Listed as soon as no transaction still running could precede them (a worker's may, briefly).
      const after = await eventually(async () => {
        const items = (await feed(customer, `?after=${last}`)).items;
        return typesOf(items, [objectId, other]).length === 2 ? items : undefined;
      });
      expect(typesOf(after, [objectId, other])).toEqual(['domain.failed', 'domain.validated']);
    } finally {
      await late.end();
    }
  });
});

test('expiry notices: 30 and 7 days before for domains validated by hand, 7 days for approvals (30 is their expiring status), once each', async () => {
  const { organizationId, administratorId } = await approvedAdministrator(customer, reviewer);
  const manual = (
    await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: 'notice.example.com', autoValidation: false, method: 'dns' })
  ).body.id;
  const automatic = (
    await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: 'auto-notice.example.com', autoValidation: true, method: 'file' })
  ).body.id;
  const validUntil = new Date(Date.now() + 400 * 86_400_000);
  await harness.db
    .updateTable('domains')
    .set({ status: 'validated', validated_at: new Date(), valid_until: validUntil })
    .where('id', 'in', [manual, automatic])
    .execute();
  await harness.db.updateTable('organizations').set({ valid_until: validUntil }).where('id', '=', organizationId).execute();
  await harness.db.updateTable('administrators').set({ valid_until: validUntil }).where('id', '=', administratorId).execute();
  const policy = { points: ['30d', '7d'].map(parseDuration), expiringWindow: parseDuration('30d'), revalidateBefore: parseDuration('30d') };
  const notices = async () =>
    (
      await harness.db
        .selectFrom('account_events')
        .select(['type', 'object_id'])
        .where('object_id', 'in', [organizationId, administratorId, manual, automatic])
        .where('notice_key', 'is not', null)
        .orderBy('id')
        .execute()
    ).map((e) => `${e.type} ${[organizationId, administratorId, manual, automatic].indexOf(e.object_id)}`);

  const at = (daysLeft: number) => new Date(validUntil.getTime() - daysLeft * 86_400_000);
  // (Other tests' approvals end at about the same time; only these objects are looked at.)
  await recordExpiryNotices(harness.db, policy, at(31));
  expect(await notices()).toEqual([]);
  await recordExpiryNotices(harness.db, policy, at(29));
  expect(await notices()).toEqual(['domain.expiring 2']);
  await recordExpiryNotices(harness.db, policy, at(6));
  expect(await recordExpiryNotices(harness.db, policy, at(5))).toBe(0);
  expect((await notices()).sort()).toEqual(
    ['domain.expiring 2', 'organization.expiring 0', 'administrator.expiring 1', 'domain.expiring 2', 'domain.expiring 3'].sort(),
  );
  // In the feed like any event, with the object's view.
  const listed = await eventually(async () => {
    const items = (await feed(customer, '?type=domain.expiring&limit=100')).items.filter((e: any) => e.objectId === automatic);
    return items.length ? items : undefined;
  });
  expect(listed).toEqual([expect.objectContaining({ type: 'domain.expiring', data: expect.objectContaining({ id: automatic, status: 'validated' }) })]);
  // A renewal (new validity) gets its own notices.
  const renewed = new Date(validUntil.getTime() + 398 * 86_400_000);
  await harness.db.updateTable('domains').set({ valid_until: renewed }).where('id', '=', manual).execute();
  await recordExpiryNotices(harness.db, policy, new Date(renewed.getTime() - 6 * 86_400_000));
  expect((await notices()).filter((n) => n === 'domain.expiring 2')).toHaveLength(4);
});

test('a notice key is written once, also when two workers race', async () => {
  const organization = await submitOrganization(customer);
  const write = () =>
    harness.db.transaction().execute((trx) =>
      recordOutboxEvent(trx, {
        accountId: customer.id,
        type: 'organization.expiring',
        object: { kind: 'organization', id: organization.id },
        noticeKey: `race:${organization.id}`,
      }),
    );
  const results = await Promise.all([write(), write(), write()]);
  expect(results.filter(Boolean)).toHaveLength(1);
  await eventually(async () =>
    (await feed(customer, '?type=organization.expiring&limit=100')).items.some((e: any) => e.objectId === organization.id) ? true : undefined,
  );
});

test('a public event goes with its audit event in one statement, in the transaction of the change; an audit-only change writes no feed row', async () => {
  const organization = await submitOrganization(customer);
  let statements = 0;
  const counted = harness.db.withPlugin({ transformQuery: ({ node }) => node, transformResult: async ({ result }) => (statements++, result) });
  const record = (action: string, after: unknown) =>
    counted.transaction().execute((trx) =>
      recordEvent(trx, {
        accountId: customer.id,
        entityKind: 'organization',
        entityId: organization.id,
        actor: SYSTEM,
        action,
        after,
        snapshot: { id: organization.id, status: 'rejected' },
      }),
    );
  const rejected = await record('rejected', { status: 'rejected' });
  expect(statements).toBe(1);
  const row = await harness.db.selectFrom('account_events').selectAll().where('audit_event_id', '=', rejected).executeTakeFirstOrThrow();
  const audit = await harness.db.selectFrom('events').selectAll().where('id', '=', rejected).executeTakeFirstOrThrow();
  expect(row).toMatchObject({ account_id: customer.id, type: 'organization.rejected', object_kind: 'organization', object_id: organization.id });
  expect(row.snapshot).toEqual({ id: organization.id, status: 'rejected' });
  expect(new Date(row.at).getTime()).toBe(new Date(audit.at).getTime());
  // An edit that is no resubmission is on the audit trail only.
  statements = 0;
  const edited = await record('edited', { city: 'Shanghai' });
  expect(statements).toBe(1);
  expect(await harness.db.selectFrom('account_events').select('id').where('audit_event_id', '=', edited).executeTakeFirst()).toBeUndefined();
  // A change rolled back takes its public event with it.
  await expect(
    harness.db.transaction().execute(async (trx) => {
      await recordEvent(trx, {
        accountId: customer.id,
        entityKind: 'organization',
        entityId: organization.id,
        actor: SYSTEM,
        action: 'approved',
        after: { status: 'approved' },
        snapshot: null,
      });
      throw new Error('rolled back');
    }),
  ).rejects.toThrow('rolled back');
  expect(
    await harness.db.selectFrom('account_events').select('id').where('object_id', '=', organization.id).where('type', '=', 'organization.approved').execute(),
  ).toEqual([]);
});

test("several changes' events in one statement: ids in the order given, each public event beside its own audit event", async () => {
  const organization = await submitOrganization(customer);
  const administratorId = organization.administrators[0].id;
  let statements = 0;
  const counted = harness.db.withPlugin({ transformQuery: ({ node }) => node, transformResult: async ({ result }) => (statements++, result) });
  const at = new Date('2026-11-30T12:00:00Z');
  const event = (entityKind: 'organization' | 'administrator', entityId: string, action: string, extra: object = {}) => ({
    accountId: customer.id,
    entityKind,
    entityId,
    actor: SYSTEM,
    action,
    after: { status: action },
    snapshot: { id: entityId, status: action },
    ...extra,
  });
  // Public, audit-only (an edit), public with its own time: the feed skips the middle one and keeps the order.
  const ids = await counted
    .transaction()
    .execute((trx) =>
      recordEvents(trx, [
        event('organization', organization.id, 'rejected'),
        event('administrator', administratorId, 'edited', { after: { city: 'Shanghai' } }),
        event('administrator', administratorId, 'rejected', { at }),
      ]),
    );
  expect(statements).toBe(1);
  expect(ids.map(BigInt)).toEqual([...ids.map(BigInt)].sort((a, b) => (a < b ? -1 : 1)));
  const audit = await harness.db.selectFrom('events').selectAll().where('id', 'in', ids).orderBy('id').execute();
  expect(audit.map((e) => [e.id, e.entity_id, e.action])).toEqual([
    [ids[0], organization.id, 'rejected'],
    [ids[1], administratorId, 'edited'],
    [ids[2], administratorId, 'rejected'],
  ]);
  expect(new Date(audit[2].at)).toEqual(at);
  const rows = await harness.db.selectFrom('account_events').selectAll().where('audit_event_id', 'in', ids).orderBy('id').execute();
  expect(rows.map((r) => [r.audit_event_id, r.type, r.object_id])).toEqual([
    [ids[0], 'organization.rejected', organization.id],
    [ids[2], 'administrator.rejected', administratorId],
  ]);
  expect(rows[1].snapshot).toEqual({ id: administratorId, status: 'rejected' });
  expect(new Date(rows[1].at)).toEqual(at);
  expect(new Date(rows[0].at).getTime()).toBe(new Date(audit[0].at).getTime());
});

test("a create's organization and administrator events come in that order, in the audit trail and in the feed", async () => {
  const organization = await submitOrganization(customer);
  const administratorId = organization.administrators[0].id;
  const audit = await harness.db
    .selectFrom('events')
    .select(['entity_id'])
    .where('entity_id', 'in', [organization.id, administratorId])
    .orderBy('id')
    .execute();
  expect(audit.map((e) => e.entity_id)).toEqual([organization.id, administratorId]);
  const rows = await harness.db
    .selectFrom('account_events')
    .select(['object_id', 'snapshot'])
    .where('object_id', 'in', [organization.id, administratorId])
    .orderBy('id')
    .execute();
  expect(rows.map((r) => r.object_id)).toEqual([organization.id, administratorId]);
  // The organization's public event shows its first administrator.
  expect((rows[0].snapshot as { administrators: Array<{ id: string }> }).administrators.map((a) => a.id)).toEqual([administratorId]);
});

test("several changes' snapshots, when not given, are read in the transaction one query at a time, each of its own object", async () => {
  const organization = await submitOrganization(customer);
  const administratorId = organization.administrators[0].id;
  // A transaction is one connection: queries sent on it while another runs are queued by pg (deprecated, removed in pg@9).
  // The reads (a statement that embeds a query is transformed twice, so only selects are counted), by query id.
  const running = new Set<unknown>();
  let most = 0;
  const watched = harness.db.withPlugin({
    transformQuery: ({ node, queryId }) => (node.kind === 'SelectQueryNode' && (running.add(queryId), (most = Math.max(most, running.size))), node),
    transformResult: async ({ result, queryId }) => (running.delete(queryId), result),
  });
  const ids = await watched.transaction().execute((trx) =>
    recordEvents(trx, [
      { accountId: customer.id, entityKind: 'organization', entityId: organization.id, actor: SYSTEM, action: 'rejected', after: { status: 'rejected' } },
      { accountId: customer.id, entityKind: 'administrator', entityId: administratorId, actor: SYSTEM, action: 'rejected', after: { status: 'rejected' } },
    ]),
  );
  expect(most).toBe(1);
  const rows = await harness.db.selectFrom('account_events').selectAll().where('audit_event_id', 'in', ids).orderBy('id').execute();
  expect(rows.map((r) => [r.audit_event_id, (r.snapshot as { id: string }).id])).toEqual([
    [ids[0], organization.id],
    [ids[1], administratorId],
  ]);
});
