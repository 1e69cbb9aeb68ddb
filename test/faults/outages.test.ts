import { startPostgresCluster, type PostgresCluster } from './support/postgres-cluster';
import { startProduction, type Caller, type Production, type TimedResponse } from './support/production';
import { eventually } from '../support/harness';
import { administratorApproval, organizationApproval } from '../support/review-records';
import { expectAnswersWellBehaved, expectNoOrphans, type RecordedAnswer, withServiceOutput } from './support/checks';
import { startTemporalServer, type TemporalServer } from './support/temporal';

/**
 * Issue 6: outages answer 503, and completed work is not reported as failed. The production shape
 * (two API processes, one worker) on a PostgreSQL cluster and a Temporal dev server of this file's
 * own, which it stops and restarts under a client's load.
 */
const DEADLINE_MS = 3_000;
/** Scheduling slack on a loaded 2-core machine. */
const SLACK_MS = 1_500;

const ORGANIZATION = {
  name: 'Acme Network Technology Co., Ltd.',
  country: 'CN',
  province: 'Beijing',
  city: 'Beijing',
  address: '1 Zhongguancun Street, Haidian District',
  landline: '010 6552 9988',
};
const ADMINISTRATOR = { firstName: 'Lei', lastName: 'Li', position: 'CTO', phone: '138 0013 8000', email: 'li.lei@acme.cn' };

let postgres: PostgresCluster;
let temporal: TemporalServer;
let service: Production;
let reviewer: Caller;

beforeAll(async () => {
  [postgres, temporal] = await Promise.all([startPostgresCluster(), startTemporalServer()]);
  service = await startProduction({
    databaseUrl: postgres.url,
    temporalAddress: temporal.address,
    env: { REQUEST_DEADLINE: `${DEADLINE_MS}ms`, RECONCILE_INTERVAL: '2s' },
  });
  reviewer = await service.reviewer();
}, 300_000);

afterAll(async () => {
  await service?.stop();
  await Promise.all([temporal?.destroy(), postgres?.destroy()]);
});

const withOutput = (fn: () => Promise<void>) => withServiceOutput(() => service, fn);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Every answer is 2xx/4xx, or 503 with Retry-After; none took longer than the deadline (plus slack). */
const expectWellBehaved = (answers: RecordedAnswer[]) => expectAnswersWellBehaved(answers, DEADLINE_MS + SLACK_MS);
/** (c) No orphans, and every workflow's EntityStatus says what its row says. */
const expectConverged = () => expectNoOrphans(service);

test(
  '(a) PostgreSQL down for 30 s: every answer is 2xx/4xx or a timely 503 with Retry-After, and everything converges after',
  withOutput(async () => {
    const customers = await Promise.all([1, 2, 3].map((n) => service.customer(`Outage customer ${n}`)));
    const organizations: Array<{ id: string; administratorId: string }> = [];
    for (const [n, customer] of customers.entries()) {
      const created = await customer.request('POST', '/v1/organizations', {
        organization: { ...ORGANIZATION, name: `Before ${n}` },
        administrator: ADMINISTRATOR,
      });
      expect(created.status).toBe(201);
      organizations.push({ id: created.body.id, administratorId: created.body.administrators[0].id });
    }

    const answers: Array<TimedResponse & { what: string }> = [];
    const failures: string[] = [];
    let stop = false;
    let counter = 0;
    const client = async (n: number) => {
      const customer = customers[n];
      while (!stop) {
        const i = counter++;
        const target = organizations[i % organizations.length];
        const steps: Array<[string, () => Promise<TimedResponse>]> = [
          ['create organization', () => customer.request('POST', '/v1/organizations', { organization: { ...ORGANIZATION, name: `Loop ${n}-${i}` } })],
          ['list organizations', () => customer.request('GET', '/v1/organizations?limit=5')],
          ['get organization', () => customers[organizations.indexOf(target)].request('GET', `/v1/organizations/${target.id}`)],
          ['approve organization', () => reviewer.request('POST', `/v1/reviews/organizations/${target.id}/decision`, organizationApproval())],
          ['review queue', () => reviewer.request('GET', '/v1/reviews?limit=5')],
          ['unknown key', () => (({ ...customer, key: 'cps_live_unknown' }) as Caller).request('GET', '/v1/organizations')],
        ];
        const [what, call] = steps[i % steps.length];
        try {
          answers.push({ what, ...(await call()) });
        } catch (error) {
          failures.push(`${what}: ${error}`);
        }
        await sleep(100);
      }
    };
    const loops = customers.map((_, n) => client(n));

    await sleep(3_000);
    await postgres.stop('fast');
    const outageStarted = answers.length;
    const readyDuring: TimedResponse[] = [];
    for (let t = 0; t < 6; t++) {
      await sleep(5_000);
      const started = Date.now();
      const response = await fetch(`${service.apis[t % 2].url}/readyz`);
      readyDuring.push({ status: response.status, headers: response.headers, body: await response.json(), ms: Date.now() - started });
    }
    const during = answers.slice(outageStarted);
    await postgres.start();
    await sleep(8_000);
    stop = true;
    await Promise.all(loops);

    expect(failures).toEqual([]);
    expectWellBehaved(answers);
    // The outage was seen: 503s, authentication included (an unknown key cannot be told from a known one).
    expect(during.filter((a) => a.status === 503).length).toBeGreaterThan(10);
    expect(during.filter((a) => a.what === 'unknown key' && a.status !== 503 && a.status !== 401)).toEqual([]);
    expect(during.some((a) => a.what === 'unknown key' && a.status === 503)).toBe(true);
    for (const ready of readyDuring) {
      expect(ready.status).toBe(503);
      expect(ready.body.missing).toEqual(['database']);
      expect(ready.ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    }
    // And it ended: the last answers are the normal ones again.
    const after = answers.slice(-12);
    expect(after.filter((a) => a.status >= 500).map((a) => a.what)).toEqual([]);

    // Every create that answered 201 is there; everything has its workflow in the row's status.
    const created = answers.filter((a) => a.what === 'create organization' && a.status === 201).map((a) => a.body.id);
    const rows = await service.db.selectFrom('organizations').select('id').where('id', 'in', created).execute();
    expect(rows).toHaveLength(created.length);
    await expectConverged();
    expect(service.worker.running()).toBe(true);
  }),
);

test(
  '(b) Temporal down: creates answer 201 and get their workflows from the reconciler once it is back; decisions and /readyz answer 503 fast',
  withOutput(async () => {
    const customer = await service.customer('Temporal outage customer');
    const first = await customer.request('POST', '/v1/organizations', {
      organization: { ...ORGANIZATION, name: 'Approved First' },
      administrator: ADMINISTRATOR,
    });
    expect(first.status).toBe(201);
    const administratorId = first.body.administrators[0].id;
    expect((await reviewer.request('POST', `/v1/reviews/organizations/${first.body.id}/decision`, organizationApproval())).status).toBe(200);
    expect((await reviewer.request('POST', `/v1/reviews/administrators/${administratorId}/decision`, administratorApproval())).status).toBe(200);
    // A webhook (disabled, to be enabled during the outage), an event to send again, a domain to pre-check.
    const webhook = await customer.request('POST', '/v1/webhooks', { url: 'https://hooks.outage.example.com/in' });
    expect(webhook.status).toBe(201);
    const event = (await customer.request('GET', '/v1/events?limit=1')).body.items[0];
    const checked = await customer.request('POST', `/v1/administrators/${administratorId}/domains`, {
      domain: 'precheck.outage.example.com',
      autoValidation: false,
      method: 'dns',
    });
    expect(checked.status).toBe(201);

    await temporal.stop();
    const answers: Array<TimedResponse & { what: string }> = [];
    const call = async (what: string, request: Promise<TimedResponse>) => {
      const answer = { what, ...(await request) };
      answers.push(answer);
      return answer;
    };

    const organization = await call(
      'create organization + administrator',
      customer.request('POST', '/v1/organizations', {
        organization: { ...ORGANIZATION, name: 'During Outage' },
        administrator: { ...ADMINISTRATOR, email: 'outage@acme.cn' },
      }),
    );
    expect([organization.status, organization.ms < DEADLINE_MS + SLACK_MS]).toEqual([201, true]);
    const administrator = await call(
      'create administrator',
      customer.request('POST', `/v1/organizations/${first.body.id}/administrators`, { ...ADMINISTRATOR, email: 'second@acme.cn' }),
    );
    expect(administrator.status).toBe(201);
    const domain = await call(
      'create domain',
      customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: 'outage.example.com', autoValidation: false, method: 'dns' }),
    );
    expect(domain.status).toBe(201);
    // Committed, not started.
    expect(
      (await service.db.selectFrom('organizations').select('workflow_started').where('id', '=', organization.body.id).executeTakeFirstOrThrow())
        .workflow_started,
    ).toBe(false);
    expect((await customer.request('GET', `/v1/organizations/${organization.body.id}`)).status).toBe(200);

    // With an Idempotency-Key, as a client that retries decisions should: a decision answered 503 may
    // still reach the workflow once Temporal is back, and the retry with the same key (and the same body:
    // its record dated at the submission) gets its result.
    const approvals = new Map<string, object>([
      [organization.body.id, organizationApproval({ calledAt: organization.body.submittedAt })],
      [administrator.body.id, administratorApproval({ email: administrator.body.email, contactedAt: administrator.body.submittedAt })],
    ]);
    const decision = await call(
      'decision',
      reviewer.request('POST', `/v1/reviews/organizations/${organization.body.id}/decision`, approvals.get(organization.body.id), {
        headers: { 'Idempotency-Key': `approve-${organization.body.id}` },
      }),
    );
    expect(decision.status).toBe(503);
    expect(decision.headers.get('retry-after')).toBeTruthy();
    expect(decision.headers.get('content-type')).toMatch(/application\/problem\+json/);

    // What a webhook request commits is answered as committed (the dispatcher wakes the delivery workflow
    // later), never a 503 whose retry would queue the message twice.
    const queuedDuring = async () =>
      (await service.db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', webhook.body.id).execute()).length;
    const queuedBefore = await queuedDuring();
    const test = await call('webhook test message', customer.request('POST', `/v1/webhooks/${webhook.body.id}/test`));
    const resend = await call('webhook redelivery', customer.request('POST', `/v1/webhooks/${webhook.body.id}/redeliver`, { eventId: event.id }));
    expect([test.status, resend.status]).toEqual([202, 202]);
    expect(await queuedDuring()).toBe(queuedBefore + 2);
    expect((await call('webhook disabled', customer.request('PATCH', `/v1/webhooks/${webhook.body.id}`, { enabled: false }))).status).toBe(200);
    expect((await call('webhook enabled', customer.request('PATCH', `/v1/webhooks/${webhook.body.id}`, { enabled: true }))).status).toBe(200);
    // A pre-check the workflow service could not run answers 503 and is not counted against the domain's interval.
    const precheck = await call('pre-check', customer.request('POST', `/v1/domains/${checked.body.id}/validate`));
    expect([precheck.status, precheck.headers.get('retry-after')]).toEqual([503, '5']);

    for (const api of service.apis) {
      const started = Date.now();
      const response = await fetch(`${api.url}/readyz`);
      const body = (await response.json()) as { missing?: string[] };
      expect([response.status, body.missing]).toEqual([503, ['temporal']]);
      expect(response.headers.get('retry-after')).toBeTruthy();
      expect(Date.now() - started).toBeLessThan(DEADLINE_MS);
    }
    expectWellBehaved(answers);
    // A client's natural retry would have created nothing twice: one row per create.
    expect(await service.db.selectFrom('organizations').select('id').where('name', '=', 'During Outage').execute()).toHaveLength(1);

    await temporal.start();
    await eventually(
      async () => {
        const states = await Promise.all([
          service.db.selectFrom('organizations').select('workflow_started').where('id', '=', organization.body.id).executeTakeFirstOrThrow(),
          service.db.selectFrom('administrators').select('workflow_started').where('id', '=', administrator.body.id).executeTakeFirstOrThrow(),
          service.db.selectFrom('domains').select('workflow_started').where('id', '=', domain.body.id).executeTakeFirstOrThrow(),
        ]);
        return states.every((s) => s.workflow_started) || undefined;
      },
      120_000,
      'the reconciler to start the workflows of what was created during the outage',
    );
    // The objects proceed normally: the reviewer can decide. The first decisions after the restart may
    // wait for the worker to reconnect (503 past the deadline); a retry with the same Idempotency-Key
    // (the one the decision during the outage was sent with) gets the decision's result once it is through.
    const decide = (kind: 'organizations' | 'administrators', id: string) =>
      eventually(
        async () => {
          const answer = await reviewer.request('POST', `/v1/reviews/${kind}/${id}/decision`, approvals.get(id), {
            headers: { 'Idempotency-Key': `approve-${id}` },
          });
          answers.push({ what: `approve ${kind} after the outage`, ...answer });
          return answer.status === 200 ? answer : undefined;
        },
        60_000,
        `the approval of ${kind} ${id} after Temporal is back`,
      );
    expect((await decide('organizations', organization.body.id)).body.status).toBe('approved');
    // The pre-check answered 503 left its claim free: retried, it runs (never 429 for a check that did not happen).
    const prechecked = await eventually(
      async () => {
        const answer = await customer.request('POST', `/v1/domains/${checked.body.id}/validate`);
        answers.push({ what: 'pre-check after the outage', ...answer });
        expect(answer.status).not.toBe(429);
        return answer.status === 200 ? answer : undefined;
      },
      60_000,
      'the pre-check after Temporal is back',
    );
    expect(prechecked.body.passed).toBe(false);
    expect((await decide('administrators', administrator.body.id)).body.status).toBe('approved');
    expectWellBehaved(answers);
    await eventually(async () => ((await fetch(`${service.apis[0].url}/readyz`)).status === 200 ? true : undefined), 30_000, '/readyz 200');
    await expectConverged();
    expect(service.worker.running()).toBe(true);
  }),
);
