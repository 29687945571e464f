import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { storeDialects } from '../support/stores.ts';
import { createAssertion } from '../../src/auth/signed-assertion.ts';
import { ASSERTION_SECRET, startConsentServer, type ConsentTestServer } from './consent-server.ts';

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
