import { ADMINISTRATOR, ORGANIZATION, startHarness, type Harness } from '../support/harness';
import { ConsoleClient, consoleCustomer, consoleReviewer, csrfOf, PASSWORD } from '../support/console';
import { inviteAccountUser } from '../../src/app/users';
import { parseDuration } from '../../src/domain/duration';

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
