import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createAssertion } from '../../src/auth/signed-assertion.ts';
import { ASSERTION_SECRET, loadFixturePolicy, startConsentServer, type ConsentTestServer } from './consent-server.ts';

export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The operator's page: consent.js first in <head>, then tags held back until their purpose is allowed. */
function hostPage(mamori: string, lang: string, assertion?: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>shop</title>
<script src="${mamori}/consent.js"${assertion ? ` data-assertion="${assertion}"` : ''}></script>
<script type="text/plain" data-mamori-purpose="analytics">window.analyticsRan = (window.analyticsRan || 0) + 1; document.cookie = '_ga=GA1.1.123; path=/';</script>
<script type="text/plain" data-mamori-purpose="ads">window.adsRan = true;</script>
</head><body><h1 id="content">いらっしゃいませ</h1><p>商品の一覧です。</p><a href="#" id="settings" data-mamori-open>Cookie 設定</a>
<img id="pixel" data-mamori-purpose="analytics" data-src="/pixel.gif" alt=""></body></html>`;
}

describe('consent.js in Chromium', () => {
  let browser: Browser;
  let host: Server;
  let hostUrl: string;
  let s: ConsentTestServer;
  let lang = 'ja';

  before(async () => {
    host = createServer((req, res) => {
      if (req.url?.startsWith('/pixel.gif')) {
        res.writeHead(204).end();
        return;
      }
      const assertion = req.url?.startsWith('/signed') ? createAssertion({ sub: 'shop-user-5', email: 'u5@example.jp', exp: Math.floor(Date.now() / 1000) + 600 }, ASSERTION_SECRET) : undefined;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostPage(s.url, req.url?.includes('en') ? 'en' : lang, assertion));
    });
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    s = await startConsentServer('sqlite', { corsOrigins: [hostUrl] });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    await new Promise((r) => host.close(r));
  });

  async function open(opts: { gpc?: boolean; path?: string } = {}): Promise<{ context: BrowserContext; page: Page; hosts: Set<string> }> {
    const context = await browser.newContext({ locale: 'ja-JP' });
    // A string, not a function: tsx would wrap a function's inner arrows in a helper the page does not have.
    if (opts.gpc) await context.addInitScript({ content: "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: function () { return true; } });" });
    const page = await context.newPage();
    const hosts = new Set<string>();
    page.on('request', (r) => hosts.add(new URL(r.url()).origin));
    await page.goto(`${hostUrl}${opts.path ?? '/'}`);
    return { context, page, hosts };
  }

  const subjectOf = (page: Page) => page.evaluate(() => (JSON.parse(localStorage.getItem('mamori_consent') ?? '{}') as { id?: string }).id ?? '');
  const receiptsOf = (subject: string) => s.store.db.selectFrom('consent_receipts').selectAll().where('subject', '=', subject).orderBy('recorded_at').execute();
  async function waitForReceipts(subject: string, n: number) {
    for (let i = 0; i < 100; i++) {
      const rows = await receiptsOf(subject);
      if (rows.length >= n) return rows;
      await new Promise((r) => setTimeout(r, 20));
    }
    return receiptsOf(subject);
  }
  const consentCommands = (page: Page) =>
    page.evaluate(() => ((window as unknown as { dataLayer: IArguments[] }).dataLayer ?? []).map((a) => Array.from(a)).filter((a) => a[0] === 'consent'));

  test('the banner shows in Japanese as a non-modal bar, with Consent Mode denied by default before any tag', async () => {
    const { context, page, hosts } = await open();
    const dialog = page.getByRole('region', { name: 'Cookie 等の利用について' });
    await dialog.waitFor();
    assert.equal(await dialog.getAttribute('aria-modal'), null);
    assert.equal(await page.evaluate(() => document.activeElement === document.body), true, 'nothing is focused for the person');
    assert.ok(await dialog.getByRole('button', { name: 'すべて拒否する' }).isVisible());
    assert.match((await dialog.textContent()) ?? '', /アクセス解析/);
    const cmds = await consentCommands(page);
    assert.deepEqual(cmds[0], ['consent', 'default', { wait_for_update: 500, ad_storage: 'denied', analytics_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied' }]);
    assert.equal(await page.evaluate(() => (window as unknown as { analyticsRan?: number }).analyticsRan), undefined);
    const shift = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          let total = 0;
          new PerformanceObserver((list) => {
            for (const e of list.getEntries()) total += (e as PerformanceEntry & { value: number }).value;
          }).observe({ type: 'layout-shift', buffered: true });
          setTimeout(() => resolve(total), 100);
        }),
    );
    assert.equal(shift, 0, 'showing the banner shifts no layout');
    assert.deepEqual([...hosts].sort(), [hostUrl, s.url].sort(), 'no request to any other host');
    await context.close();
  });

  test('reject: the analytics script never runs, its cookie is removed, and the refusal is stored server-side', async () => {
    const { context, page } = await open();
    await page.evaluate(() => { document.cookie = '_ga=GA1.1.999; path=/'; });
    await page.getByRole('button', { name: 'すべて拒否する' }).click();
    assert.equal(await page.getByRole('region').count(), 0);
    const subject = await subjectOf(page);
    const [receipt] = await waitForReceipts(subject, 1);
    assert.deepEqual(JSON.parse(receipt?.choices ?? '{}'), { analytics: false, error_reports: false, ads: false });
    assert.equal(receipt?.method, 'banner');
    assert.doesNotMatch(await page.evaluate(() => document.cookie), /_ga=/);
    await page.reload();
    await page.waitForFunction(() => 'mamori' in window);
    assert.equal(await page.getByRole('region').count(), 0, 'not asked again');
    assert.equal(await page.evaluate(() => (window as unknown as { analyticsRan?: number }).analyticsRan), undefined);
    assert.equal(await page.locator('#pixel').getAttribute('src'), null);
    await context.close();
  });

  test('accept: the analytics script runs once, Consent Mode is updated, and the receipt is stored server-side', async () => {
    const { context, page } = await open();
    await page.getByRole('button', { name: 'すべて許可する' }).click();
    await page.waitForFunction(() => (window as unknown as { analyticsRan?: number }).analyticsRan === 1);
    assert.equal(await page.evaluate(() => (window as unknown as { adsRan?: boolean }).adsRan), true);
    assert.equal(await page.locator('#pixel').getAttribute('src'), '/pixel.gif');
    const subject = await subjectOf(page);
    const [receipt] = await waitForReceipts(subject, 1);
    assert.deepEqual(JSON.parse(receipt?.choices ?? '{}'), { analytics: true, error_reports: true, ads: true });
    const decision = await fetch(`${s.url}/api/v1/decisions?subject=${subject}&purpose=analytics`, { headers: { authorization: `Bearer ${s.apiKey}` } });
    assert.equal(((await decision.json()) as { allowed: boolean }).allowed, true);
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { analyticsRan?: number }).analyticsRan === 1);
    const cmds = await consentCommands(page);
    assert.deepEqual(cmds[1], ['consent', 'update', { ad_storage: 'granted', analytics_storage: 'granted', ad_user_data: 'granted', ad_personalization: 'granted' }], 'updated on every later page load');
    await context.close();
  });

  test('withdrawal from the settings link: a new receipt with false, and the named cookies are deleted', async () => {
    const { context, page } = await open();
    await page.getByRole('button', { name: 'すべて許可する' }).click();
    await page.waitForFunction(() => document.cookie.includes('_ga='));
    await page.getByRole('link', { name: 'Cookie 設定' }).click();
    const analytics = page.getByRole('checkbox', { name: 'アクセス解析' });
    assert.equal(await analytics.isChecked(), true);
    assert.equal(await page.getByRole('checkbox', { name: 'サービスの提供' }).isDisabled(), true, 'needed purposes cannot be turned off');
    await analytics.uncheck();
    await page.getByRole('button', { name: '選択を保存する' }).click();
    assert.doesNotMatch(await page.evaluate(() => document.cookie), /_ga=/);
    const rows = await waitForReceipts(await subjectOf(page), 2);
    assert.deepEqual(JSON.parse(rows[1]?.choices ?? '{}'), { analytics: false, error_reports: true, ads: true });
    await context.close();
  });

  test('on a signed-in page the choice is recorded for the user named by the assertion', async () => {
    const { context, page } = await open({ path: '/signed' });
    await page.getByRole('button', { name: 'すべて拒否する' }).click();
    const [receipt] = await waitForReceipts('shop-user-5', 1);
    assert.equal(receipt?.subject_kind, 'user');
    assert.deepEqual(JSON.parse(receipt?.choices ?? '{}'), { analytics: false, error_reports: false, ads: false });
    // The assertion is spent on the first save; a later change on the same page goes through the returned session.
    await page.getByRole('link', { name: 'Cookie 設定' }).click();
    await page.getByRole('checkbox', { name: 'アクセス解析' }).check();
    await page.getByRole('button', { name: '選択を保存する' }).click();
    const rows = await waitForReceipts('shop-user-5', 2);
    assert.equal(JSON.parse(rows[1]?.choices ?? '{}').analytics, true);
    assert.equal(rows.every((r) => r.subject_kind === 'user'), true);
    await context.close();
  });

  test('Global Privacy Control: advertising is off and recorded with method gpc, even after "allow all"', async () => {
    const { context, page } = await open({ gpc: true });
    await page.getByRole('region').waitFor();
    const subject = await subjectOf(page);
    const [gpcReceipt] = await waitForReceipts(subject, 1);
    assert.equal(gpcReceipt?.method, 'gpc');
    assert.deepEqual(JSON.parse(gpcReceipt?.choices ?? '{}'), { ads: false });
    await page.getByRole('button', { name: 'すべて許可する' }).click();
    await page.waitForFunction(() => (window as unknown as { analyticsRan?: number }).analyticsRan === 1);
    assert.equal(await page.evaluate(() => (window as unknown as { adsRan?: boolean }).adsRan), undefined);
    const cmds = await consentCommands(page);
    const last = cmds[cmds.length - 1]?.[2] as Record<string, string>;
    assert.equal(last.ad_storage, 'denied');
    assert.equal(last.analytics_storage, 'granted');
    const rows = await waitForReceipts(subject, 2);
    assert.equal(JSON.parse(rows[1]?.choices ?? '{}').ads, false);
    await page.evaluate(() => (window as unknown as { mamori: { open(): void } }).mamori.open());
    const ads = page.getByRole('checkbox', { name: '広告' });
    assert.equal(await ads.isChecked(), false, 'the dialog shows advertising off');
    assert.equal(await ads.isDisabled(), true);
    await context.close();
  });

  test('a new policy version asks again', async () => {
    const { context, page } = await open();
    await page.getByRole('button', { name: 'すべて許可する' }).click();
    const pageUrl = page.url();
    await page.goto(pageUrl);
    await page.waitForFunction(() => 'mamori' in window);
    assert.equal(await page.getByRole('region').count(), 0);
    // The browser keeps consent.js in its HTTP cache; the next page view revalidates it and gets the new version.
    const original = s.server.ctx.policy;
    s.server.ctx.policy = loadFixturePolicy((y) => y.replace('利用状況を分析してサービスを改善するため', '利用状況を分析し、新機能の検討にも使うため'));
    try {
      await page.goto(pageUrl);
      await page.getByRole('region').waitFor();
      assert.equal(await page.evaluate(() => (window as unknown as { analyticsRan?: number }).analyticsRan), undefined, 'a yes to the old version does not carry over');
    } finally {
      s.server.ctx.policy = original;
    }
    await context.close();
  });

  test('keyboard only: Tab reaches the bar and moves on to the page; the settings dialog keeps focus and Esc closes it without recording', async () => {
    const { context, page } = await open();
    await page.getByRole('region').waitFor();
    const focused = () => page.evaluate(() => ({ inBar: !!document.activeElement?.closest('.mmr'), inDialog: !!document.activeElement?.closest('[role=dialog]'), text: document.activeElement?.textContent ?? '', outline: getComputedStyle(document.activeElement as Element).outlineStyle }));
    const seen: string[] = [];
    let left = false;
    for (let i = 0; i < 10 && !left; i++) {
      await page.keyboard.press('Tab');
      const f = await focused();
      if (f.inBar) seen.push(f.text);
      else left = seen.length > 0;
    }
    assert.ok(seen.includes('すべて拒否する') && seen.includes('詳細を設定する'), `the bar's buttons are reached by Tab: ${seen.join(' / ')}`);
    assert.equal(left, true, 'Tab leaves the bar for the page: no trap');

    await page.reload();
    await page.getByRole('region').waitFor();
    while ((await focused()).text !== '詳細を設定する') await page.keyboard.press('Tab');
    assert.equal((await focused()).outline, 'solid', 'focus is visible');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Cookie 等の利用について' }).waitFor();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      assert.equal((await focused()).inDialog, true, 'Tab stays in the settings dialog');
    }
    await page.keyboard.press('Escape');
    assert.equal(await page.getByRole('dialog').count(), 0);
    assert.equal((await receiptsOf(await subjectOf(page))).length, 0, 'Esc records nothing');

    await page.getByRole('link', { name: 'Cookie 設定' }).click();
    await page.getByRole('checkbox', { name: 'アクセス解析' }).waitFor();
    while ((await page.evaluate(() => (document.activeElement as HTMLInputElement).id)) !== 'mmr-analytics') await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    while ((await focused()).text !== '選択を保存する') await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (window as unknown as { analyticsRan?: number }).analyticsRan === 1);
    const [receipt] = await waitForReceipts(await subjectOf(page), 1);
    assert.deepEqual(JSON.parse(receipt?.choices ?? '{}'), { analytics: true, error_reports: true, ads: false });
    await context.close();
  });

  test('an English page gets the banner in English', async () => {
    const { context, page } = await open({ path: '/en' });
    await page.getByRole('region', { name: 'How we use cookies' }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Reject all' }).isVisible());
    await context.close();
  });

  test('a broken config never breaks the host page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const bundle = await (await fetch(`${s.url}/consent.js`)).text();
    const broken = bundle.replace(/var MAMORI_CONFIG=\{/, 'var MAMORI_CONFIG={"p":7,');
    await page.route('**/consent.js', (route) => route.fulfill({ contentType: 'application/javascript', body: broken }));
    await page.goto(hostUrl);
    assert.equal(await page.locator('#content').textContent(), 'いらっしゃいませ');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
