import { Client as PgClient } from 'pg';
import { ConsoleClient, consoleCustomer, csrfOf } from '../support/console';
import { ADMINISTRATOR, ORGANIZATION, startHarness, type Harness } from '../support/harness';

// A console page whose request deadline passes (PostgreSQL slow to answer: here the account's row is held)
// is still a page: 503 in the viewer's language, with Retry-After and what to do, never problem+json.
// Nothing is written, and the same form sent again once the database answers saves one organization.
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ env: { CREATE_YIELD_MAX: '0', REQUEST_DEADLINE: '2s' } });
});
afterAll(async () => harness?.stop());

test('a console create overtaken by its request deadline answers a 503 page in the viewer’s language, and the same form sent again saves once', async () => {
  const user = await consoleCustomer(harness, { name: 'Busy console' });
  const browser = new ConsoleClient(harness.baseUrl, { localAddress: '127.0.0.31' });
  expect((await browser.signIn(user.email, user.password)).status).toBe(303);
  await browser.get('/console/language?lang=zh-CN&back=/console/organizations/new');
  expect((await browser.get('/console/organizations/new')).status).toBe(200);
  const form = {
    ...Object.fromEntries([
      ...Object.entries({ ...ORGANIZATION, name: 'Acme Busy Co., Ltd.' }).map(([k, v]) => [`organization.${k}`, v]),
      ...Object.entries(ADMINISTRATOR).map(([k, v]) => [`administrator.${k}`, v]),
    ]),
    _csrf: csrfOf(browser.lastHtml),
    _idempotency: /name="_idempotency" value="([^"]*)"/.exec(browser.lastHtml)![1],
  };
  const organizations = () => harness.db.selectFrom('organizations').select('id').where('account_id', '=', user.accountId).execute();

  // A create takes its account's row lock first: held here, the create waits past its deadline.
  const lock = new PgClient({ connectionString: harness.databaseUrl });
  await lock.connect();
  try {
    await lock.query('begin');
    await lock.query('select id from accounts where id = $1 for update', [user.accountId]);
    const busy = await browser.post('/console/organizations', form);
    expect([busy.status, busy.headers.get('retry-after'), busy.headers.get('content-type')]).toEqual([503, '5', 'text/html; charset=utf-8']);
    expect(busy.html).toContain('<html lang="zh-CN">');
    expect(busy.html).toContain('服务暂时不可用');
    expect(busy.html).toContain('请在 5 秒后重试。再次提交的表单只会保存一次');
    await lock.query('commit');
  } finally {
    await lock.end();
  }
  expect(await organizations()).toHaveLength(0);

  const again = await browser.post('/console/organizations', form);
  expect([again.status, again.location]).toEqual([303, expect.stringMatching(/^\/console\/organizations\/[0-9a-f-]{36}\?notice=organizationSubmitted$/)]);
  expect(await browser.post('/console/organizations', form)).toMatchObject({ status: 303, location: again.location });
  expect(await organizations()).toHaveLength(1);
});
