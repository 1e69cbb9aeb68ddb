import { ADMINISTRATOR, approvedAdministrator, ORGANIZATION, startHarness, type Harness } from '../support/harness';
import { ConsoleClient, consoleCustomer, consoleReviewer, csrfOf, PASSWORD } from '../support/console';
import { createAccountWithOwner, createReviewerUser, inviteAccountUser } from '../../src/app/users';
import { parseDuration } from '../../src/domain/duration';
import { sql } from 'kysely';
import { log } from '../../src/log';

/** Getting into the console: invitations, passwords, sessions, cookies, CSRF, the login rate limit, security headers. */
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ env: { LOGIN_MAX_FAILURES: '3', LOGIN_FAILURE_WINDOW: '1h' } });
});
afterAll(async () => {
  await harness?.stop();
});

test('a visitor is sent to sign in; the page carries a strict Content-Security-Policy and no-store', async () => {
  const client = new ConsoleClient(harness.baseUrl);
  const home = await client.get('/console/');
  expect(home.status).toBe(303);
  expect(home.location).toBe('/console/sign-in');
  const page = await client.get('/console/sign-in');
  expect(page.status).toBe(200);
  const csp = page.headers.get('content-security-policy')!;
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  expect(page.headers.get('cache-control')).toBe('no-store');
  expect(page.html).not.toMatch(/<script(?![^>]*\bsrc=)/);
  expect((await fetch(`${harness.baseUrl}/`, { redirect: 'manual' })).headers.get('location')).toBe('/console/');
});

test('an invitation sets an argon2id password once; the session cookie is HttpOnly and SameSite', async () => {
  const owner = await harness.customer('Invited Co');
  const invitation = await inviteAccountUser(harness.db, owner.id, { email: 'new.owner@acme.cn', name: 'New Owner', role: 'owner' }, parseDuration('1h'));
  const client = new ConsoleClient(harness.baseUrl);
  const page = await client.get(`/console/invitations/${invitation.token}`);
  expect(page.status).toBe(200);
  expect(page.html).toContain('new.owner@acme.cn');

  const short = await client.post(`/console/invitations/${invitation.token}`, { password: 'short', confirmation: 'short' });
  expect(short.status).toBe(400);
  expect(short.html).toContain('aria-invalid="true"');
  expect(short.html).toMatch(/aria-describedby="[^"]*f-password-error/);
  // Long enough, but common, a pattern, or made of the user's own address: refused, the reason on the field.
  for (const guessable of ['password1234', '123456789012', 'qwertyuiopas', 'new.owner@acme.cn1']) {
    const refused = await client.post(`/console/invitations/${invitation.token}`, { password: guessable, confirmation: guessable });
    expect([guessable, refused.status]).toEqual([guessable, 400]);
    expect(refused.html).toContain('<p class="error" id="f-password-error">Too easy to guess');
  }
  const long = 'x'.repeat(200) + ' correct horse battery staple '.repeat(3);
  expect((await client.post(`/console/invitations/${invitation.token}`, { password: long, confirmation: long })).html).toContain(
    '<p class="error" id="f-password-error">At most 256 characters.</p>',
  );

  const accepted = await client.post(`/console/invitations/${invitation.token}`, { password: PASSWORD, confirmation: PASSWORD });
  expect(accepted.status).toBe(303);
  expect(accepted.location).toBe('/console/profile?notice=welcome');
  const setCookie = accepted.headers.getSetCookie().find((c) => c.startsWith('cps_session='))!;
  expect(setCookie).toMatch(/HttpOnly/i);
  expect(setCookie).toMatch(/SameSite=Lax/i);
  expect(setCookie).not.toMatch(/Expires|Max-Age/i);

  const stored = await harness.db.selectFrom('users').select('password_hash').where('email_key', '=', 'new.owner@acme.cn').executeTakeFirstOrThrow();
  expect(stored.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  const sessions = await harness.db.selectFrom('console_sessions').select('id_hash').execute();
  expect(sessions.map((s) => s.id_hash)).not.toContain(client.cookie('cps_session'));

  // Used up: the link opens nothing any more.
  expect((await new ConsoleClient(harness.baseUrl).get(`/console/invitations/${invitation.token}`)).status).toBe(404);
});

test('a password with accents signs in however its characters were composed (NFD as a Mac types it, or NFC)', async () => {
  const owner = await harness.customer('Accents Co');
  const invitation = await inviteAccountUser(harness.db, owner.id, { email: 'chloe@acme.cn', name: 'Chloé', role: 'owner' }, parseDuration('1h'));
  const decomposed = 'Crème brûlée à Noël 2026'.normalize('NFD');
  const client = new ConsoleClient(harness.baseUrl, { localAddress: '127.0.0.7' });
  await client.get(`/console/invitations/${invitation.token}`);
  expect((await client.post(`/console/invitations/${invitation.token}`, { password: decomposed, confirmation: decomposed })).status).toBe(303);
  for (const typed of [decomposed, decomposed.normalize('NFC')]) {
    expect((await new ConsoleClient(harness.baseUrl, { localAddress: '127.0.0.7' }).signIn('chloe@acme.cn', typed)).status).toBe(303);
  }
});

test('sign-in, sign-out; a wrong password and an unknown address get the same answer', async () => {
  const user = await consoleCustomer(harness);
  const client = new ConsoleClient(harness.baseUrl);
  const wrong = await client.signIn(user.email, 'not the password at all');
  expect(wrong.status).toBe(401);
  const unknown = await client.signIn('nobody@acme.cn', PASSWORD);
  expect(unknown.status).toBe(401);
  expect(unknown.html).toContain('The email address or the password is wrong.');
  const signedIn = await client.signIn(user.email, user.password);
  expect(signedIn.status).toBe(303);
  expect(signedIn.location).toBe('/console/profile');
  expect(client.cookie('cps_session')).toBeDefined();
  expect((await client.get('/console/')).location).toBe('/console/profile');

  const token = client.cookie('cps_session')!;
  await client.get('/console/sign-in');
  // The sign-in page of a signed-in user redirects; take a token from any page with a form.
  await client.get('/console/no-such-page');
  const out = await client.post('/console/sign-out', { _csrf: csrfOf(client.lastHtml) });
  expect(out.status).toBe(303);
  const reused = await fetch(`${harness.baseUrl}/console/`, { redirect: 'manual', headers: { cookie: `cps_session=${token}` } });
  expect(reused.headers.get('location')).toBe('/console/sign-in');
});

test('signing in again (as another user, or by an invitation) ends the session the browser had: its id is never reused', async () => {
  const first = await consoleCustomer(harness);
  const second = await consoleCustomer(harness);
  const client = new ConsoleClient(harness.baseUrl, { localAddress: '127.0.0.8' });
  await client.signIn(first.email, first.password);
  const old = client.cookie('cps_session')!;
  await client.get('/console/no-such-page');
  expect((await client.post('/console/sign-in', { email: second.email, password: second.password })).status).toBe(303);
  expect(client.cookie('cps_session')).not.toBe(old);
  const reused = await fetch(`${harness.baseUrl}/console/profile`, { redirect: 'manual', headers: { cookie: `cps_session=${old}` } });
  expect(reused.headers.get('location')).toMatch(/^\/console\/sign-in/);
  const invitation = await inviteAccountUser(
    harness.db,
    second.accountId,
    { email: `third.${Date.now()}@acme.cn`, name: 'Third', role: 'member' },
    parseDuration('1h'),
  );
  const before = client.cookie('cps_session')!;
  await client.get(`/console/invitations/${invitation.token}`);
  expect((await client.post(`/console/invitations/${invitation.token}`, { password: PASSWORD, confirmation: PASSWORD })).status).toBe(303);
  const again = await fetch(`${harness.baseUrl}/console/profile`, { redirect: 'manual', headers: { cookie: `cps_session=${before}` } });
  expect(again.headers.get('location')).toMatch(/^\/console\/sign-in/);
});

test("a form without its CSRF token, or with another session's, is refused and changes nothing", async () => {
  const user = await consoleCustomer(harness);
  const client = new ConsoleClient(harness.baseUrl);
  await client.signIn(user.email, user.password);
  await client.get('/console/no-such-page');
  const missing = await client.post('/console/sign-out', { _csrf: null });
  expect(missing.status).toBe(403);
  const other = new ConsoleClient(harness.baseUrl);
  await other.get('/console/sign-in');
  const foreign = await client.post('/console/sign-out', { _csrf: csrfOf(other.lastHtml) });
  expect(foreign.status).toBe(403);
  // Still signed in: neither request ended the session.
  expect((await client.get('/console/')).location).toBe('/console/profile');
  // Sign-in itself needs the pre-session's token too (no login CSRF).
  const anonymous = new ConsoleClient(harness.baseUrl);
  expect((await anonymous.request('POST', '/console/sign-in', { email: user.email, password: user.password })).status).toBe(403);
});

test('after LOGIN_MAX_FAILURES failures an address is locked for the window, even with the right password', async () => {
  const user = await consoleCustomer(harness);
  const client = new ConsoleClient(harness.baseUrl);
  for (let i = 0; i < 3; i++) expect((await client.signIn(user.email, `wrong password ${i}`)).status).toBe(401);
  const locked = await client.signIn(user.email, user.password);
  expect(locked.status).toBe(429);
  expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(3000);
  expect(locked.html).toContain('Too many failed sign-ins');
  // Another user's sign-in from the same address still works (the address allows 4× as many).
  const other = await consoleCustomer(harness);
  expect((await new ConsoleClient(harness.baseUrl).signIn(other.email, other.password)).status).toBe(303);
});

test('guesses sent all at once are limited as if sent one after another', async () => {
  const user = await consoleCustomer(harness);
  const clients = await Promise.all(
    Array.from({ length: 8 }, async () => {
      const client = new ConsoleClient(harness.baseUrl, { localAddress: '127.0.0.2' });
      await client.get('/console/sign-in');
      return client;
    }),
  );
  const answers = await Promise.all(clients.map((client, i) => client.post('/console/sign-in', { email: user.email, password: `wrong password ${i}` })));
  const statuses = answers.map((a) => a.status);
  expect(statuses.filter((s) => s === 401)).toHaveLength(3);
  expect(statuses.filter((s) => s === 429)).toHaveLength(5);
  expect((await clients[0].signIn(user.email, user.password)).status).toBe(429);
});

test('variants of an email address (case, spaces, a final dot) share its limit', async () => {
  const user = await consoleCustomer(harness);
  const [local, domain] = user.email.split('@');
  const client = new ConsoleClient(harness.baseUrl, { localAddress: '127.0.0.3' });
  for (const variant of [` ${local.toUpperCase()}@${domain} `, `${local}@${domain.toUpperCase()}.`, `\t${local}@${domain}`]) {
    expect([variant, (await client.signIn(variant, 'not the password at all')).status]).toEqual([variant, 401]);
  }
  expect((await client.signIn(user.email, user.password)).status).toBe(429);
});

test('an email field that is no address (NUL, a control character, an unpaired surrogate, nothing) is a wrong sign-in, not a 500', async () => {
  const client = new ConsoleClient(harness.baseUrl, { localAddress: '127.0.0.6' });
  for (const email of ['li.lei\u0000@acme.cn', '\u0000', 'li\u0007lei@acme.cn', 'li\ud800@acme.cn', '', 'not an address']) {
    const answer = await client.signIn(email, 'not the password at all');
    expect([JSON.stringify(email), answer.status]).toEqual([JSON.stringify(email), 401]);
    expect(answer.html).toContain('The email address or the password is wrong.');
  }
});

test('without TRUST_PROXY, X-Forwarded-For does not change the client address the limit counts', async () => {
  const client = new ConsoleClient(harness.baseUrl, { localAddress: '127.0.0.4' });
  await client.get('/console/sign-in');
  const attempt = (email: string, password: string, i: number) =>
    client.request('POST', '/console/sign-in', { _csrf: csrfOf(client.lastHtml), email, password }, { 'x-forwarded-for': `203.0.113.${i}` });
  // 4 × LOGIN_MAX_FAILURES failures, each for another address and claiming another client.
  for (let i = 0; i < 12; i++) expect((await attempt(`nobody${i}.${Date.now()}@acme.cn`, 'not the password at all', i)).status).toBe(401);
  const user = await consoleCustomer(harness);
  expect((await attempt(user.email, user.password, 99)).status).toBe(429);
  // Another client address is not affected.
  expect((await new ConsoleClient(harness.baseUrl, { localAddress: '127.0.0.5' }).signIn(user.email, user.password)).status).toBe(303);
});

test('a reviewer signs in to the review desk; the language follows Accept-Language and the switch', async () => {
  const reviewer = await consoleReviewer(harness);
  const client = new ConsoleClient(harness.baseUrl);
  const signedIn = await client.signIn(reviewer.email, reviewer.password);
  expect(signedIn.location).toBe('/console/reviews');
  const chinese = await client.request('GET', '/console/sign-in', undefined, { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' });
  expect(chinese.status).toBe(303);
  const page = await new ConsoleClient(harness.baseUrl).request('GET', '/console/sign-in', undefined, { 'accept-language': 'zh-CN,zh;q=0.9' });
  expect(page.html).toContain('<html lang="zh-CN">');
  expect(page.html).toContain('登录');
  const switcher = new ConsoleClient(harness.baseUrl);
  const switched = await switcher.request('GET', '/console/language?lang=en&back=/console/sign-in', undefined, { 'accept-language': 'zh-CN' });
  expect(switched.location).toBe('/console/sign-in');
  expect((await switcher.request('GET', '/console/sign-in', undefined, { 'accept-language': 'zh-CN' })).html).toContain('<html lang="en">');
  expect((await switcher.get('/console/language?lang=en&back=https://evil.example/')).location).toBe('/console/');
});

test('an API key made in the console works on the API until it is revoked there; its name stays in the audit trail', async () => {
  const user = await consoleCustomer(harness);
  const client = new ConsoleClient(harness.baseUrl);
  await client.signIn(user.email, user.password);
  await client.get('/console/api-keys');
  const created = await client.post('/console/api-keys', { name: 'deploy-bot' });
  expect(created.status).toBe(201);
  const key = /cps_ck_[A-Za-z0-9_-]{43}/.exec(created.html)![0];
  const stored = await harness.db
    .selectFrom('api_keys')
    .selectAll()
    .where('name', '=', 'deploy-bot')
    .where('account_id', '=', user.accountId)
    .executeTakeFirstOrThrow();
  expect(stored.key_hash).not.toContain(key);
  expect(stored.created_by).toBe(user.userId);
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${harness.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const organization = await call('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR });
  expect(organization.status).toBe(201);
  const { id } = (await organization.json()) as { id: string };
  // The listing never shows a key again.
  expect((await client.get('/console/api-keys')).html).not.toContain(key);
  const revoked = await client.post(`/console/api-keys/${stored.id}/revoke`);
  expect(revoked.location).toBe('/console/api-keys?notice=keyRevoked');
  expect((await call('GET', '/v1/organizations')).status).toBe(401);
  const names = await harness.db.selectFrom('api_keys').select(['name', 'revoked_at']).where('id', '=', stored.id).executeTakeFirstOrThrow();
  expect(names.name).toBe('deploy-bot');
  expect(names.revoked_at).not.toBeNull();
  const page = await client.get(`/console/organizations/${id}`);
  expect(page.html).toMatch(/Submitted<\/td>\s*<td>deploy-bot<\/td>/);
});

test('an unexpected failure answers 500 with the error page and logs its cause', async () => {
  const logged = jest.spyOn(log, 'error').mockImplementation(() => undefined);
  await sql`alter table login_failures rename to login_failures_away`.execute(harness.db);
  try {
    const client = new ConsoleClient(harness.baseUrl);
    const answer = await client.signIn('li.lei@acme.cn', 'not the password at all');
    expect(answer.status).toBe(500);
    expect(answer.html).toContain('<html lang="en">');
    const [fields, message] = logged.mock.calls.find((call) => String(call[1] ?? call[0]).includes('console POST /console/sign-in'))!;
    expect(message).toBe('console POST /console/sign-in failed');
    expect(String((fields as unknown as { err: Error }).err.message)).toContain('login_failures');
  } finally {
    await sql`alter table login_failures_away rename to login_failures`.execute(harness.db);
    logged.mockRestore();
  }
});

test('a removed member cannot sign in, use their session or the API keys they made, and the audit trail and those keys still name them; their address can be invited again', async () => {
  const owner = await consoleCustomer(harness, { name: 'Owner of Removal Co' });
  const member = await consoleCustomer(harness, { accountId: owner.accountId, role: 'member', name: 'Wang Fang' });
  const memberClient = new ConsoleClient(harness.baseUrl, { localAddress: '127.0.0.9' });
  expect((await memberClient.signIn(member.email, member.password)).status).toBe(303);
  await memberClient.get('/console/organizations/new');
  const fields = Object.fromEntries([
    ...Object.entries(ORGANIZATION).map(([k, v]) => [`organization.${k}`, v]),
    ...Object.entries(ADMINISTRATOR).map(([k, v]) => [`administrator.${k}`, v]),
  ]);
  const submitted = await memberClient.post('/console/organizations', fields);
  expect(submitted.status).toBe(303);
  const organizationPath = submitted.location!.split('?')[0];
  await memberClient.get('/console/api-keys');
  const made = await memberClient.post('/console/api-keys', { name: 'member-bot' });
  expect(made.status).toBe(201);
  const memberKey = /cps_ck_[\w-]{43}/.exec(made.html)![0];
  const asMemberKey = () => fetch(`${harness.baseUrl}/v1/organizations`, { headers: { authorization: `Bearer ${memberKey}` } });
  expect((await asMemberKey()).status).toBe(200);

  const ownerClient = new ConsoleClient(harness.baseUrl, { localAddress: '127.0.0.9' });
  await ownerClient.signIn(owner.email, owner.password);
  await ownerClient.get('/console/members');
  expect((await ownerClient.post(`/console/members/${member.userId}/remove`)).location).toBe('/console/members?notice=memberRemovedKeysRevoked');
  // A key acts for whoever made it: gone with them; the account's other keys are untouched.
  const others = await harness.db
    .selectFrom('api_keys')
    .select('revoked_at')
    .where('account_id', '=', owner.accountId)
    .where('name', '!=', 'member-bot')
    .execute();
  expect(others.length).toBeGreaterThan(0);
  expect(others.every((k) => k.revoked_at === null)).toBe(true);
  expect((await asMemberKey()).status).toBe(401);
  expect(
    (
      await harness.db
        .selectFrom('api_keys')
        .select('revoked_at')
        .where('account_id', '=', owner.accountId)
        .where('name', '=', 'member-bot')
        .executeTakeFirstOrThrow()
    ).revoked_at,
  ).not.toBeNull();
  expect((await ownerClient.get('/console/members')).html).not.toContain(member.email);

  expect((await memberClient.get('/console/profile')).location).toMatch(/^\/console\/sign-in/);
  expect((await new ConsoleClient(harness.baseUrl, { localAddress: '127.0.0.9' }).signIn(member.email, member.password)).status).toBe(401);
  expect((await ownerClient.get(organizationPath)).html).toMatch(/Submitted<\/td>\s*<td>Wang Fang<\/td>/);
  expect((await ownerClient.get('/console/api-keys')).html).toMatch(
    /member-bot<\/td>\s*<td>.*<\/td>\s*<td>Wang Fang<\/td>\s*<td><span class="status status-rejected">Revoked/,
  );

  await ownerClient.get('/console/members');
  const again = await ownerClient.post('/console/members', { email: member.email, name: 'Wang Fang', role: 'member' });
  expect(again.status).toBe(201);
  expect(again.html).toContain('/console/invitations/');
});

test('a form refused in Chinese: every field error in the viewer’s language, with its limit, beside its field; in English, the rule’s own words', async () => {
  const user = await consoleCustomer(harness);
  const fields = Object.fromEntries([
    ...Object.entries({ ...ORGANIZATION, name: `Acme ${'网络科技'.repeat(20)} Co., Ltd.`, city: 'N/A' }).map(([k, v]) => [`organization.${k}`, v]),
    ...Object.entries({ ...ADMINISTRATOR, email: 'not-an-email', phone: '010 6552 9988' }).map(([k, v]) => [`administrator.${k}`, v]),
  ]);
  const submit = async (lang: 'zh-CN' | 'en') => {
    const client = new ConsoleClient(harness.baseUrl, { localAddress: lang === 'en' ? '127.0.0.12' : '127.0.0.11' });
    expect((await client.signIn(user.email, user.password)).status).toBe(303);
    await client.get(`/console/language?lang=${lang}&back=/console/organizations/new`);
    await client.get('/console/organizations/new');
    return client.post('/console/organizations', fields);
  };
  const chinese = await submit('zh-CN');
  expect(chinese.status).toBe(400);
  for (const words of ['最多 64 个字符。', '请填写真实内容', '不是有效的邮箱地址。', '号码类型不符']) expect(chinese.html).toContain(words);
  expect(chinese.html).not.toMatch(/says the value is absent|at most 64 characters/);
  const english = await submit('en');
  expect(english.status).toBe(400);
  expect(english.html).toContain('at most 64 characters');
  expect(english.html).not.toContain('最多 64 个字符');
});

test('a domain name refused at the first step of adding a domain is said in the viewer’s language, for a name or an email address alike', async () => {
  const customer = await harness.customer('Domains in Chinese');
  const { administratorId } = await approvedAdministrator(customer, await harness.reviewer());
  const user = await consoleCustomer(harness, { accountId: customer.id });
  const client = new ConsoleClient(harness.baseUrl, { localAddress: '127.0.0.13' });
  expect((await client.signIn(user.email, user.password)).status).toBe(303);
  await client.get(`/console/language?lang=zh-CN&back=/console/administrators/${administratorId}/domains/new`);
  const step = (domain: string) => client.get(`/console/administrators/${administratorId}/domains/new?domain=${encodeURIComponent(domain)}`);
  const internal = await step('intranet.corp.local');
  expect(internal.status).toBe(400);
  expect(internal.html).toContain('顶级域名未在 ICANN 注册（内部名称），请填写公网域名。');
  expect(internal.html).not.toContain('is not a registered top-level domain');
  expect((await step('com.cn')).html).toContain('这是公共后缀（如 com.cn）');
  // The same rules judge an email address's domain: the wording holds there too, certificates unmentioned.
  await client.get('/console/members');
  const member = await client.post('/console/members', { email: 'ops@x.arpa', name: 'Wang Fang', role: 'member' });
  expect(member.status).toBe(400);
  expect(member.html).toContain('不能使用 .arpa 下的反向解析域名。');
});

test('a new account whose owner is refused (a bad name, an address in use) leaves no account behind', async () => {
  const accounts = async () =>
    Number(
      (
        await harness.db
          .selectFrom('accounts')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const before = await accounts();
  const create = (email: string, name: string) => createAccountWithOwner(harness.db, { accountName: 'Half Made', email, name }, parseDuration('1h'));
  await expect(create('half@acme.cn', '')).rejects.toMatchObject({ status: 400 });
  await expect(create('half@acme.cn', 'evil\u202eexe')).rejects.toMatchObject({ status: 422 });
  await create('taken@acme.cn', 'First');
  await expect(create('Taken@acme.cn', 'Second')).rejects.toMatchObject({ status: 409 });
  expect(await accounts()).toBe(before + 1);
});

test('two new accounts (or reviewers) for one address at once: one is made, the other is refused and leaves nothing behind', async () => {
  const count = async (table: 'accounts' | 'reviewers') =>
    Number(
      (
        await harness.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  // Both pass the check for a user with the address before either writes; the loser's insert is refused by the unique index.
  for (let pair = 0; pair < 3; pair++) {
    const [accountsBefore, reviewersBefore] = [await count('accounts'), await count('reviewers')];
    const accounts = await Promise.allSettled(
      ['One', 'Two'].map((name) =>
        createAccountWithOwner(harness.db, { accountName: `Race ${name}`, email: `race${pair}@acme.cn`, name }, parseDuration('1h')),
      ),
    );
    const reviewers = await Promise.allSettled(
      ['One', 'Two'].map((name) => createReviewerUser(harness.db, { name: `Reviewer ${name}`, email: `reviewer.race${pair}@ca.cn` }, parseDuration('1h'))),
    );
    for (const outcomes of [accounts, reviewers]) {
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { status: 409 } });
    }
    expect([await count('accounts'), await count('reviewers')]).toEqual([accountsBefore + 1, reviewersBefore + 1]);
  }
});
