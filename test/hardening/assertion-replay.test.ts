import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createAssertion } from '../../src/auth/signed-assertion.ts';
import { storeDialects } from '../support/stores.ts';
import { ASSERTION_SECRET, errorCode, MISSKEY_POLICY, postJson, startApp } from '../requests/request-test-kit.ts';

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
  });
}
