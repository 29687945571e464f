import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createManualClock } from '../../src/clock.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { createIncident } from '../../src/records/incidents.ts';
import { recordProvision } from '../../src/records/provision-records.ts';
import { launchChromium } from '../web/web-support.ts';
import { startTestServer, type TestServer } from '../staff/console-helpers.ts';

const password = 'correct horse battery staple 42';

describe('records pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const clock = createManualClock('2026-04-01T01:00:00Z');
  before(async () => {
    server = await startTestServer('sqlite', { clock });
    browser = await launchChromium();
    await createStaffUser(server.store.db, clock, { email: 'auditor@example.jp', role: 'auditor', password, actor: 'cli' });
    for (let i = 0; i < 12; i++) {
      await recordProvision(server.store.db, clock, 'cli', { basis: 'consent', providedOn: '2026-03-01', recipient: { name: '提携先' }, subjects: [`p${i}`], dataItems: ['氏名'], consentProof: 'form v1' }, 'cli');
    }
    await createIncident(server.store.db, clock, 'cli', { title: 'ランサムウェア被害', discoveredAt: '2026-04-01T09:00:00+09:00', description: 'ファイルサーバが暗号化されました。', affectedCount: 5000, unauthorizedPurpose: true });
  });
  after(async () => {
    await browser.close();
    await server.stop();
  });

  test('an auditor signs in, sees the statistics chart, and prints the 規則8条 draft without the navigation', async () => {
    const page = await browser.newPage({ locale: 'ja-JP' });
    await page.goto(`${server.url}/console/statistics`);
    await page.fill('input[name=email]', 'auditor@example.jp');
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForURL(/\/console/), page.click('button[type=submit]')]);
    await page.goto(`${server.url}/console/incidents`);
    await page.click('text=ランサムウェア被害');
    await page.waitForSelector('text=規則7条3号');
    assert.equal(await page.locator('form[action$="/fields"]').count(), 0, 'an auditor sees no editing forms');
    await page.click('text=印刷用の報告書案を開く');
    await page.waitForSelector('text=再発防止のための措置');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('header.site').isVisible(), false, 'print hides the console frame');
    assert.equal(await page.locator('article.report').isVisible(), true);
    await page.emulateMedia({ media: 'screen' });

    await page.goto(`${server.url}/console/statistics`);
    const box = await page.locator('svg[role=img]').first().boundingBox();
    assert.ok(box && box.width > 100 && box.height > 10, 'the chart renders');
    assert.match(await page.locator('main').innerText(), /(本人の同意|Consent of the person)\s+12\s+12/);
    await page.close();
  });
});
