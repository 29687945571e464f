import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, MamoriApiError } from '../../src/sdk/index.ts';
import { anonId, startConsentServer, type ConsentTestServer } from './consent-server.ts';

describe('mamori/client against a real server', () => {
  let s: ConsentTestServer;
  let calls: Array<{ url: string; status: number }>;
  const countingFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    calls.push({ url: String(input), status: res.status });
    return res;
  };
  before(async () => {
    s = await startConsentServer('sqlite');
  });
  after(async () => {
    await s.close();
  });

  test('allowed() follows the policy defaults and a choice recorded through the client invalidates the cache', async () => {
    calls = [];
    const mamori = createClient({ url: s.url, apiKey: s.apiKey, cacheMs: 60_000, fetch: countingFetch });
    assert.equal(await mamori.allowed('misskey-9', 'error_reports'), true);
    assert.equal(await mamori.allowed('misskey-9', 'analytics'), false);
    assert.equal(calls.length, 1, 'the second question is answered from the cache');
    const receipt = await mamori.record('misskey-9', { error_reports: false });
    assert.equal(receipt.method, 'api');
    assert.equal(await mamori.allowed('misskey-9', 'error_reports'), false);
    const d = await mamori.decide('misskey-9', 'error_reports');
    assert.equal(d.basis, 'refused');
    const exported = await mamori.consents('misskey-9');
    assert.equal(exported.receipts.length, 1);
  });

  test('a choice made elsewhere is seen after the cache time, and an unchanged subject costs one 304', async () => {
    calls = [];
    const subject = anonId();
    const mamori = createClient({ url: s.url, apiKey: s.apiKey, cacheMs: 0, fetch: countingFetch });
    assert.equal(await mamori.allowed(subject, 'analytics'), false);
    assert.equal(await mamori.allowed(subject, 'analytics'), false);
    assert.deepEqual(calls.map((c) => c.status), [200, 304]);
    await fetch(`${s.url}/api/v1/consents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject, choices: { analytics: true }, method: 'banner' }) });
    assert.equal(await mamori.allowed(subject, 'analytics'), true);
  });

  test('errors carry the stable code', async () => {
    const mamori = createClient({ url: s.url, apiKey: s.apiKey });
    await assert.rejects(mamori.allowed('x', 'no_such_purpose'), (e: unknown) => e instanceof MamoriApiError && e.code === 'MAMORI_CONSENT_UNKNOWN_PURPOSE');
    await assert.rejects(mamori.record('x', { nope: true }), (e: unknown) => e instanceof MamoriApiError && e.status === 400 && e.code === 'MAMORI_CONSENT_UNKNOWN_PURPOSE');
    const wrongKey = createClient({ url: s.url, apiKey: 'mamori_ck_not-a-key' });
    await assert.rejects(wrongKey.allowed('x', 'analytics'), (e: unknown) => e instanceof MamoriApiError && e.code === 'MAMORI_API_KEY_INVALID');
  });
});
