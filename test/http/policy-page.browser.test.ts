import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { createManualClock } from '../../src/clock.ts';
import { parsePolicy } from '../../src/policy/load-policy.ts';
import { publishVersion } from '../../src/policy/policy-versions.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';
import { launchChromium } from '../web/web-support.ts';

const load = (name: string) => {
  const path = fileURLToPath(new URL(`../fixtures/render/${name}`, import.meta.url));
  const r = parsePolicy(readFileSync(path, 'utf8'), path);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.loaded;
};

describe('the published policy in Chromium', () => {
  let browser: Browser;
  let server: RunningServer;
  let store: TestStore;
  let dataDir: string;
  before(async () => {
    store = await createTestStore('sqlite');
    dataDir = mkdtempSync(join(tmpdir(), 'mamori-policy-browser-'));
    const clock = createManualClock('2025-06-01T00:00:00Z');
    const v1 = load('policy.yaml');
    const v2 = load('policy-v2.yaml');
    await publishVersion(store, clock, { policy: v1.policy, sourceYaml: v1.source, effectiveOn: '2024-04-01', actor: 'cli' });
    await publishVersion(store, clock, { policy: v2.policy, sourceYaml: v2.source, effectiveOn: '2025-04-01', purposeChange: 'related', actor: 'cli' });
    server = await startServer({ policy: v1, store, clock, env: {}, outboxIntervalMs: 0, config: { port: 0, host: '127.0.0.1', secret: Buffer.alloc(32, 7), dataDir } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await store?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('has one h1, landmarks, a working table of contents, no script from policy text, and prints without site chrome', async () => {
    const page = await browser.newPage();
    let dialogs = 0;
    page.on('dialog', (d) => { dialogs += 1; void d.dismiss(); });
    await page.goto(`${server.url}/privacy`);
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    assert.equal(await page.locator('h1').count(), 1);
    assert.equal(await page.locator('main').count(), 1);
    assert.equal(await page.locator('nav.toc').getAttribute('aria-label'), '目次');
    const targets = await page.locator('nav.toc a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    assert.ok(targets.length >= 15);
    for (const href of targets) assert.equal(await page.locator(`h2${href}`).count(), 1, `${href} has its h2`);
    await page.click('nav.toc a[href="#rights"]');
    assert.equal(new URL(page.url()).hash, '#rights');
    assert.ok(await page.locator('h2#rights').isVisible());
    // the policy text with <script> shows as text and never runs
    assert.ok((await page.textContent('#main'))?.includes('<script>alert(1)</script>'));
    assert.equal(dialogs, 0);
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('header.site').isVisible(), false);
    assert.equal(await page.locator('h2#rights').isVisible(), true);
    await page.close();
  });

  test('the diff page marks a changed purpose with ins and del, in words for screen readers and not by colour alone', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/privacy/diff?from=1&to=2&lang=en`);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    const del = page.locator('del', { hasText: 'improve it' }).first();
    const ins = page.locator('ins', { hasText: 'measure advertising' }).first();
    // What a screen reader reads: the words say which text went and which came.
    assert.equal(await del.textContent(), '[removed: improve it]');
    assert.equal(await ins.textContent(), '[added: measure advertising]');
    // What a sighted reader sees: the marker words are hidden, and the change is struck through / underlined.
    const marker = await del.locator('span').first().boundingBox();
    assert.ok(marker && marker.width <= 1 && marker.height <= 1, `the marker words take no visible space (${JSON.stringify(marker)})`);
    assert.match(await del.evaluate((e) => getComputedStyle(e).textDecorationLine), /line-through/);
    assert.match(await ins.evaluate((e) => getComputedStyle(e).textDecorationLine), /underline/);
    // Both texts in full, each under its own heading.
    const both = page.locator('section.diff-changed details.diff-before-after').first();
    await both.locator('summary').click();
    assert.ok(await both.getByRole('heading', { name: 'Before (version 1)' }).isVisible());
    assert.ok(await both.getByRole('heading', { name: 'After (version 2)' }).isVisible());
    assert.ok(await page.locator('section.diff-removed h2', { hasText: 'Statistics' }).isVisible());
    await page.close();
  });
});
