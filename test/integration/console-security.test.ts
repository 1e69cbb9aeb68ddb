import { consoleRouter } from '../../src/console';
import type { ConsoleRoute } from '../../src/console/routes';
import { approvedAdministrator, type Api, startHarness, type Harness } from '../support/harness';
import { ConsoleClient, consoleCustomer, consoleReviewer, csrfOf } from '../support/console';
import { organizationApproval } from '../support/review-records';

/**
 * The console's boundaries, on every route it has: another account's objects are unknown (404) to a
 * session, read or written; a customer never reaches the review desk (403); a POST without its CSRF token
 * is refused (403); and the second reviewer's decision on a claimed review is refused with who holds it.
 */
let harness: Harness;
let routes: ConsoleRoute[];
let a: { api: Api; user: Awaited<ReturnType<typeof consoleCustomer>>; ids: Record<string, string>; member: string };
let reviewerKey: Api;

beforeAll(async () => {
  harness = await startHarness();
  routes = consoleRouter({
    ...harness,
    secretKey: Buffer.alloc(32),
    codec: harness.codec,
    uiOrigins: [],
    ready: async () => ({}) as never,
    createConcurrency: 1,
    // Only the route table is read here; the pages below run in the harness's app, lane included.
    bulkLane: (handler: unknown) => handler,
  } as never).routes;
  const api = await harness.customer('Account A');
  reviewerKey = await harness.reviewer();
  const { organizationId, administratorId } = await approvedAdministrator(api, reviewerKey);
  const domain = await api.request('POST', `/v1/administrators/${administratorId}/domains`, {
    domain: 'www.account-a.example.com',
    autoValidation: false,
    method: 'dns',
  });
  const provider = await api.request('POST', '/v1/dns-providers', {
    kind: 'rfc2136',
    name: 'A provider',
    server: '8.8.8.8',
    zone: 'account-a.example.com',
    tsigKeyName: 'a-key',
    tsigAlgorithm: 'hmac-sha256',
    tsigSecret: Buffer.alloc(32, 1).toString('base64'),
  });
  expect([domain.status, provider.status]).toEqual([201, 201]);
  const user = await consoleCustomer(harness, { accountId: api.id });
  const member = await consoleCustomer(harness, { accountId: api.id, role: 'member' });
  const key = await harness.db.selectFrom('api_keys').select('id').where('account_id', '=', api.id).executeTakeFirstOrThrow();
  a = {
    api,
    user,
    member: member.userId,
    ids: {
      organizations: organizationId,
      administrators: administratorId,
      domains: domain.body.id,
      'dns-providers': provider.body.id,
      'api-keys': key.id,
      members: member.userId,
    },
  };
});
afterAll(async () => harness?.stop());

/** A route's path with account A's object of the route's kind in place of `:id`. */
function pathFor(route: ConsoleRoute): string | undefined {
  if (route.path.includes(':token')) return undefined;
  if (!route.path.includes(':id')) return `/console${route.path}`;
  const [, first, second] = route.path.split('/');
  const kind = first === 'reviews' ? second : first;
  const id = a.ids[kind];
  if (!id) throw new Error(`no object of account A for ${route.path}`);
  return `/console${route.path.replace(':id', id)}`;
}

async function signedIn(email: string, password: string): Promise<ConsoleClient> {
  const client = new ConsoleClient(harness.baseUrl);
  expect((await client.signIn(email, password)).status).toBe(303);
  return client;
}

test('the route table covers the pages: every customer, owner and reviewer route is walked below', () => {
  expect(routes.filter((r) => r.access === 'customer').length).toBeGreaterThan(20);
  expect(routes.filter((r) => r.access === 'reviewer').length).toBeGreaterThanOrEqual(8);
  expect(routes.some((r) => r.access === 'owner')).toBe(true);
});

test("a session of account B cannot see or change account A's objects on any console route", async () => {
  const b = await consoleCustomer(harness, { name: 'Account B owner' });
  const client = await signedIn(b.email, b.password);
  await client.get('/console/profile');
  const csrf = csrfOf(client.lastHtml);
  const checked: string[] = [];
  for (const route of routes.filter((r) => (r.access === 'customer' || r.access === 'owner') && r.path.includes(':id'))) {
    const path = pathFor(route)!;
    const answer =
      route.method === 'get'
        ? await client.get(path)
        : await client.request('POST', path, { _csrf: csrf, name: 'x', domain: 'x.example.com', method: 'manual:dns' });
    expect([route.method, path, answer.status]).toEqual([route.method, path, 404]);
    expect(answer.html).not.toContain('Acme Network Technology');
    checked.push(`${route.method} ${route.path}`);
  }
  expect(checked.length).toBeGreaterThan(15);
  // Pages without an id show B's own account only.
  for (const route of routes.filter((r) => r.method === 'get' && (r.access === 'customer' || r.access === 'owner') && !r.path.includes(':id'))) {
    const answer = await client.get(pathFor(route)!);
    expect(answer.html).not.toContain('Acme Network Technology');
    expect(answer.html).not.toContain(a.user.email);
  }
  // Nothing of A's changed.
  const organization = await a.api.request('GET', `/v1/organizations/${a.ids.organizations}`);
  expect(organization.status).toBe(200);
  expect((await a.api.request('GET', `/v1/domains/${a.ids.domains}`)).status).toBe(200);
  expect((await a.api.request('GET', `/v1/dns-providers/${a.ids['dns-providers']}`)).status).toBe(200);
  expect((await harness.db.selectFrom('api_keys').select('revoked_at').where('id', '=', a.ids['api-keys']).executeTakeFirstOrThrow()).revoked_at).toBeNull();
  expect(await harness.db.selectFrom('users').select('id').where('id', '=', a.member).executeTakeFirst()).toBeDefined();
  const events = await a.api.request('GET', `/v1/organizations/${a.ids.organizations}/events`);
  expect(events.body.items.map((e: { action: string }) => e.action)).toEqual(['submitted', 'approved']);
});

test('a customer session cannot reach the review desk, and a reviewer session no customer page', async () => {
  const customer = await signedIn(a.user.email, a.user.password);
  await customer.get('/console/profile');
  const csrf = csrfOf(customer.lastHtml);
  const reviewerRoutes = routes.filter((r) => r.access === 'reviewer');
  for (const route of reviewerRoutes) {
    const path = pathFor(route)!;
    const answer =
      route.method === 'get' ? await customer.get(path) : await customer.request('POST', path, { _csrf: csrf, ...organizationApproval() } as never);
    expect([route.method, path, answer.status]).toEqual([route.method, path, 403]);
  }
  const reviewer = await consoleReviewer(harness);
  const desk = await signedIn(reviewer.email, reviewer.password);
  for (const route of routes.filter((r) => r.method === 'get' && (r.access === 'customer' || r.access === 'owner'))) {
    expect([route.path, (await desk.get(pathFor(route)!)).status]).toEqual([route.path, 403]);
  }
});

test('every POST without its CSRF token is refused with 403 before anything happens', async () => {
  const customer = await signedIn(a.user.email, a.user.password);
  const reviewer = await consoleReviewer(harness);
  const desk = await signedIn(reviewer.email, reviewer.password);
  for (const route of routes.filter((r) => r.method === 'post')) {
    const path = pathFor(route) ?? '/console/invitations/some-token';
    const client = route.access === 'reviewer' ? desk : customer;
    const answer = await client.request('POST', path, { name: 'x', email: 'x@acme.cn', password: 'x' });
    expect([path, answer.status]).toEqual([path, 403]);
  }
  // Still signed in, and A's objects are all there.
  expect((await customer.get('/console/profile')).status).toBe(200);
  expect((await a.api.request('GET', `/v1/domains/${a.ids.domains}`)).status).toBe(200);
  expect((await harness.db.selectFrom('api_keys').select('revoked_at').where('id', '=', a.ids['api-keys']).executeTakeFirstOrThrow()).revoked_at).toBeNull();
});

test('form field names never write into Object.prototype, and a field nested under a given value is refused with 400, not 500', async () => {
  const customer = await signedIn(a.user.email, a.user.password);
  const reviewer = await consoleReviewer(harness);
  const desk = await signedIn(reviewer.email, reviewer.password);
  const polluted = () => (Object.prototype as Record<string, unknown>).consolePolluted;
  const sent: Array<[string, number]> = [];
  try {
    for (const path of [
      '/console/organizations',
      `/console/organizations/${a.ids.organizations}/administrators`,
      '/console/dns-providers',
      '/console/members',
    ]) {
      for (const field of ['__proto__.consolePolluted', 'constructor.prototype.consolePolluted']) {
        await customer.get('/console/profile');
        sent.push([`${path} ${field}`, (await customer.post(path, { [field]: 'yes', kind: 'rfc2136' })).status]);
        expect(polluted()).toBeUndefined();
      }
      await customer.get('/console/profile');
      sent.push([`${path} conflict`, (await customer.post(path, { organization: 'x', 'organization.name': 'y', name: 'x', 'name.first': 'y' })).status]);
    }
    const review = `/console/reviews/organizations/${a.ids.organizations}/decision`;
    await desk.get('/console/reviews');
    sent.push([`${review} conflict`, (await desk.post(review, { decision: 'approve', callback: 'x', 'callback.number': '+861065529988' })).status]);
    await desk.get('/console/reviews');
    sent.push([`${review} prototype`, (await desk.post(review, { 'constructor.prototype.consolePolluted': 'yes', decision: 'approve' })).status]);
    expect(polluted()).toBeUndefined();
  } finally {
    delete (Object.prototype as Record<string, unknown>).consolePolluted;
  }
  for (const [what, status] of sent) expect([what, status >= 400 && status < 500]).toEqual([what, true]);
  // The service still renders its pages.
  expect((await customer.get('/console/profile')).status).toBe(200);
});

test('two reviewers on one review: the second sees who holds it, and their decision is refused; the API is refused too', async () => {
  const api = await harness.customer('Claimed Co');
  const organization = (
    await api.request('POST', '/v1/organizations', {
      organization: {
        name: 'Claimed Network Technology Co., Ltd.',
        country: 'CN',
        province: 'Beijing',
        city: 'Beijing',
        address: '2 Zhongguancun Street',
        landline: '010 6552 9988',
      },
      administrator: { firstName: 'Fang', lastName: 'Wang', position: 'CIO', phone: '138 0013 8000', email: 'wang.fang@claimed.cn' },
    })
  ).body;
  // The call is recorded to the second, after the submission.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const first = await consoleReviewer(harness, 'Zhang Wei');
  const second = await consoleReviewer(harness, 'Li Na');
  const one = await signedIn(first.email, first.password);
  const two = await signedIn(second.email, second.password);
  const path = `/console/reviews/organizations/${organization.id}`;
  // Reading claims nothing: both see it unclaimed, and the queue names nobody.
  expect((await one.get(path)).html).toContain('Nobody is reviewing this');
  expect((await two.get(path)).html).toContain('Nobody is reviewing this');
  expect(await harness.db.selectFrom('review_claims').select('reviewer_id').where('entity_id', '=', organization.id).execute()).toEqual([]);
  const taken = await one.post(`${path}/claim`);
  expect(taken.location).toBe(`${path}#claim`);
  expect((await one.get(path)).html).toContain('You are reviewing this');
  // Taking a review another holds leaves it theirs.
  expect((await two.post(`${path}/claim`)).status).toBe(303);
  const seen = await two.get(path);
  expect(seen.html).toContain('Zhang Wei is reviewing this');
  const queue = await two.get('/console/reviews');
  expect(queue.html).toContain('Zhang Wei');

  const decision = (client: ConsoleClient) =>
    client.post(`${path}/decision`, {
      decision: 'approve',
      'callback.number': '+861065529988',
      'callback.calledAt': new Date().toISOString().slice(0, 19),
      'callback.outcome': 'answered',
      'callback.answeredBy.name': 'Wang Fang',
      'callback.answeredBy.role': 'Office manager',
      'callback.note': 'Confirmed',
    });
  const refused = await decision(two);
  expect(refused.status).toBe(409);
  expect(refused.html).toContain('Your decision was not sent: Zhang Wei is reviewing this.');
  const byApi = await reviewerKey.request('POST', `/v1/reviews/organizations/${organization.id}/decision`, organizationApproval());
  expect(byApi.status).toBe(409);
  expect(byApi.body.claim.reviewerName).toBe('Zhang Wei');
  expect((await api.request('GET', `/v1/organizations/${organization.id}`)).body.status).toBe('under_review');

  await one.get(path);
  const approved = await decision(one);
  expect(approved.status).toBe(303);
  expect((await api.request('GET', `/v1/organizations/${organization.id}`)).body.status).toBe('approved');
  const history = await one.get('/console/reviews/history');
  expect(history.html).toContain('Claimed Network Technology Co., Ltd.');
  expect((await two.get('/console/reviews/history')).html).not.toContain('Claimed Network Technology');
});

/** Names of every field a console form has (and some it has not), for the malformed bodies below. */
const FIELD_NAMES = [
  ...['name', 'email', 'role', 'kind', 'server', 'port', 'zone', 'tsigKeyName', 'tsigAlgorithm', 'tsigSecret', 'tokenId', 'token'],
  ...['domain', 'method', 'autoValidation', 'dnsProviderId', 'displayName', 'department', 'country', 'province', 'city', 'address'],
  ...['postalCode', 'landline', 'firstName', 'lastName', 'position', 'phone', 'password', 'confirmation', 'next', 'decision', 'reason'],
  ...['organization.name', 'organization.country', 'organization.landline', 'administrator.email', 'administrator.phone'],
  ...['callback.number', 'callback.calledAt', 'callback.outcome', 'callback.answeredBy.name', 'callback.note'],
  ...['verification.method', 'verification.contact', 'verification.contactedAt', 'verification.outcome', 'verification.note'],
];

test('malformed form bodies on every route that reads fields answer 4xx, never 5xx', async () => {
  const customer = await signedIn(a.user.email, a.user.password);
  const reviewer = await consoleReviewer(harness);
  const desk = await signedIn(reviewer.email, reviewer.password);
  const visitor = new ConsoleClient(harness.baseUrl);
  const each = (value: (name: string) => string) => FIELD_NAMES.map(value).join('&');
  const enc = encodeURIComponent;
  const bodies: Record<string, string | Buffer> = {
    twice: each((f) => `${enc(f)}=a&${enc(f)}=manual%3Adns`),
    nested: each((f) => `${enc(`${f}.x`)}=1`),
    ownToString: each((f) => `${enc(`${f}.toString`)}=1&${enc(`${f}.valueOf`)}=1`),
    underValue: each((f) => `${enc(f)}=x&${enc(`${f}.y`)}=z`),
    prototypes: each((f) => `${enc(`__proto__.${f}`)}=1&${enc(`constructor.prototype.${f}`)}=1`),
    controls: each((f) => `${enc(f)}=%00%01%7F%C2%85%E2%80%8B`),
    badEncoding: each((f) => `${enc(f)}=%ff%fe%ED%A0%80%`),
    rawBytes: Buffer.concat([Buffer.from('name=a&email='), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('&domain=x')]),
    methodTwice: 'domain=www.example.com&method=auto%3Adns&method=manual%3Adns&autoValidation=true&autoValidation=false',
    nameToString: 'organization.name.toString=1&name.toString=1&email.toString=1',
    huge: `name=${'x'.repeat(70_000)}`,
  };
  const fieldRoutes = routes.filter((r) => r.method === 'post' && !/\/(delete|revoke|remove|release|resubmit|revalidate|validate|sign-out)$/.test(r.path));
  const answers: Array<[string, number]> = [];
  for (const route of fieldRoutes) {
    const path = pathFor(route) ?? '/console/invitations/some-token';
    const client = route.access === 'reviewer' ? desk : route.access === 'public' ? visitor : customer;
    for (const [what, body] of Object.entries(bodies)) {
      await client.get(route.access === 'reviewer' ? '/console/reviews' : route.access === 'public' ? '/console/sign-in' : '/console/profile');
      const token = `_csrf=${enc(csrfOf(client.lastHtml))}&`;
      const raw = typeof body === 'string' ? token + body : Buffer.concat([Buffer.from(token), body]);
      const answer = await fetch(`${harness.baseUrl}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: client.cookieHeader() },
        body: raw,
      });
      answers.push([`${route.path} ${what}`, answer.status]);
    }
  }
  expect(answers.filter(([, status]) => status >= 500)).toEqual([]);
  // The bodies reached the handlers: refused by their rules, not by the CSRF check.
  expect(answers.filter(([, status]) => status === 400).length).toBeGreaterThan(answers.length / 2);
  expect(answers.filter(([what]) => what.endsWith(' huge')).every(([, status]) => status === 413)).toBe(true);
});

test('the review desk filters its queue by kind and by age', async () => {
  const api = await harness.customer('Filtered Co');
  const organization = (
    await api.request('POST', '/v1/organizations', {
      organization: {
        name: 'Filtered Network Technology Co., Ltd.',
        country: 'CN',
        province: 'Beijing',
        city: 'Beijing',
        address: '3 Zhongguancun Street',
        landline: '010 6552 9977',
      },
      administrator: { firstName: 'Min', lastName: 'Zhao', position: 'CTO', phone: '138 0013 8001', email: 'zhao.min@filtered.cn' },
    })
  ).body;
  const organizationLink = `/console/reviews/organizations/${organization.id}`;
  const administratorLink = `/console/reviews/administrators/${organization.administrators[0].id}`;
  const reviewer = await consoleReviewer(harness, 'Filter Desk');
  const desk = await signedIn(reviewer.email, reviewer.password);
  const shown = async (query: string) => {
    const { status, html } = await desk.get(`/console/reviews?limit=100${query}`);
    expect(status).toBe(200);
    return [html.includes(organizationLink), html.includes(administratorLink)];
  };
  expect(await shown('')).toEqual([true, true]);
  expect(await shown('&kind=organization')).toEqual([true, false]);
  expect(await shown('&kind=administrator')).toEqual([false, true]);
  // Submitted moments ago: not among the reviews waiting a day or more.
  expect(await shown('&age=1d')).toEqual([false, false]);
});
