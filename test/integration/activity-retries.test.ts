import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createDomainActivities } from '../../activities/domains';
import type { CheckOutcome, DomainState } from '../../workflows/domain-messages';
import { createProfileActivities } from '../../activities/profiles';
import { loadConfig } from '../../src/config';
import { createDomain } from '../../src/db/domain-store';
import { revalidationTime } from '../../src/dcv/domain-state';
import { renewalsDue, replanRenewalsDue } from '../../src/dcv/renewals-due';
import { parseDuration } from '../../src/domain/duration';
import { connectDatabase, type Db } from '../../src/db/connect';
import { migrateToLatest } from '../../src/db/migrate';
import { createAccount } from '../../src/db/principals';
import { createOrganization, MAX_ORGANIZATIONS_PER_ACCOUNT } from '../../src/db/profile-create';
import { administratorInput, organizationInput } from '../../src/domain/schemas';
import type { ProfileRef, ProfileState } from '../../workflows/messages';
import { createTestDatabase } from '../support/database';
import { ADMINISTRATOR, ORGANIZATION, fastTimings } from '../support/harness';
import { administratorApproval, organizationApproval } from '../support/review-records';

/**
 * Crash at the commit: an activity whose transaction committed but whose completion never reached
 * Temporal (worker killed) runs again with the same activity identity. Each status-changing activity
 * must find its own change applied and return the recorded outcome: no conflict, no second event.
 * Real PostgreSQL; the activity context (run id + activity id) is what Temporal gives a retry.
 */
let db: Db;
let drop: () => Promise<void>;
let accountId: string;
const timings = fastTimings({ reviewSla: '1s', reviewReminderInterval: '1h' });
const activities = () => createProfileActivities({ db, timings });
const customer = () => ({ kind: 'customer' as const, id: accountId });
const reviewer = { kind: 'reviewer' as const, id: randomUUID() };

beforeAll(async () => {
  const testDb = await createTestDatabase();
  drop = testDb.drop;
  db = await connectDatabase({ databaseUrl: testDb.url, dataDir: '' });
  await migrateToLatest(db);
  accountId = (await createAccount(db, 'Retries')).accountId;
});
afterAll(async () => {
  await db?.destroy();
  await drop?.();
});

/** One scheduled activity: every call through it is an attempt of the same execution. */
const execution = () =>
  new MockActivityEnvironment({ activityId: String(Math.floor(Math.random() * 1e6)), workflowExecution: { workflowId: 'w', runId: randomUUID() } });

let organizations = 0;

/** Another organization of the account each time (an account holds each legal entity once, and at most 10: then another account). */
async function submitted(withAdministrator = true): Promise<{ organization: ProfileRef; administrator: ProfileRef }> {
  if (organizations > 0 && organizations % MAX_ORGANIZATIONS_PER_ACCOUNT === 0) accountId = (await createAccount(db, `Retries ${organizations}`)).accountId;
  const created = await createOrganization(db, {
    accountId,
    organization: organizationInput.parse({ ...ORGANIZATION, name: `${ORGANIZATION.name} ${++organizations}` }),
    administrator: withAdministrator ? administratorInput('CN').parse(ADMINISTRATOR) : undefined,
    actor: customer(),
    timings,
    respond: (organization, administrators) => ({ id: organization.id, administratorIds: administrators.map((a) => a.id) }),
  });
  return { organization: { kind: 'organization', id: created.body.id }, administrator: { kind: 'administrator', id: created.body.administratorIds[0] } };
}

const actionsOf = async (entityId: string) =>
  (await db.selectFrom('events').select('action').where('entity_id', '=', entityId).orderBy('id').execute()).map((e) => e.action);

test('a retried rejection returns the recorded outcome, administrators to reject included, and writes one event', async () => {
  const { organization, administrator } = await submitted();
  const attempt = execution();
  const decision = { decision: 'reject' as const, reason: 'no such company', actor: reviewer };
  const first = await attempt.run(activities().decide, organization, decision);
  const retry = await attempt.run(activities().decide, organization, decision);
  expect(first).toMatchObject({ status: 'rejected', pendingAdministratorIds: [administrator.id] });
  expect(retry).toEqual(first);
  expect(await actionsOf(organization.id)).toEqual(['submitted', 'rejected']);
  // Any other decision is still refused.
  await expect(execution().run(activities().decide, organization, decision)).rejects.toMatchObject({ type: 'Conflict' });
});

test('a retried approval, resubmission and edit return the recorded state without a second event', async () => {
  const { organization } = await submitted(false);
  const approve = execution();
  const approval = { ...organizationApproval(), actor: reviewer };
  const approved = await approve.run(activities().decide, organization, approval);
  expect(await approve.run(activities().decide, organization, approval)).toEqual(approved);

  const edit = execution();
  const request = { changes: { city: 'Shanghai' }, actor: customer() };
  const edited = (await edit.run(activities().edit, organization, request)) as ProfileState;
  expect(edited.status).toBe('under_review');
  expect(await edit.run(activities().edit, organization, request)).toEqual(edited);

  await execution().run(activities().decide, organization, { decision: 'reject' as const, reason: 'city', actor: reviewer });
  const resubmit = execution();
  const resubmitted = await resubmit.run(activities().resubmit, organization, customer());
  expect(await resubmit.run(activities().resubmit, organization, customer())).toEqual(resubmitted);
  expect(await actionsOf(organization.id)).toEqual(['submitted', 'approved', 'edited', 'rejected', 'resubmitted']);
  // One review per decision, written with its event: the retried approval added none.
  const reviews = await db.selectFrom('profile_reviews').select(['status', 'check_outcome']).where('entity_id', '=', organization.id).orderBy('id').execute();
  expect(reviews).toEqual([
    { status: 'approved', check_outcome: 'answered' },
    { status: 'rejected', check_outcome: null },
  ]);
});

test('a retried reminder records one overdue event and keeps its next reminder time', async () => {
  const { organization } = await submitted(false);
  await new Promise((resolve) => setTimeout(resolve, 1100)); // past the 1 s SLA
  const remind = execution();
  const first = (await remind.run(activities().remindReviewers, organization)) as ProfileState;
  const retry = await remind.run(activities().remindReviewers, organization);
  expect(retry).toEqual(first);
  expect(Date.parse(first.nextReminderAt!) - Date.now()).toBeGreaterThan(3_500_000);
  expect(await actionsOf(organization.id)).toEqual(['submitted', 'review_overdue']);
});

test('a reminder woken before the due time records nothing and waits for the due time', async () => {
  const { organization } = await submitted(false);
  const state = (await execution().run(activities().remindReviewers, organization)) as ProfileState;
  const row = await db.selectFrom('organizations').select('due_at').where('id', '=', organization.id).executeTakeFirstOrThrow();
  expect(state.nextReminderAt).toBe(new Date(row.due_at).toISOString());
  expect(await actionsOf(organization.id)).toEqual(['submitted']);
});

test('a retried delete returns the same cascade, read back from its events', async () => {
  const { organization, administrator } = await submitted();
  const remove = execution();
  const first = await remove.run(activities().remove, organization, customer());
  expect(first).toEqual({ administratorIds: [administrator.id], domainIds: [] });
  expect(await remove.run(activities().remove, organization, customer())).toEqual(first);
  expect(await actionsOf(organization.id)).toEqual(['submitted', 'deleted']);
  expect(await actionsOf(administrator.id)).toEqual(['submitted', 'deleted_with_organization']);
  // Another delete of a row already gone has nothing to cascade.
  expect(await execution().run(activities().remove, organization, customer())).toEqual({ administratorIds: [], domainIds: [] });
});

describe('domain activities', () => {
  const dcv = loadConfig({ DCV_PERSPECTIVES: 'primary=127.0.0.1:1' }).dcv;
  const domainActivities = () =>
    createDomainActivities({ db, dcv, writers: { delegation: () => undefined, provider: () => Promise.reject(new Error('no provider here')) } });
  const passed: CheckOutcome = {
    kind: 'scan',
    passed: true,
    code: 'passed',
    quorum: { summary: '1/1', required: 1, passedPerspectives: ['primary'], failedPerspectives: [] },
    results: [],
    faultSide: null,
    reason: null,
  };

  async function domain(name: string, method: 'dns_txt' | 'file_proxy' = 'dns_txt'): Promise<string> {
    const { organization, administrator } = await submitted();
    await execution().run(activities().decide, organization, { ...organizationApproval(), actor: reviewer });
    await execution().run(activities().decide, administrator, { ...administratorApproval(), actor: reviewer });
    const row = await db
      .transaction()
      .execute((trx) => createDomain(trx, { accountId, administratorId: administrator.id, name, method, dnsProviderId: null, actor: customer(), dcv }));
    return row.id;
  }

  test('a retried scan completion returns the recorded verdict: no second "revalidated" event, validity unchanged', async () => {
    const id = await domain('retried-scan.example.com');
    const state = (await execution().run(domainActivities().beginScan, id)) as DomainState;
    const complete = execution();
    const first = await complete.run(domainActivities().completeScan, id, passed, 1, state);
    const before = await db.selectFrom('domains').select(['validated_at', 'valid_until']).where('id', '=', id).executeTakeFirstOrThrow();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const retry = await complete.run(domainActivities().completeScan, id, passed, 1, state);
    expect(retry).toEqual(first);
    expect(await db.selectFrom('domains').select(['validated_at', 'valid_until']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual(before);
    expect(await actionsOf(id)).toEqual(['added', 'scan_started', 'validated']);
  });

  test('renewalTime reads DCV_REVALIDATE_BEFORE as the worker is configured now; null unless validated by an automatic method', async () => {
    const withLead = (lead: string) =>
      createDomainActivities({
        db,
        // A fixed validity: the leads below stay under a third of it whatever the BR period of the day.
        dcv: loadConfig({ DCV_PERSPECTIVES: 'primary=127.0.0.1:1', DCV_REVALIDATE_BEFORE: lead, DOMAIN_REUSE_PERIOD: '200d' }).dcv,
        writers: { delegation: () => undefined, provider: () => Promise.reject(new Error('no provider here')) },
      });
    const validate = async (id: string) => {
      const state = (await execution().run(withLead('30d').beginScan, id)) as DomainState;
      await execution().run(withLead('30d').completeScan, id, passed, 1, state);
      const { valid_until } = await db.selectFrom('domains').select('valid_until').where('id', '=', id).executeTakeFirstOrThrow();
      return new Date(valid_until!).getTime();
    };
    const proxied = await domain('renewal-time.example.com', 'file_proxy');
    expect(await withLead('30d').renewalTime(proxied)).toBeNull(); // pending: nothing to renew yet
    const validUntil = await validate(proxied);
    const day = 24 * 3600 * 1000;
    expect(await withLead('30d').renewalTime(proxied)).toBe(new Date(validUntil - 30 * day).toISOString());
    expect(await withLead('10d').renewalTime(proxied)).toBe(new Date(validUntil - 10 * day).toISOString());
    // A revalidate starts over: the row keeps its old validity while pending, but has nothing to renew.
    await execution().run(domainActivities().rotateRandomValue, proxied, 'restart' as const, customer());
    expect(await withLead('30d').renewalTime(proxied)).toBeNull();
    // A manual method renews only when the customer asks; a row that is gone has no renewal.
    const manual = await domain('renewal-time-manual.example.com');
    await validate(manual);
    expect(await withLead('30d').renewalTime(manual)).toBeNull();
    expect(await withLead('30d').renewalTime(randomUUID())).toBeNull();
  });

  test('renewalsDue: validated automatic domains whose renewal the lead as configured now makes due and that have not started one; the pass signals each', async () => {
    const now = new Date();
    const day = 24 * 3600 * 1000;
    const first = await domain('due-first.example.com', 'file_proxy');
    const { administrator_id } = await db.selectFrom('domains').select('administrator_id').where('id', '=', first).executeTakeFirstOrThrow();
    const another = async (name: string, method: 'dns_txt' | 'file_proxy') =>
      (
        await db
          .transaction()
          .execute((trx) => createDomain(trx, { accountId, administratorId: administrator_id, name, method, dnsProviderId: null, actor: customer(), dcv }))
      ).id;
    /** Validated `validatedDaysAgo` days ago, until `validForDays` days from now. */
    const validated = (id: string, validatedDaysAgo: number, validForDays: number) =>
      db
        .updateTable('domains')
        .set({ status: 'validated', validated_at: new Date(now.getTime() - validatedDaysAgo * day), valid_until: new Date(now.getTime() + validForDays * day) })
        .where('id', '=', id)
        .execute();
    await validated(first, 180, 20); // due under a 30-day lead, not under a 10-day one
    const renewing = await another('due-renewing.example.com', 'file_proxy');
    await validated(renewing, 180, 20);
    await domainActivities().rotateRandomValue(renewing, 'renew'); // its renewal has started
    const short = await another('due-short.example.com', 'file_proxy');
    await validated(short, 5, 5); // a 10-day validation renews 3⅓ days before its end, whatever the lead
    const manual = await another('due-manual.example.com', 'dns_txt');
    await validated(manual, 180, 20); // renewed only when the customer asks
    const lapsed = await another('due-lapsed.example.com', 'file_proxy');
    await validated(lapsed, 200, -1); // its workflow expires it

    const mine = (ids: string[]) => ids.filter((id) => [first, renewing, short, manual, lapsed].includes(id));
    expect(mine(await renewalsDue(db, parseDuration('30d'), now))).toEqual([first]);
    expect(mine(await renewalsDue(db, parseDuration('10d'), now))).toEqual([]);
    expect(mine(await renewalsDue(db, parseDuration('30d'), new Date(now.getTime() + 4 * day)))).toEqual([short, first]); // earliest end first
    const told: string[] = [];
    expect(await replanRenewalsDue(db, { replanRenewal: async (id) => void told.push(id) }, parseDuration('30d'), now)).toBeGreaterThanOrEqual(1);
    expect(mine(told)).toEqual([first]);
    // A domain whose signal fails does not hold up the others; the pass then names it (logged, tried again next pass).
    const toldLater: string[] = [];
    const failing = async (id: string) => {
      if (id === short) throw new Error('deadline passed');
      toldLater.push(id);
    };
    await expect(replanRenewalsDue(db, { replanRenewal: failing }, parseDuration('30d'), new Date(now.getTime() + 4 * day))).rejects.toThrow(
      `${short} (deadline passed)`,
    );
    expect(mine(toldLater)).toEqual([first]);
  });

  test('renewalsDue finds the domains the workflow renews now (revalidationTime): business days counted from valid_until, not from now; none without validated_at', async () => {
    const hour = 3600 * 1000;
    const day = 24 * hour;
    // A Wednesday and a Friday, 12:00 UTC, in the future.
    const wednesday = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 1, 12));
    while (wednesday.getUTCDay() !== 3) wednesday.setUTCDate(wednesday.getUTCDate() + 1);
    const friday = new Date(wednesday.getTime() + 2 * day);
    const first = await domain('bd-first.example.com', 'file_proxy');
    const { administrator_id } = await db.selectFrom('domains').select('administrator_id').where('id', '=', first).executeTakeFirstOrThrow();
    const another = async (name: string) =>
      (
        await db
          .transaction()
          .execute((trx) =>
            createDomain(trx, { accountId, administratorId: administrator_id, name, method: 'file_proxy', dnsProviderId: null, actor: customer(), dcv }),
          )
      ).id;
    const validated = (id: string, validatedAt: Date | null, validUntil: Date) =>
      db.updateTable('domains').set({ status: 'validated', validated_at: validatedAt, valid_until: validUntil }).where('id', '=', id).execute();
    // Until Friday 11:00: one business day after it is Monday, so it renews from Tuesday 11:00 (due on Wednesday).
    await validated(first, new Date(wednesday.getTime() - 180 * day), new Date(friday.getTime() - hour));
    // Until Monday 11:00: one business day after it is Tuesday, so it renews from Sunday 11:00 (not due on Friday).
    const monday = await another('bd-monday.example.com');
    await validated(monday, new Date(friday.getTime() - 180 * day), new Date(friday.getTime() + 3 * day - hour));
    // No validated_at: the workflow plans no renewal (domainStateOf), a signal would move nothing.
    const undated = await another('bd-undated.example.com');
    await validated(undated, null, new Date(wednesday.getTime() + hour));

    const mine = (ids: string[]) => ids.filter((id) => [first, monday, undated].includes(id));
    const lead = parseDuration('1bd');
    expect(mine(await renewalsDue(db, lead, wednesday))).toEqual([first]);
    expect(mine(await renewalsDue(db, lead, friday))).toEqual([]);
    // As the workflow reckons it.
    const renewsAt = async (id: string) => {
      const row = await db.selectFrom('domains').select(['validated_at', 'valid_until']).where('id', '=', id).executeTakeFirstOrThrow();
      return revalidationTime(new Date(row.validated_at!), new Date(row.valid_until!), lead).getTime();
    };
    expect(await renewsAt(first)).toBeLessThanOrEqual(wednesday.getTime());
    expect(await renewsAt(monday)).toBeGreaterThan(friday.getTime());
    expect(mine(await renewalsDue(db, lead, new Date(await renewsAt(monday))))).toEqual([monday]);
  });

  test('a retried rotation keeps the value it wrote and records one event', async () => {
    const id = await domain('retried-rotation.example.com');
    const rotate = execution();
    const first = await rotate.run(domainActivities().rotateRandomValue, id, 'restart' as const, customer());
    const value = (await db.selectFrom('domains').select('random_value').where('id', '=', id).executeTakeFirstOrThrow()).random_value;
    expect(await rotate.run(domainActivities().rotateRandomValue, id, 'restart' as const, customer())).toEqual(first);
    expect((await db.selectFrom('domains').select('random_value').where('id', '=', id).executeTakeFirstOrThrow()).random_value).toBe(value);
    expect(await actionsOf(id)).toEqual(['added', 'revalidation_requested']);
  });

  test('the lean scan retried after each commit: one recheck, one scan, one event per status; the same states back', async () => {
    const id = await domain('retried-lean-scan.example.com');
    const seen = [
      { perspective: 'primary', code: 'passed', passed: true, expected: 'v', observed: ['v'], detail: 'seen' },
      { perspective: 'primary', code: 'passed', passed: true, expected: 'ca', observed: [], detail: 'CAA' },
    ] as never[];
    const pending: DomainState = {
      status: 'pending',
      randomValueExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      validUntil: null,
      revalidateAt: null,
      attempt: 2,
      renewing: false,
      needsAttention: false,
    };
    const begin = execution();
    const begun = (await begin.run(domainActivities().beginScanAfterRecheck, id, [seen], pending)) as DomainState;
    expect(begun).toMatchObject({ status: 'verifying', attempt: 0 });
    expect(await begin.run(domainActivities().beginScanAfterRecheck, id, [seen], pending)).toEqual(begun);
    const finish = execution();
    const first = (await finish.run(domainActivities().finishScan, id, [seen], 1, begun)) as { outcome: CheckOutcome; state: DomainState };
    expect(first.outcome).toMatchObject({ kind: 'scan', passed: true, quorum: { summary: '1/1' } });
    expect(first.state.status).toBe('validated');
    const before = await db.selectFrom('domains').select(['validated_at', 'valid_until']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(await finish.run(domainActivities().finishScan, id, [seen], 1, begun)).toEqual(first);
    expect(await db.selectFrom('domains').select(['validated_at', 'valid_until']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual(before);
    expect(await actionsOf(id)).toEqual(['added', 'scan_started', 'validated']);
    const checks = await db.selectFrom('dcv_checks').select(['kind', 'passed']).where('domain_id', '=', id).orderBy('at').execute();
    expect(checks).toEqual([
      { kind: 'recheck', passed: true },
      { kind: 'scan', passed: true },
    ]);
  });

  test('a retried check keeps the one evidence row it recorded', async () => {
    const id = await domain('retried-check.example.com');
    const record = execution();
    const result = { perspective: 'primary', code: 'record_not_found', passed: false, expected: 'v', observed: [] } as never;
    const first = await record.run(domainActivities().recordCheck, id, 'recheck' as const, [[result]], { renewing: false });
    expect(await record.run(domainActivities().recordCheck, id, 'recheck' as const, [[result]], { renewing: false })).toEqual(first);
    expect(await db.selectFrom('dcv_checks').select('id').where('domain_id', '=', id).execute()).toHaveLength(1);
  });
});
