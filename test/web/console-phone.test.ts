import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createManualClock } from '../../src/clock.ts';
import { createAssertion } from '../../src/auth/signed-assertion.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { startTestServer, type TestServer } from '../staff/console-helpers.ts';
import { launchChromium } from './web-support.ts';

const ASSERTION_SECRET = 'operator-app-shared-secret-0123456789';
const ADMIN = { email: 'admin@example.jp', password: 'admin password long enough' };

/** The console on a 390 px wide phone, in Chromium: nothing wider than the screen, the language switch, confirmations. */
describe('the console on a phone', () => {
  const clock = createManualClock('2026-04-01T00:00:00Z');
  let server: TestServer;
  let browser: Browser;
  let requestId = '';

  before(async () => {
    server = await startTestServer('sqlite', { clock, config: { assertionSecret: ASSERTION_SECRET } });
    await createStaffUser(server.ctx.store.db, clock, { email: ADMIN.email, role: 'admin', password: ADMIN.password, actor: 'cli' });
    // Long values without a break: the page must wrap them, not grow wider.
    const email = 'hanako@example.jp';
    const fd = new FormData();
    for (const [k, v] of Object.entries({ kind: 'correction', lang: 'ja', applicant: 'self', email, account_id: 'a'.repeat(200), description: 'x'.repeat(5000), current_value: '東京都港区芝1-2-3', correct_value: '東京都港区芝4-5-6', assertion: createAssertion({ sub: email, email, exp: Math.floor(clock.now().getTime() / 1000) + 300 }, ASSERTION_SECRET) })) fd.set(k, v);
    const res = await fetch(`${server.url}/privacy-center/requests`, { method: 'POST', body: fd, redirect: 'manual' });
    requestId = /requests\/(req_[^?/]+)/.exec(res.headers.get('location') ?? '')?.[1] ?? '';
    assert.ok(requestId, 'filed');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('every console page fits 390 px, the language switch sticks, and a decision waits for its confirmation', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP', extraHTTPHeaders: { 'accept-language': 'ja' } });
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/console/login`);
      await page.getByLabel('メールアドレス').fill(ADMIN.email);
      await page.getByLabel('パスワード').fill(ADMIN.password);
      await Promise.all([page.waitForURL(/\/console$/), page.getByRole('button', { name: 'サインイン' }).click()]);

      const widths: string[] = [];
      for (const path of ['/console', `/console/requests/${requestId}`, '/console/requests/new', `/console/requests/${requestId}/gathered`, '/console/records', '/console/incidents', '/console/statistics', '/console/audit', '/console/staff']) {
        await page.goto(`${server.url}${path}`);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        widths.push(`${path} ${width}`);
        assert.ok(width <= 390, `${path} is ${width} px wide at 390 px`);
      }
      console.log(`page widths at 390 px: ${widths.join(', ')}`);
      // On a desktop too, a 5,000-character description wraps instead of widening the page.
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${server.url}/console/requests/${requestId}`);
      const desktop = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(desktop <= 1280, `the request page is ${desktop} px wide at 1280 px`);
      await page.setViewportSize({ width: 390, height: 844 });

      // The switch keeps the chosen language on the next pages.
      await page.goto(`${server.url}/console`);
      await page.getByRole('link', { name: 'English' }).click();
      await page.waitForSelector('h1:text("Requests")');
      await page.goto(`${server.url}/console/requests/${requestId}`);
      assert.match(await page.textContent('main') ?? '', /The request/);
      await page.getByRole('link', { name: '日本語' }).click();
      await page.waitForSelector('h2:text("請求の内容")');

      // The decision form does not go out before its confirmation is ticked.
      await page.getByLabel('項目1').fill('表示名');
      await page.getByLabel('訂正前').first().fill('はなこ');
      await page.getByLabel('訂正後').first().fill('花子');
      await page.getByRole('button', { name: '決定を記録して通知する' }).click();
      assert.equal(await page.evaluate(() => (document.querySelector('input[name=confirmed]') as HTMLInputElement | null)?.validity.valueMissing), true, 'the browser stops at the unticked confirmation');
      assert.match(await page.textContent('main') ?? '', /対応中/, 'still in progress');
      await page.getByLabel(/決定は記録後に変更できず/).check();
      await page.getByRole('button', { name: '決定を記録して通知する' }).click();
      await page.waitForSelector("#message");
      assert.match(await page.textContent("#message") ?? "", /決定を記録し、請求者に通知しました/);
      assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390);
    } finally {
      await context.close();
    }
  });
});
