import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { storeDialects } from '../support/stores.ts';
import { createAssertion } from '../../src/auth/signed-assertion.ts';
import { ASSERTION_SECRET, loadFixturePolicy, startConsentServer, type ConsentTestServer } from './consent-server.ts';

for (const dialect of storeDialects) {
  describe(`preferences page (${dialect})`, () => {
    let s: ConsentTestServer;
    before(async () => {
      s = await startConsentServer(dialect);
    });
    after(async () => {
      await s.close();
    });

    async function enter(sub: string): Promise<{ cookie: string; csrf: string; page: string }> {
      const assertion = createAssertion({ sub, email: 'p@example.jp', exp: Math.floor(Date.now() / 1000) + 300 }, ASSERTION_SECRET, 'jwt');
      const res = await fetch(`${s.url}/privacy-center/preferences?assertion=${encodeURIComponent(assertion)}`, { redirect: 'manual' });
      assert.equal(res.status, 303);
      assert.ok(!(res.headers.get('location') ?? '').includes('assertion'), 'the assertion leaves the address bar');
      const setCookie = res.headers.get('set-cookie') ?? '';
      assert.match(setCookie, /HttpOnly/i);
      assert.match(setCookie, /SameSite=Strict/i);
      const cookie = setCookie.split(';')[0] ?? '';
      const page = await (await fetch(`${s.url}/privacy-center/preferences`, { headers: { cookie } })).text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
      return { cookie, csrf, page };
    }

    const submit = (cookie: string, fields: Record<string, string>) =>
      fetch(`${s.url}/privacy-center/preferences`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

    test('a user arriving with a signed assertion turns error reporting off without JavaScript', async () => {
      const { cookie, csrf, page } = await enter('misskey-user-1');
      assert.match(page, /<html lang="ja">/);
      assert.match(page, /エラー報告/);
      assert.match(page, /name="p_error_reports"[^>]*checked/, 'opt-out purposes start on');
      assert.doesNotMatch(page, /name="p_analytics"[^>]*checked/, 'consent purposes start off');
      assert.doesNotMatch(page, /name="p_service"/, 'needed purposes offer no checkbox');
      const res = await submit(cookie, { csrf, p_analytics: 'on' });
      assert.equal(res.status, 303);
      const rows = await s.store.db.selectFrom('consent_preferences').selectAll().where('subject', '=', 'misskey-user-1').orderBy('purpose').execute();
      assert.deepEqual(rows.map((r) => [r.purpose, r.allowed, r.method]), [['ads', 0, 'settings'], ['analytics', 1, 'settings'], ['error_reports', 0, 'settings']]);
      const after = await (await fetch(`${s.url}/privacy-center/preferences?saved=1`, { headers: { cookie } })).text();
      assert.match(after, /設定を保存しました/);
      assert.doesNotMatch(after, /name="p_error_reports"[^>]*checked/);
    });

    test('a form without the CSRF token, or without the session, is refused', async () => {
      const { cookie } = await enter('misskey-user-2');
      const noCsrf = await submit(cookie, { csrf: 'x'.repeat(32), p_analytics: 'on' });
      assert.equal(noCsrf.status, 403);
      const noSession = await submit('', { csrf: 'x'.repeat(32) });
      assert.equal(noSession.status, 401);
      const count = await s.store.db.selectFrom('consent_receipts').select('id').where('subject', '=', 'misskey-user-2').execute();
      assert.equal(count.length, 0);
    });

    test('a bad assertion does not open the page', async () => {
      const forged = createAssertion({ sub: 'x', email: 'p@example.jp', exp: Math.floor(Date.now() / 1000) + 300 }, 'not-the-secret-0123456789');
      const res = await fetch(`${s.url}/privacy-center/preferences?assertion=${encodeURIComponent(forged)}`, { redirect: 'manual', headers: { accept: 'text/html' } });
      assert.equal(res.status, 401);
    });
  });
}

const withClarity = (yaml: string): string => yaml.replace('  - id: sentry\n', '  - id: clarity\n    catalog: microsoft_clarity\n    purpose: analytics\n  - id: sentry\n');

for (const dialect of storeDialects) {
  describe(`preferences page, a switch per tool (${dialect})`, () => {
    let s: ConsentTestServer;
    before(async () => {
      s = await startConsentServer(dialect, { policy: loadFixturePolicy(withClarity) });
    });
    after(async () => {
      await s.close();
    });

    test('a purpose with two tools offers a switch for each; turning one off is kept in the receipt, the decision and the page', async () => {
      const assertion = createAssertion({ sub: 'tools-user-1', email: 't@example.jp', exp: Math.floor(Date.now() / 1000) + 300 }, ASSERTION_SECRET, 'jwt');
      const entered = await fetch(`${s.url}/privacy-center/preferences?assertion=${encodeURIComponent(assertion)}`, { redirect: 'manual' });
      const cookie = (entered.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const page = await (await fetch(`${s.url}/privacy-center/preferences`, { headers: { cookie } })).text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
      assert.match(page, /サービスごとの設定/);
      assert.match(page, /name="t_analytics__clarity"[^>]*checked/, 'a tool is on until the person turns it off');
      const tools = [...page.matchAll(/name="t_analytics__([a-z0-9_-]+)"/g)].map((m) => m[1]);
      assert.ok(tools.length >= 2 && tools.includes('clarity'), `switches for each analytics tool: ${tools.join(', ')}`);
      const fields: Record<string, string> = { csrf, p_analytics: 'on' };
      for (const tool of tools) if (tool !== 'clarity') fields[`t_analytics__${tool}`] = 'on';
      const res = await fetch(`${s.url}/privacy-center/preferences`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
      assert.equal(res.status, 303);
      const [receipt] = await s.store.db.selectFrom('consent_receipts').select(['tools', 'method']).where('subject', '=', 'tools-user-1').execute();
      assert.equal(receipt?.method, 'settings');
      assert.equal(JSON.parse(receipt?.tools ?? '{}').analytics.clarity, false);
      const decision = (await (await fetch(`${s.url}/api/v1/decisions?subject=tools-user-1&purpose=analytics`, { headers: { authorization: `Bearer ${s.apiKey}` } })).json()) as { allowed: boolean; tools: Record<string, boolean> };
      assert.equal(decision.allowed, true);
      assert.equal(decision.tools.clarity, false);
      // Turning the purpose off (the tool boxes stay as they were in the form) keeps the person's own tool switches.
      const { p_analytics: _on, ...purposeOff } = fields;
      await fetch(`${s.url}/privacy-center/preferences`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(purposeOff).toString() });
      const again = await (await fetch(`${s.url}/privacy-center/preferences`, { headers: { cookie } })).text();
      assert.doesNotMatch(again, /name="p_analytics"[^>]*checked/);
      assert.doesNotMatch(again, /name="t_analytics__clarity"[^>]*checked/, 'the page shows the person’s own switch, not the refused purpose’s decision');
      assert.match(again, new RegExp(`name="t_analytics__${tools.find((t) => t !== 'clarity')}"[^>]*checked`));
    });
  });
}
