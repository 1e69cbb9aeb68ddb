import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { artifactsDir, launchChromium } from '../support/browser';
import { consoleCustomer } from '../support/console';
import { approvedAdministrator, startHarness, type Harness } from '../support/harness';
import { freeDnsPort } from '../support/ports';

/**
 * The console in Chromium with JavaScript off: every form is a plain HTML form the server answers on its own
 * (issue 10: "forms that work without JavaScript"), and long lists are pages linked to each other.
 * Screenshots under test/artifacts/console-no-script/.
 */
jest.setTimeout(120_000);

let harness: Harness;
let browser: Browser;
const dir = artifactsDir('console-no-script');

beforeAll(async () => {
  // The service answers for its delegation zone, so automatic DNS validation is offered (and would be taken).
  harness = await startHarness({ env: { DCV_DNS_LISTEN: `127.0.0.1:${await freeDnsPort()}` } });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await harness?.stop();
});

/** A new browser without JavaScript, signed in as the user. */
async function signedIn(email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${harness.baseUrl}/console/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/console/profile');
  return page;
}

/** Saves the page's screenshot (axe-core needs scripts; the same pages are checked with them in console.test.ts). */
const look = (page: Page, name: string) => page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });

test('Add Domain without JavaScript: automatic validation off is honoured, a method of the other group is asked again', async () => {
  const api = await harness.customer('No Script Co');
  const { administratorId } = await approvedAdministrator(api, await harness.reviewer());
  const user = await consoleCustomer(harness, { accountId: api.id });
  const page = await signedIn(user.email, user.password);

  await page.goto(`${harness.baseUrl}/console/administrators/${administratorId}/domains/new`);
  await page.getByLabel('Domain').fill('www.no-script.example.com');
  await page.getByRole('button', { name: 'Next' }).click();
  // Both groups are on the page; the first method of "on" is checked. The customer says "Off" and goes on.
  expect(await page.getByLabel('DNS (CNAME delegation)').isChecked()).toBe(true);
  await page.getByRole('radio', { name: 'Off', exact: true }).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.waitForLoadState('load');
  expect(page.url()).toMatch(/\/console\/administrators\/[^/]+\/domains$/);
  const off = page.getByRole('group', { name: 'Method (automatic validation off)' });
  expect(await off.locator('.error').innerText()).toBe('Automatic validation is off: choose DNS provider, DNS (TXT record) or File.');
  expect(await page.getByRole('radio', { name: 'Off', exact: true }).isChecked()).toBe(true);
  expect(await page.getByLabel('DNS (CNAME delegation)').isChecked()).toBe(false);
  expect((await api.request('GET', `/v1/administrators/${administratorId}/domains`)).body.items).toEqual([]);
  await look(page, 'add-domain-off-asked-again');

  await page.getByLabel('DNS (TXT record)').check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.waitForURL('**/console/domains/*/instructions?notice=domainAdded');
  expect(await page.locator('table tbody tr td').first().innerText()).toBe('TXT');
  const [domain] = (await api.request('GET', `/v1/administrators/${administratorId}/domains`)).body.items;
  expect([domain.domain, domain.autoValidation, domain.method]).toEqual(['www.no-script.example.com', false, 'dns']);
  await look(page, 'add-domain-instructions');
  await page.context().close();
});

test("a long-lived domain's page shows its latest events, an administrator's page all its domains, a page at a time", async () => {
  const api = await harness.customer('Many Domains Co');
  const { administratorId } = await approvedAdministrator(api, await harness.reviewer());
  const user = await consoleCustomer(harness, { accountId: api.id });
  const first = await api.request('POST', `/v1/administrators/${administratorId}/domains`, {
    domain: 'd000.many.example.com',
    autoValidation: false,
    method: 'dns',
  });
  expect(first.status).toBe(201);
  const row = await harness.db.selectFrom('domains').selectAll().where('id', '=', first.body.id).executeTakeFirstOrThrow();
  // 104 more domains (rows only: listing needs no workflow) and 120 more events on the first: years of rotations and checks.
  const start = new Date(row.created_at).getTime();
  await harness.db
    .insertInto('domains')
    .values(
      Array.from({ length: 104 }, (_, i) => ({
        ...row,
        id: randomUUID(),
        name: `d${String(i + 1).padStart(3, '0')}.many.example.com`,
        delegation_label: randomUUID().replaceAll('-', ''),
        last_check: null,
        created_at: new Date(start + (i + 1) * 1000),
      })),
    )
    .execute();
  await harness.db
    .insertInto('events')
    .values(
      Array.from({ length: 120 }, (_, i) => ({
        account_id: api.id,
        entity_kind: 'domain' as const,
        entity_id: row.id,
        actor_kind: 'system' as const,
        actor_id: null,
        action: 'revalidated',
        before: null,
        after: null,
        note: `rotation ${i + 1}`,
        operation_id: null,
      })),
    )
    .execute();

  const page = await signedIn(user.email, user.password);
  await page.goto(`${harness.baseUrl}/console/domains/${row.id}`);
  const notes = () => page.locator('#audit + p + table tbody td:last-child, #audit + table tbody td:last-child').allInnerTexts();
  expect((await notes()).length).toBe(100);
  expect((await notes()).at(-1)).toContain('rotation 120');
  expect((await notes()).join('\n')).not.toContain('rotation 20\n');
  await page.getByRole('link', { name: 'Earlier events' }).click();
  expect((await notes()).at(-1)).toContain('rotation 20');
  expect(await page.locator('#audit ~ table').first().innerText()).toContain('Added');
  expect(await page.getByRole('link', { name: 'Earlier events' }).count()).toBe(0);
  await page.getByRole('link', { name: 'Latest events' }).click();
  expect((await notes()).at(-1)).toContain('rotation 120');

  await page.goto(`${harness.baseUrl}/console/administrators/${administratorId}`);
  const names = () => page.locator('table[aria-labelledby="domains"] tbody tr td:first-child').allInnerTexts();
  expect(await names()).toHaveLength(100);
  expect((await names())[0]).toBe('d000.many.example.com');
  await page.getByRole('link', { name: 'More domains' }).click();
  expect(await names()).toEqual(['d100.many.example.com', 'd101.many.example.com', 'd102.many.example.com', 'd103.many.example.com', 'd104.many.example.com']);
  await look(page, 'administrator-domains-second-page');
  await page.getByRole('link', { name: 'First page of domains' }).click();
  expect((await names())[0]).toBe('d000.many.example.com');
  await page.context().close();
});
