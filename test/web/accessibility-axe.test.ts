import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext } from 'playwright-core';
import { createManualClock } from '../../src/clock.ts';
import { createAssertion } from '../../src/auth/signed-assertion.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { requestKinds } from '../../src/policy/schema.ts';
import { routeCatalog } from '../../src/http/route-catalog.ts';
import { signIn, startTestServer, type TestServer } from '../staff/console-helpers.ts';
import { launchChromium } from './web-support.ts';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const ASSERTION_SECRET = 'operator-app-shared-secret-0123456789';
const ADMIN = { email: 'admin@example.jp', password: 'admin password long enough' };

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/**
 * axe-core (the standard accessibility engine) on every page a person or staff member reads, in Japanese and in
 * English, in one browser against one server: any serious or critical violation fails.
 */
describe('accessibility: axe-core on the public and console pages', () => {
  const clock = createManualClock('2026-04-01T00:00:00Z');
  let server: TestServer;
  let browser: Browser;
  let staff: BrowserContext;
  let person: BrowserContext;
  let statusPath = '';
  let requestId = '';

  before(async () => {
    server = await startTestServer('sqlite', { clock, config: { assertionSecret: ASSERTION_SECRET } });
    await createStaffUser(server.ctx.store.db, clock, { email: ADMIN.email, role: 'admin', password: ADMIN.password, actor: 'cli' });
    const email = 'hanako@example.jp';
    const fd = new FormData();
    const assertion = createAssertion({ sub: email, email, exp: Math.floor(clock.now().getTime() / 1000) + 300 }, ASSERTION_SECRET);
    for (const [k, v] of Object.entries({ kind: 'disclosure', lang: 'ja', applicant: 'self', email, description: '登録情報の開示', assertion })) fd.set(k, v);
    const filed = await fetch(`${server.url}/privacy-center/requests`, { method: 'POST', body: fd, redirect: 'manual' });
    const status = new URL(filed.headers.get('location') ?? '', server.url);
    status.searchParams.delete('lang');
    statusPath = status.pathname + status.search;
    requestId = /requests\/(req_[^/?]+)/.exec(statusPath)?.[1] ?? '';
    assert.ok(requestId, `filed: ${filed.status} ${statusPath}`);
    browser = await launchChromium();
    const { jar } = await signIn(server.url, ADMIN.email, ADMIN.password);
    staff = await browser.newContext({ locale: 'ja-JP', bypassCSP: true });
    await staff.addCookies([...jar.cookies].map(([name, value]) => ({ name, value, url: server.url })));
    person = await browser.newContext({ locale: 'ja-JP', bypassCSP: true });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function violations(context: BrowserContext, path: string, spoil?: string): Promise<string[]> {
    const page = await context.newPage();
    try {
      const res = await page.goto(`${server.url}${path}`);
      assert.ok(res && res.status() < 500, `${path}: ${res?.status()}`);
      if (spoil) await page.evaluate((markup) => document.querySelector('main')?.insertAdjacentHTML('beforeend', markup), spoil);
      // The pages forbid every script (CSP script-src 'none'); the test's own injection is let through.
      await page.addScriptTag({ path: AXE });
      const found = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Violation[] }> } }).axe;
        return (await axe.run(document, { resultTypes: ['violations'] })).violations;
      });
      // AXE_DEBUG=1 prints every finding, moderate and minor included, to see what the assertion leaves out.
      if (process.env.AXE_DEBUG) console.log('AXE', res?.status(), path, await page.title(), found.map((v) => `${v.impact} ${v.id} x${v.nodes.length}`).join('; '));
      return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${path}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
    } finally {
      await page.close();
    }
  }

  const withLang = (path: string, lang: string): string => `${path}${path.includes('?') ? '&' : '?'}lang=${lang}`;
  /** Public pages: Japanese by default, English by ?lang=en. */
  const both = (path: string): string[] => [path, withLang(path, 'en')];
  /** The console remembers the last language chosen, so each page names its language. */
  const switched = (path: string): string[] => [withLang(path, 'ja'), withLang(path, 'en')];

  test('the check itself: an unlabelled field and an image without text are caught', async () => {
    const found = await violations(person, '/privacy', '<input type="text"><img src="/x.png">');
    assert.ok(found.some((f) => / critical (label|image-alt) /.test(f)), found.join('\n'));
  });

  test('public pages: policy, versions, 外部送信, privacy center, each request form, a status page, preferences', { timeout: 180_000 }, async () => {
    const forms: string[] = [];
    for (const kind of requestKinds) {
      const res = await fetch(`${server.url}/privacy-center/new?kind=${kind}`);
      if (res.status === 200) forms.push(`/privacy-center/new?kind=${kind}`);
    }
    assert.ok(forms.length >= 3, `request forms found: ${forms.join(' ')}`);
    // Also the pages people meet on a detour: the preferences page without a session (401) and the console sign-in.
    const pages = ['/privacy', '/privacy/versions', '/privacy/external-transmissions', '/privacy-center', ...forms, statusPath, '/privacy-center/preferences', '/console/login'].flatMap(both);
    const problems: string[] = [];
    for (const path of pages) problems.push(...(await violations(person, path)));
    // Preferences need the operator's signed assertion, which starts a session cookie and redirects.
    const signed = await browser.newContext({ locale: 'ja-JP', bypassCSP: true });
    const pref = await signed.newPage();
    await pref.goto(`${server.url}/privacy-center/preferences?assertion=${encodeURIComponent(createAssertion({ sub: 'user-7', email: 'u7@example.jp', exp: Math.floor(clock.now().getTime() / 1000) + 300 }, ASSERTION_SECRET))}`);
    await pref.close();
    for (const path of both('/privacy-center/preferences')) problems.push(...(await violations(signed, path)));
    await signed.close();
    assert.deepEqual(problems, []);
  });

  test('console pages: the queue, a request, the entry form', { timeout: 120_000 }, async () => {
    const pages = ['/console', `/console/requests/${requestId}`, '/console/requests/new'].flatMap(switched);
    const problems: string[] = [];
    for (const path of pages) problems.push(...(await violations(staff, path)));
    assert.deepEqual(problems, []);
  });

  test('every other console page (records, incidents, statistics, audit, settings), both languages', { timeout: 240_000 }, async () => {
    const main = new Set(['/console', '/console/requests/:id', '/console/requests/new']);
    const pages = routeCatalog(server.app)
      .filter((r) => r.method === 'GET' && r.url.startsWith('/console/') && !main.has(r.url) && !r.url.includes(':') && !/\.(csv|json)$|\/logout$|\/export|\/login$/.test(r.url))
      .map((r) => r.url)
      .flatMap(switched);
    const problems: string[] = [];
    for (const path of pages) problems.push(...(await violations(staff, path)));
    assert.deepEqual(problems, []);
  });

  test('the consent settings dialog, light and dark', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ locale: 'ja-JP', bypassCSP: true });
    const page = await context.newPage();
    const problems: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${server.url}/privacy-center`);
      await page.addScriptTag({ url: `${server.url}/consent.js` });
      await page.evaluate(() => (window as unknown as { mamori: { open(): void } }).mamori.open());
      await page.getByRole('dialog').waitFor();
      await page.addScriptTag({ path: AXE });
      const found = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(ctx: string, opts: object): Promise<{ violations: Violation[] }> } }).axe;
        return (await axe.run('.mmr', { resultTypes: ['violations'] })).violations;
      });
      if (process.env.AXE_DEBUG) console.log('AXE dialog', scheme, found.map((v) => `${v.impact} ${v.id} x${v.nodes.length}`).join('; '));
      problems.push(...found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${scheme}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
    }
    assert.deepEqual(problems, []);
    await context.close();
  });
});
