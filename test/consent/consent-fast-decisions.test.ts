import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSingleDecisionQuery, plainAuthorization } from '../../src/http/consent-fast-decisions.ts';
import { storeDialects } from '../support/stores.ts';
import { anonId, startConsentServer } from './consent-server.ts';

test('the fast decisions path takes only a query of exactly one subject and one purpose', () => {
  assert.deepEqual(parseSingleDecisionQuery('subject=u_1&purpose=analytics'), { subject: 'u_1', purpose: 'analytics' });
  assert.deepEqual(parseSingleDecisionQuery('purpose=analytics&subject=%E5%AE%88'), { subject: '守', purpose: 'analytics' });
  for (const declined of ['subject=u_1', 'subject=u_1&purpose=a,b', 'subject=u_1&purpose=analytics&x=1', 'subject=u_1&subject=u_2', 'subject=a+b&purpose=analytics', 'subject=%ZZ&purpose=analytics', 'subject=%00&purpose=analytics', 'subject=&purpose=analytics', 'subject=u_1&purpose=Analytics', 'subject=u_1&purpose']) {
    assert.equal(parseSingleDecisionQuery(declined), undefined, declined);
  }
});

test('the fast decisions path reads the first Authorization header, in any case, and declines conditional requests', () => {
  assert.equal(plainAuthorization(['Host', 'x', 'Authorization', 'Bearer a', 'authorization', 'Bearer b']), 'Bearer a');
  assert.equal(plainAuthorization(['AUTHORIZATION', 'Bearer c', 'Accept', '*/*']), 'Bearer c');
  assert.equal(plainAuthorization(['Host', 'x', 'Accept-Encoding', 'gzip']), undefined);
  assert.equal(plainAuthorization(['Authorization', 'Bearer a', 'If-None-Match', '"e1"']), undefined);
  assert.equal(plainAuthorization(['if-none-match', '"e1"', 'authorization', 'Bearer a']), undefined);
});

for (const dialect of storeDialects) {
  describe(`decisions answered ahead of Fastify (${dialect})`, () => {
    test('answer exactly what the route answers, and leave every other case to the route', async () => {
      const s = await startConsentServer(dialect);
      try {
        const auth = { authorization: `Bearer ${s.apiKey}` };
        const subject = anonId();
        const recorded = await fetch(`${s.url}/api/v1/consents`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ subject, choices: { analytics: true }, method: 'api' }) });
        assert.equal(recorded.status, 201);
        // Over HTTP (the key now verified, so the fast path answers) and through Fastify's route (inject): the same.
        for (const purpose of ['analytics', 'error_reports', 'ads', 'service']) {
          const path = `/api/v1/decisions?subject=${subject}&purpose=${purpose}`;
          const fast = await fetch(`${s.url}${path}`, { headers: auth });
          const routed = await s.server.app.inject({ method: 'GET', url: path, headers: auth });
          assert.equal(fast.status, 200);
          assert.equal(routed.statusCode, 200);
          assert.deepEqual(await fast.json(), routed.json());
          assert.equal(fast.headers.get('content-type'), routed.headers['content-type']);
          assert.match(fast.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
        }
        // Subjects in different states share answers by state only: each still gets its own, and a new choice moves it.
        const choose = async (who: string, analytics: boolean) =>
          assert.equal((await fetch(`${s.url}/api/v1/consents`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ subject: who, choices: { analytics }, method: 'api' }) })).status, 201);
        const [refusing, silent] = [anonId(), anonId()];
        await choose(refusing, false);
        const basis = async (who: string) => {
          const path = `/api/v1/decisions?subject=${who}&purpose=analytics`;
          const fast = (await (await fetch(`${s.url}${path}`, { headers: auth })).json()) as { basis: string };
          assert.deepEqual(fast, (await s.server.app.inject({ method: 'GET', url: path, headers: auth })).json());
          return fast.basis;
        };
        assert.deepEqual([await basis(subject), await basis(refusing), await basis(silent)], ['consent', 'refused', 'no_consent']);
        await choose(subject, false);
        await choose(silent, true);
        assert.deepEqual([await basis(subject), await basis(refusing), await basis(silent)], ['refused', 'refused', 'consent']);
        // A tool switched off is part of the state: two consenting subjects, one with Google Analytics off.
        const gaOff = anonId();
        assert.equal((await fetch(`${s.url}/api/v1/consents`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ subject: gaOff, choices: { analytics: true }, tools: { analytics: { ga: false } }, method: 'api' }) })).status, 201);
        const tools = async (who: string) => {
          const path = `/api/v1/decisions?subject=${who}&purpose=analytics`;
          const fast = (await (await fetch(`${s.url}${path}`, { headers: auth })).json()) as { tools?: Record<string, boolean> };
          assert.deepEqual(fast, (await s.server.app.inject({ method: 'GET', url: path, headers: auth })).json());
          return fast.tools;
        };
        assert.deepEqual([await tools(gaOff), await tools(silent)], [{ ga: false }, { ga: true }]);
        // Declined cases keep the route's answers and errors.
        const code = async (res: Response) => [res.status, ((await res.json()) as { error?: { code: string } }).error?.code];
        assert.deepEqual(await code(await fetch(`${s.url}/api/v1/decisions?subject=${subject}&purpose=nope`, { headers: auth })), [400, 'MAMORI_CONSENT_UNKNOWN_PURPOSE']);
        assert.deepEqual(await code(await fetch(`${s.url}/api/v1/decisions?subject=${subject}&purpose=analytics&extra=1`, { headers: auth })), [400, 'MAMORI_CONSENT_INVALID_BODY']);
        assert.deepEqual(await code(await fetch(`${s.url}/api/v1/decisions?subject=${subject}&purpose=analytics`, { headers: { authorization: 'Bearer mamori_ck_wrong' } })), [401, 'MAMORI_API_KEY_INVALID']);
        const batch = await fetch(`${s.url}/api/v1/decisions?subject=${subject}&purpose=analytics,ads`, { headers: auth });
        assert.equal(batch.status, 200);
        assert.ok(batch.headers.get('etag'));
      } finally {
        await s.close();
      }
    });
  });
}
