import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startServer, type RunningServer } from '../../src/server.ts';
import { loadExample, type ExampleName } from './support.ts';

const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The README's banner snippet on an operator's page, with the tag served locally so the test needs no network. */
function hostPage(mamori: string): string {
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>community</title>
<script src="${mamori}/consent.js"></script>
<script type="text/plain" data-mamori-purpose="analyse" src="/gtag.js"></script>
</head><body><h1>コミュニティ</h1><button data-mamori-open>Cookie 設定</button></body></html>`;
}

describe('the README banner snippet on the example servers (Chromium)', () => {
  let browser: Browser;
  let host: Server;
  let hostUrl: string;
  const servers: RunningServer[] = [];
  const dirs: string[] = [];
  let mamoriUrl = '';

  const start = async (example: ExampleName) => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-banner-'));
    dirs.push(dir);
    const server = await startServer({
      policy: loadExample(example),
      env: {},
      outboxIntervalMs: 0,
      config: { port: 0, host: '127.0.0.1', secret: Buffer.alloc(32, 5), dataDir: dir, databaseUrl: `sqlite:${join(dir, 'mamori.sqlite')}`, corsOrigins: [hostUrl] },
    });
    servers.push(server);
    return server.url;
  };

  before(async () => {
    host = createServer((req, res) => {
      if (req.url === '/gtag.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end('window.gtagLoaded = true;');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostPage(mamoriUrl));
    });
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
    await new Promise((r) => host.close(r));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('community-server (choice: consent) shows the banner and runs Google Analytics only after "allow all"', async () => {
    mamoriUrl = await start('community-server');
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    await page.goto(hostUrl);
    const dialog = page.getByRole('region', { name: 'Cookie 等の利用について' });
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /アクセス解析/);
    assert.equal(await page.evaluate(() => (window as unknown as { gtagLoaded?: boolean }).gtagLoaded ?? false), false, 'the tag waits for consent');
    await dialog.getByRole('button', { name: 'すべて許可する' }).click();
    await page.waitForFunction(() => (window as unknown as { gtagLoaded?: boolean }).gtagLoaded === true);
    await context.close();
  });

  test('misskey-server (opt-out only) raises no banner: its tags run until the person turns them off', async () => {
    mamoriUrl = await start('misskey-server');
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    await page.goto(hostUrl);
    await page.waitForFunction(() => typeof (window as unknown as { mamori?: unknown }).mamori === 'object');
    await page.waitForTimeout(300);
    assert.equal(await page.getByRole('dialog').count(), 0);
    assert.equal(await page.getByRole('region', { name: 'Cookie 等の利用について' }).count(), 0, 'no bar either');
    await page.getByRole('button', { name: 'Cookie 設定' }).click();
    await page.getByRole('dialog').waitFor();
    await context.close();
  });
});
