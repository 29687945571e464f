import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createAssertion } from '../../src/auth/signed-assertion.ts';
import { storeDialects } from '../support/stores.ts';
import { ASSERTION_SECRET, errorCode, MISSKEY_POLICY, postJson, startApp } from '../requests/request-test-kit.ts';
import { ASSERTION_SECRET as CONSENT_ASSERTION_SECRET, startConsentServer } from '../consent/consent-server.ts';

for (const dialect of storeDialects) {
  describe(`signed assertions are one-time (${dialect})`, () => {
    test('a filing with an assertion works once; replaying the same assertion is refused, a fresh one works', async () => {
      const app = await startApp(dialect, MISSKEY_POLICY);
      try {
        const now = Math.floor(app.clock.now().getTime() / 1000);
        const email = 'signed@example.jp';
        const assertion = createAssertion({ sub: 'u42', email, exp: now + 600 }, ASSERTION_SECRET, 'jwt');
        const first = await postJson(`${app.url}/api/v1/requests`, { kind: 'purpose_notice', email, lang: 'ja', assertion });
        assert.equal(first.status, 201, JSON.stringify(first.json));
        const replay = await postJson(`${app.url}/api/v1/requests`, { kind: 'purpose_notice', email, lang: 'ja', assertion });
        assert.equal(replay.status, 401);
        assert.equal(errorCode(replay.json), 'MAMORI_REQUEST_ASSERTION_USED');
        // Replayed on another request's verification, too.
        const other = await postJson(`${app.url}/api/v1/requests`, { kind: 'purpose_notice', email, lang: 'ja' });
        const verifyReplay = await postJson(`${app.url}/api/v1/requests/${String(other.json.id)}/verify`, { assertion }, { 'x-request-token': String(other.json.token) });
        assert.equal(errorCode(verifyReplay.json), 'MAMORI_REQUEST_ASSERTION_USED');
        const fresh = createAssertion({ sub: 'u42', email, exp: now + 601 }, ASSERTION_SECRET, 'jwt');
        const verified = await postJson(`${app.url}/api/v1/requests/${String(other.json.id)}/verify`, { assertion: fresh }, { 'x-request-token': String(other.json.token) });
        assert.equal(verified.status, 200, JSON.stringify(verified.json));
        const stored = await app.store.db.selectFrom('assertion_uses').selectAll().execute();
        assert.equal(stored.length, 2);
        assert.doesNotMatch(JSON.stringify(stored), /signed@example|u42/);
      } finally {
        await app.close();
      }
    });

    test('the privacy center\'s filing form takes an assertion once; a replay gets a clear 401 page and files nothing', async () => {
      const app = await startApp(dialect, MISSKEY_POLICY);
      try {
        const now = Math.floor(app.clock.now().getTime() / 1000);
        const assertion = createAssertion({ sub: 'u7', email: 'form@example.jp', exp: now + 600 }, ASSERTION_SECRET, 'jwt');
        const post = () => {
          const fd = new FormData();
          for (const [k, v] of Object.entries({ kind: 'disclosure', lang: 'ja', applicant: 'self', delivery: 'electronic', email: 'form@example.jp', description: '全データの開示', assertion })) fd.set(k, v);
          return fetch(`${app.url}/privacy-center/requests`, { method: 'POST', redirect: 'manual', body: fd, headers: { accept: 'text/html' } });
        };
        assert.equal((await post()).status, 303);
        const replay = await post();
        assert.equal(replay.status, 401);
        assert.match(await replay.text(), /すでに一度使われています/);
        assert.equal((await app.store.db.selectFrom('requests').select('id').execute()).length, 1);
      } finally {
        await app.close();
      }
    });

    test('the preferences page opens a session once per assertion: replayed on the link or the form it is a 401 and sets no cookie', async () => {
      const s = await startConsentServer(dialect);
      try {
        const assertion = createAssertion({ sub: 'pref-user', email: 'p@example.jp', exp: Math.floor(Date.now() / 1000) + 300 }, CONSENT_ASSERTION_SECRET, 'jwt');
        const link = () => fetch(`${s.url}/privacy-center/preferences?assertion=${encodeURIComponent(assertion)}`, { redirect: 'manual', headers: { accept: 'application/json' } });
        const first = await link();
        assert.equal(first.status, 303);
        assert.match(first.headers.get('set-cookie') ?? '', /HttpOnly/i);
        const again = await link();
        assert.equal(again.status, 401);
        assert.equal(again.headers.get('set-cookie'), null);
        assert.equal(errorCode((await again.json()) as Record<string, unknown>), 'MAMORI_REQUEST_ASSERTION_USED');
        const viaForm = await fetch(`${s.url}/privacy-center/preferences`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: new URLSearchParams({ assertion }).toString() });
        assert.equal(viaForm.status, 401);
        assert.equal(viaForm.headers.get('set-cookie'), null);
        assert.equal(errorCode((await viaForm.json()) as Record<string, unknown>), 'MAMORI_REQUEST_ASSERTION_USED');
      } finally {
        await s.close();
      }
    });
  });
}
