import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../web/web-support.ts';
import { loadFixturePolicy, startConsentServer, type ConsentTestServer } from './consent-server.ts';

/** The fixture policy with a second analytics tool, so the analytics purpose has a switch per tool. */
const withClarity = (yaml: string): string => yaml.replace('  - id: sentry\n', '  - id: clarity\n    catalog: microsoft_clarity\n    purpose: analytics\n  - id: sentry\n');

interface ConsentDetail {
  version: string;
  purposes: Record<string, boolean>;
  tools: Record<string, boolean>;
}

/** A host page that listens for mamori:consent on window, opts into the floating button and names tools on its tags. */
function hostPage(mamori: string, reopen: boolean): string {
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>shop</title>
<script>window.events = []; window.addEventListener('mamori:consent', function (e) { window.events.push(e.detail); });</script>
<script src="${mamori}/consent.js"${reopen ? ' data-reopen' : ''}></script>
<script type="text/plain" data-mamori-purpose="analytics" data-mamori-tool="ga">window.gaRan = true; document.cookie = '_ga=GA1.1.5; path=/';</script>
<script type="text/plain" data-mamori-purpose="analytics" data-mamori-tool="clarity">window.clarityRan = true;</script>
</head><body><h1>いらっしゃいませ</h1><a href="#top" id="next">商品一覧</a></body></html>`;
}

describe('consent banner: tools, events, re-open button and dark mode in Chromium', () => {
  let browser: Browser;
  let host: Server;
  let hostUrl: string;
  let s: ConsentTestServer;

  before(async () => {
    host = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostPage(s.url, req.url !== '/no-reopen')));
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    s = await startConsentServer('sqlite', { corsOrigins: [hostUrl], policy: loadFixturePolicy(withClarity) });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    await new Promise((r) => host.close(r));
  });

  const events = (page: Page) => page.evaluate(() => (window as unknown as { events: ConsentDetail[] }).events);
  const ran = (page: Page, name: string) => page.evaluate((n) => (window as unknown as Record<string, unknown>)[n] === true, name);

  test('the settings dialog opens with focus at its title', async () => {
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    await page.goto(hostUrl);
    await page.getByRole('button', { name: '詳細を設定する' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cookie 等の利用について' });
    await dialog.waitFor();
    assert.equal(await dialog.getAttribute('aria-modal'), 'true');
    assert.deepEqual(await page.evaluate(() => [document.activeElement?.tagName, document.activeElement?.textContent]), ['H2', 'Cookie 等の利用について']);
    await context.close();
  });

  test('a switch per tool: turning Clarity off keeps Google Analytics, clears Clarity’s first-party cookie and is remembered', async () => {
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    await page.goto(hostUrl);
    await page.evaluate(() => { document.cookie = '_clck=abc; path=/'; document.cookie = '_clsk=def; path=/'; });
    await page.getByRole('button', { name: '詳細を設定する' }).click();
    await page.getByRole('checkbox', { name: 'アクセス解析' }).check();
    // The dialog's longer texts arrive with it (fetched from mamori, not inlined in consent.js).
    assert.match((await page.getByRole('dialog').textContent()) ?? '', /利用状況を分析してサービスを改善するため/);
    const clarity = page.getByRole('checkbox', { name: 'Microsoft Clarity' });
    assert.equal(await clarity.isChecked(), true);
    await clarity.uncheck();
    await page.getByRole('button', { name: '選択を保存する' }).click();
    await page.waitForFunction(() => (window as unknown as { gaRan?: boolean }).gaRan === true);
    assert.equal(await ran(page, 'clarityRan'), false, 'the refused tool’s tag stays held back');
    const cookies = await page.evaluate(() => document.cookie);
    assert.doesNotMatch(cookies, /_clck=|_clsk=/, 'Clarity’s cookies are gone');
    assert.match(cookies, /_ga=/, 'the allowed tool’s cookie stays');
    const saved = await page.evaluate(() => JSON.parse(localStorage.getItem('mamori_consent') ?? '{}') as { id: string; c: Record<string, number> });
    assert.equal(saved.c['analytics/clarity'], 0);
    assert.equal(saved.c['analytics/ga'], 1);
    for (let i = 0; i < 100 && (await s.store.db.selectFrom('consent_receipts').select('id').where('subject', '=', saved.id).execute()).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const receipt = await s.store.db.selectFrom('consent_receipts').selectAll().where('subject', '=', saved.id).executeTakeFirstOrThrow();
    assert.equal(JSON.parse(receipt.choices).analytics, true, 'the purpose is recorded as allowed: one of its tools is on');
    assert.deepEqual(JSON.parse(receipt.tools ?? 'null'), { analytics: { ga: true, clarity: false } }, 'the receipt keeps each tool’s own switch');
    const decision = (await (await fetch(`${s.url}/api/v1/decisions?subject=${saved.id}&purpose=analytics`, { headers: { authorization: `Bearer ${s.apiKey}` } })).json()) as { allowed: boolean; tools?: Record<string, boolean> };
    assert.deepEqual(decision, { ...decision, allowed: true, tools: { ga: true, clarity: false } }, 'the operator’s servers are told Clarity may not run');

    await page.reload();
    await page.waitForFunction(() => (window as unknown as { gaRan?: boolean }).gaRan === true);
    assert.equal(await ran(page, 'clarityRan'), false, 'still held back on the next page view');
    await page.getByRole('button', { name: 'Cookie 設定' }).click();
    assert.equal(await page.getByRole('checkbox', { name: 'Microsoft Clarity' }).isChecked(), false, 'the dialog shows the tool off');
    assert.equal(await page.getByRole('checkbox', { name: 'Google Analytics' }).isChecked(), true);
    await context.close();
  });

  test('mamori:consent reaches window on load and after each choice, with purposes and tools', async () => {
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    await page.goto(hostUrl);
    await page.getByRole('region').waitFor();
    const onLoad = await events(page);
    assert.equal(onLoad.length, 1, 'one event on load');
    assert.equal(onLoad[0]?.purposes.analytics, false);
    assert.equal(onLoad[0]?.purposes.service, true);
    await page.getByRole('button', { name: 'すべて許可する' }).click();
    const after = await events(page);
    assert.equal(after.length, 2);
    assert.equal(after[1]?.version, await page.evaluate(() => (window as unknown as { mamori: { version: string } }).mamori.version));
    assert.deepEqual(after[1]?.tools, { ga: true, clarity: true, sentry: true, gads: true });
    await page.getByRole('button', { name: 'Cookie 設定' }).click();
    await page.getByRole('button', { name: 'すべて拒否する' }).click();
    const last = (await events(page))[2];
    assert.equal(last?.purposes.analytics, false);
    assert.equal(last?.tools.ga, false);
    await context.close();
  });

  test('the floating button appears only after a choice and reopens the settings; without data-reopen there is none', async () => {
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    await page.goto(hostUrl);
    await page.getByRole('region').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Cookie 設定' }).count(), 0, 'not while the bar asks');
    await page.getByRole('button', { name: 'すべて拒否する' }).click();
    const reopen = page.getByRole('button', { name: 'Cookie 設定' });
    await reopen.click();
    await page.getByRole('dialog').waitFor();
    assert.equal(await reopen.count(), 0, 'hidden while the dialog is open');
    await page.keyboard.press('Escape');
    assert.equal(await page.getByRole('button', { name: 'Cookie 設定' }).count(), 1, 'back after the dialog closes');

    await page.goto(hostUrl + '/no-reopen');
    await page.waitForFunction(() => 'mamori' in window);
    assert.equal(await page.getByRole('button', { name: 'Cookie 設定' }).count(), 0, 'opt-in only');
    await context.close();
  });

  test('dark mode follows prefers-color-scheme', async () => {
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    const colours = () => page.locator('.mmr').evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]);
    await page.goto(hostUrl);
    await page.getByRole('region').waitFor();
    assert.deepEqual(await colours(), ['rgb(255, 255, 255)', 'rgb(29, 35, 48)']);
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.deepEqual(await colours(), ['rgb(27, 31, 39)', 'rgb(230, 233, 239)']);
    const button = await page.getByRole('button', { name: 'すべて許可する' }).evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]);
    assert.deepEqual(button, ['rgb(156, 194, 255)', 'rgb(16, 20, 27)']);
    await context.close();
  });
});
