import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { storeDialects } from '../support/stores.ts';
import { codeFromMail, errorCode, MISSKEY_POLICY, postJson, startApp } from '../requests/request-test-kit.ts';

for (const dialect of storeDialects) {
  describe(`POST /api/v1/requests/:id/verify needs the request token (${dialect})`, () => {
    test('without the token or with a wrong one nothing is counted, and an unknown id gets the very same answer', async () => {
      const app = await startApp(dialect, MISSKEY_POLICY);
      try {
        const email = 'token@example.jp';
        const filed = await postJson(`${app.url}/api/v1/requests`, { kind: 'purpose_notice', email, lang: 'en' });
        const id = String(filed.json.id);
        const token = String(filed.json.token);
        const code = await codeFromMail(app, email);
        const wrongCode = code === '000000' ? '111111' : '000000';
        const answers: Array<{ status: number; code: string | undefined; message: unknown }> = [];
        for (let i = 0; i < 8; i++) {
          const noToken = await postJson(`${app.url}/api/v1/requests/${id}/verify`, { code: wrongCode });
          const badToken = await postJson(`${app.url}/api/v1/requests/${id}/verify`, { code: wrongCode }, { 'x-request-token': `${token.slice(0, -2)}xx` });
          const unknownId = await postJson(`${app.url}/api/v1/requests/req_doesnotexist0000/verify`, { code: wrongCode }, { 'x-request-token': token });
          for (const r of [noToken, badToken, unknownId]) {
            const e = r.json.error as Record<string, unknown> | undefined;
            answers.push({ status: r.status, code: errorCode(r.json), message: e?.message });
          }
        }
        assert.equal(new Set(answers.map((a) => `${a.status} ${a.code}`)).size, 1, 'one answer for no token, a wrong token and an unknown id');
        assert.equal(answers[0]?.status, 404);
        assert.equal(answers[0]?.code, 'MAMORI_REQUEST_TOKEN_INVALID');
        const attempts = await app.store.db.selectFrom('request_codes').select('attempts').where('request_id', '=', id).executeTakeFirstOrThrow();
        assert.equal(Number(attempts.attempts), 0, 'no try of the person was burnt');
        const ok = await postJson(`${app.url}/api/v1/requests/${id}/verify`, { code }, { 'x-request-token': token });
        assert.equal(ok.status, 200, JSON.stringify(ok.json));
      } finally {
        await app.close();
      }
    });
  });
}
