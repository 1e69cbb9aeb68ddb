import type { Browser, Page } from 'playwright-core';
import { artifactsDir, launchChromium } from '../support/browser';
import { consoleCustomer } from '../support/console';
import { approvedAdministrator, startHarness, type Harness } from '../support/harness';
import { freePort } from '../support/ports';

/**
 * The console in Chromium with JavaScript off: every form is a plain HTML form the server answers on its own
 * (issue 10: "forms that work without JavaScript"). Screenshots under test/artifacts/console-no-script/.
 */
jest.setTimeout(120_000);

let harness: Harness;
let browser: Browser;
const dir = artifactsDir('console-no-script');

beforeAll(async () => {
  // The service answers for its delegation zone, so automatic DNS validation is offered (and would be taken).
  harness = await startHarness({ env: { DCV_DNS_LISTEN: `127.0.0.1:${await freePort()}` } });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await harness?.stop();
});

/** Saves the page's screenshot (axe-core needs scripts; the same pages are checked with them in console.test.ts). */
const look = (page: Page, name: string) => page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });

test('Add Domain without JavaScript: automatic validation off is honoured, a method of the other group is asked again', async () => {
  const api = await harness.customer('No Script Co');
  const { administratorId } = await approvedAdministrator(api, await harness.reviewer());
  const user = await consoleCustomer(harness, { accountId: api.id });
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${harness.baseUrl}/console/sign-in`);
  await page.getByLabel('Email address').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/console/profile');

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
  await context.close();
});
