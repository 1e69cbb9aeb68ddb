import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createAccountWithOwner, createReviewerUser } from '../../src/app/users';
import { parseDuration } from '../../src/domain/duration';
import { artifactsDir, launchChromium, seriousViolations } from '../support/browser';
import { PASSWORD } from '../support/console';
import { startHarness, type Harness } from '../support/harness';

/**
 * The web console in Debian's Chromium against the real service (HTTP API and console, worker, Temporal,
 * PostgreSQL): the whole My Profile flow of issue 10 with a CA reviewer at the review desk. Every page is
 * checked with axe-core (no serious or critical violation) and saved as a screenshot under
 * test/artifacts/console/.
 */
jest.setTimeout(240_000);

let harness: Harness;
let browser: Browser;
let customer: BrowserContext;
let reviewer: BrowserContext;
const dir = artifactsDir('console');
let shots = 0;
const visited: string[] = [];
/** What Chromium refused under the pages' Content-Security-Policy (inline scripts, styles, handlers, other origins). */
const refused: string[] = [];

beforeAll(async () => {
  // DCV_DNS_LISTEN: the service answers for its delegation zone, so automatic DNS validation is offered.
  harness = await startHarness({ env: { DCV_DNS_LISTEN: '127.0.0.1:5399' } });
  browser = await launchChromium();
  const options = { locale: 'en-US', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 900 } };
  customer = await browser.newContext(options);
  reviewer = await browser.newContext(options);
  for (const context of [customer, reviewer]) {
    context.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(`${message.location().url}: ${message.text()}`);
    });
  }
});
afterAll(async () => {
  await browser?.close();
  await harness?.stop();
});

/** Checks the page as it is with axe-core, then saves its screenshot. */
async function look(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('load');
  expect([name, await seriousViolations(page)]).toEqual([name, []]);
  await page.screenshot({ path: `${dir}/${String(++shots).padStart(2, '0')}-${name}.png`, fullPage: true });
  visited.push(name);
}

/** A decision's contact time is recorded to the second: let one pass after a submission. */
const aSecond = () => new Promise((resolve) => setTimeout(resolve, 1100));

async function acceptInvitation(page: Page, token: string, name: string): Promise<void> {
  await page.goto(`${harness.baseUrl}/console/invitations/${token}`);
  await look(page, name);
  await page.getByLabel('New password').fill(PASSWORD);
  await page.getByLabel('Repeat the password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
}

async function fillOrganization(page: Page, name: string): Promise<void> {
  await page.getByLabel('Organization name').fill(name);
  await page.getByLabel('Department').fill('IT');
  await page.getByLabel('Country or region').selectOption('CN');
  await page.getByLabel('Province or state').fill('北京市');
  await page.getByLabel('City').fill('Beijing');
  await page.getByLabel(/^Address/).fill('1 Zhongguancun Street, Haidian District');
  await page.getByLabel('Landline').fill('010 6552 9988 转 8001');
}

async function decide(page: Page, subject: string, record: (page: Page) => Promise<void>, button: 'Approve' | 'Reject'): Promise<void> {
  await page.goto(`${harness.baseUrl}/console/reviews`);
  await page.getByRole('link', { name: subject }).click();
  await record(page);
  await page.getByRole('button', { name: button, exact: true }).click();
  await page.waitForURL('**/console/reviews?notice=decided');
}

test('My Profile from sign-in to validated domains, with the review desk; a rejected organization resubmitted', async () => {
  const { invitation } = await createAccountWithOwner(harness.db, { accountName: 'Acme', email: 'li.lei@acme.cn', name: 'Li Lei' }, parseDuration('1h'));
  const desk = await createReviewerUser(harness.db, { name: 'Zhang Wei', email: 'zhang.wei@ca.example.com' }, parseDuration('1h'));
  const page = await customer.newPage();
  const review = await reviewer.newPage();

  // The owner sets a password through the CLI's invitation and lands on an empty My Profile.
  await acceptInvitation(page, invitation.token, 'invitation');
  await page.waitForURL('**/console/profile?notice=welcome');
  await expect(page.getByText('0 of 10 organization profiles used')).toBeTruthy();
  await look(page, 'my-profile-empty');
  expect(await page.locator('#usage').innerText()).toBe('0 of 10 organization profiles used');

  // Sign out and in again, as a person would next time.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/console/sign-in');
  await look(page, 'sign-in');
  await page.getByLabel('Email address').fill('li.lei@acme.cn');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/console/profile');

  // Create Now: the first organization's form carries its administrator; a missing field is named.
  await page.getByRole('link', { name: 'Create Now' }).click();
  expect(await page.getByRole('group', { name: 'Administrator' }).count()).toBe(1);
  await fillOrganization(page, 'Acme Network Technology Co., Ltd.');
  await page.getByLabel('Landline').fill('');
  await page.getByLabel('Last name').fill('Li');
  await page.getByLabel('First name').fill('Lei');
  await page.getByLabel('Position').fill('CTO');
  await page.getByLabel('Mobile').fill('138 0013 8000');
  await page.getByLabel('Email address').fill('li.lei@acme.cn');
  await page.getByRole('button', { name: 'Submit for review' }).click();
  const landline = page.getByLabel('Landline');
  expect(await landline.getAttribute('aria-invalid')).toBe('true');
  expect(await page.locator(`#${await landline.getAttribute('aria-describedby').then((ids) => ids!.split(' ').pop())}`).innerText()).toBe('Required.');
  await look(page, 'create-organization-errors');
  await landline.fill('010 6552 9988 转 8001');
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await page.waitForURL('**/console/organizations/*?notice=organizationSubmitted');
  expect(await page.getByText('Under review').count()).toBeGreaterThan(0);
  await look(page, 'organization-submitted');

  // The reviewer: the queue by due time, the organization with its landline and extension, the callback record.
  await aSecond();
  await acceptInvitation(review, desk.invitation.token, 'reviewer-invitation');
  await review.waitForURL('**/console/reviews?notice=welcome');
  expect(await review.getByRole('link', { name: 'Acme Network Technology Co., Ltd.' }).count()).toBe(1);
  await look(review, 'review-queue');
  await review.getByRole('link', { name: 'Acme Network Technology Co., Ltd.' }).click();
  expect(await review.getByRole('link', { name: '+86 10 6552 9988 ext. 8001' }).getAttribute('href')).toBe('tel:+861065529988;ext=8001');
  // Opening it claims nothing; the reviewer takes it before calling.
  expect(await review.getByText('Nobody is reviewing this').count()).toBe(1);
  await review.getByRole('button', { name: 'Take this review' }).click();
  await review.waitForURL('**#claim');
  expect(await review.getByText('You are reviewing this').count()).toBe(1);
  expect(await review.getByLabel('Number called').inputValue()).toBe('+861065529988;ext=8001');
  await review.locator('#f-callback-answeredBy-name').fill('Wang Fang');
  await review.locator('#f-callback-answeredBy-role').fill('Office manager');
  await review.getByLabel('Your note').fill('Switchboard confirmed the legal name and address; extension 8001 is IT.');
  await look(review, 'review-organization');
  await review.getByRole('button', { name: 'Approve', exact: true }).click();
  await review.waitForURL('**/console/reviews?notice=decided');
  await decide(
    review,
    'Li Lei',
    async (p) => {
      expect(await p.getByLabel('Address or number used').inputValue()).toBe('li.lei@acme.cn');
      await p.getByLabel('Your note').fill('Confirmation link approved by the administrator.');
      await look(p, 'review-administrator');
    },
    'Approve',
  );

  // The customer: both approved; the administrator's Review Information and Add Domain in Tencent Cloud's steps.
  await page.goto(`${harness.baseUrl}/console/profile`);
  expect(await page.getByText('Approved').count()).toBeGreaterThanOrEqual(2);
  await look(page, 'my-profile');
  await page.getByRole('link', { name: 'Li Lei' }).click();
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toContain('Review Information');
  await look(page, 'administrator-review-information');
  await page.getByRole('link', { name: 'Add Domain' }).click();
  await page.getByLabel('Domain').fill('www.acme.cn');
  await look(page, 'add-domain-step-1');
  await page.getByRole('button', { name: 'Next' }).click();
  // "Change" goes back to the first step with the name kept.
  await page.getByRole('link', { name: 'Change' }).click();
  expect(await page.getByLabel('Domain').inputValue()).toBe('www.acme.cn');
  await page.getByRole('button', { name: 'Next' }).click();
  expect(await page.getByLabel('DNS (CNAME delegation)').isChecked()).toBe(true);
  // Automatic validation off shows the other three methods instead.
  await page.getByRole('radio', { name: 'Off', exact: true }).check();
  expect(await page.getByLabel('DNS (TXT record)').isVisible()).toBe(true);
  expect(await page.getByLabel('DNS (CNAME delegation)').isVisible()).toBe(false);
  expect(await page.getByRole('radio', { name: 'DNS provider' }).isChecked()).toBe(true);
  await page.getByRole('radio', { name: 'On', exact: true }).check();
  await page.getByLabel('DNS (CNAME delegation)').check();
  await look(page, 'add-domain-step-2');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.waitForURL('**/console/domains/*/instructions?notice=domainAdded');
  const row = page.locator('table tbody tr').first();
  expect(await row.locator('td').nth(0).innerText()).toBe('CNAME');
  expect(await row.locator('td').nth(1).innerText()).toContain('_dnsauth.www');
  expect(await row.locator('td').nth(2).innerText()).toContain('_dnsauth.www.acme.cn');
  expect(await row.locator('td').nth(3).innerText()).toMatch(/[a-z2-7]{32}\.dcv\.certificate-profiles\.invalid/);
  expect(await page.getByRole('button', { name: /^Copy/ }).count()).toBe(3);
  await look(page, 'domain-instructions');
  await page.getByRole('button', { name: 'Validate', exact: true }).click();
  await page.waitForURL('**/instructions?notice=checked#result');
  const result = page.locator('.check').first();
  expect(await result.getByText('Perspective primary, record check').count()).toBe(1);
  expect(await result.getByText('Perspective primary, CAA check (RFC 8659)').count()).toBe(1);
  expect(await result.locator('dt', { hasText: 'Expected' }).count()).toBeGreaterThan(0);
  expect(await result.locator('dt', { hasText: 'Observed' }).count()).toBeGreaterThan(0);
  expect(await result.getByText('Not passed').count()).toBeGreaterThan(0);
  await look(page, 'domain-validate-result');
  await page.getByRole('link', { name: 'Domain details and history' }).click();
  expect(await page.getByText('validUntil').count()).toBe(1);
  expect(await page.getByRole('heading', { name: 'Last evidence' }).count()).toBe(1);
  await look(page, 'domain');

  // A second organization: no administrator in its form; rejected with a reason, resubmitted, approved.
  await page.goto(`${harness.baseUrl}/console/profile`);
  await page.getByRole('link', { name: 'Create Now' }).click();
  expect(await page.getByRole('group', { name: 'Administrator' }).count()).toBe(0);
  await fillOrganization(page, 'Acme Cloud Services Co., Ltd.');
  await look(page, 'create-second-organization');
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await page.waitForURL('**/console/organizations/*?notice=organizationSubmitted');
  const second = page.url().split('?')[0];

  await aSecond();
  await decide(
    review,
    'Acme Cloud Services Co., Ltd.',
    async (p) => {
      await p.getByLabel('Outcome').selectOption('no_answer');
      await p.getByLabel('Reason').fill('Nobody answered the landline on three attempts; check the number and its extension, then resubmit.');
    },
    'Reject',
  );
  await page.goto(second);
  expect(await page.getByText('Nobody answered the landline on three attempts').count()).toBeGreaterThan(0);
  expect(await page.locator('#reviews').count()).toBe(1);
  await look(page, 'organization-rejected');
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  expect(await page.locator('#sends-back').innerText()).toContain('sends it back to the CA for a new review');
  await look(page, 'organization-edit');
  await page.goto(second);
  await page.getByRole('button', { name: 'Resubmit for review' }).click();
  await page.waitForURL('**?notice=resubmitted');
  expect(await page.getByText('Under review').count()).toBeGreaterThan(0);
  await aSecond();
  await decide(
    review,
    'Acme Cloud Services Co., Ltd.',
    async (p) => {
      expect(await p.getByRole('heading', { name: 'Earlier reviews' }).count()).toBe(1);
      await p.locator('#f-callback-answeredBy-name').fill('Wang Fang');
      await p.locator('#f-callback-answeredBy-role').fill('Office manager');
      await p.getByLabel('Your note').fill('Reached on the second attempt.');
    },
    'Approve',
  );
  await page.goto(second);
  expect(await page.locator('p .status').first().innerText()).toBe('Approved');
  await look(page, 'organization-approved-after-resubmission');
  await page.getByRole('link', { name: 'Delete' }).click();
  await look(page, 'organization-delete-confirmation');
  await page.getByRole('link', { name: 'Cancel' }).click();

  await review.goto(`${harness.baseUrl}/console/reviews/history`);
  expect(await review.locator('tbody tr').count()).toBe(4);
  await look(review, 'reviewer-history');

  // DNS providers (the secret is never shown back), API keys (shown once), members (owners invite).
  await page.goto(`${harness.baseUrl}/console/dns-providers`);
  await page.getByLabel(/^Name/).fill('Acme BIND');
  await page.getByLabel('Primary server').fill('203.0.113.53'.replace('203.0.113.53', '8.8.8.8'));
  await page.getByLabel('Zone').fill('acme.cn');
  await page.getByLabel('TSIG key name').fill('acme-update');
  await page.getByLabel('TSIG secret').fill(Buffer.alloc(32, 7).toString('base64'));
  await page.getByRole('button', { name: 'Add provider' }).click();
  await page.waitForURL('**/console/dns-providers?notice=providerAdded');
  expect(await page.content()).not.toContain(Buffer.alloc(32, 7).toString('base64'));
  await look(page, 'dns-providers');
  await page.goto(`${harness.baseUrl}/console/api-keys`);
  await page.getByLabel(/^Name/).fill('deploy-bot');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.locator('.secret code').innerText()).trim();
  expect(key).toMatch(/^cps_ck_/);
  await look(page, 'api-key-created');
  const viaKey = await fetch(`${harness.baseUrl}/v1/organizations`, { headers: { authorization: `Bearer ${key}` } });
  expect(((await viaKey.json()) as { items: unknown[] }).items).toHaveLength(2);
  await page.goto(`${harness.baseUrl}/console/members`);
  await page.getByLabel('Email address').fill('wang.fang@acme.cn');
  await page.getByLabel(/^Name/).fill('Wang Fang');
  await page.getByRole('button', { name: 'Create invitation' }).click();
  expect(await page.locator('.secret code').innerText()).toContain('/console/invitations/');
  await look(page, 'members');

  // 简体中文, chosen with the switch; dates stay in the viewer's time zone.
  await page.goto(`${harness.baseUrl}/console/profile`);
  await page.getByRole('link', { name: '简体中文' }).click();
  await page.waitForURL('**/console/profile');
  expect(await page.locator('h1').innerText()).toBe('我的资料');
  expect(await page.locator('footer').innerText()).toContain('Asia/Shanghai');
  await look(page, 'my-profile-zh-CN');
  await page.getByRole('link', { name: 'English' }).click();

  expect(visited.length).toBeGreaterThanOrEqual(25);
  expect(refused).toEqual([]);
});
