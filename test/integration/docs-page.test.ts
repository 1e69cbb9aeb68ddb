import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { startHarness, type Harness } from '../support/harness';

/** /docs as a person sees it: Debian's Chromium renders the OpenAPI document with every operation. */
let harness: Harness;
let browser: Browser;
beforeAll(async () => {
  harness = await startHarness();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await harness?.stop();
});

test('/docs renders every operation of /openapi.json, offline (no CDN)', async () => {
  const page = await browser.newPage();
  const offsite: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(harness.baseUrl)) offsite.push(request.url());
  });
  await page.goto(`${harness.baseUrl}/docs`);
  await page.waitForSelector('.opblock', { timeout: 20_000 });
  const spec: any = await (await fetch(`${harness.baseUrl}/openapi.json`)).json();
  const operations = Object.values(spec.paths).reduce((n: number, item: any) => n + Object.keys(item).length, 0);
  expect(await page.locator('.opblock').count()).toBe(operations);
  expect(await page.locator('.title').first().innerText()).toContain('Certificate profile service');
  expect(offsite).toEqual([]);
});
