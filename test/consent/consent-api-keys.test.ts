import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { anonId, startConsentServer, type ConsentTestServer } from './consent-server.ts';
import { createConsentApiKey, createConsentKeyVerifier } from '../../src/consent/consent-api-keys.ts';
import { createManualClock, type ManualClock } from '../../src/clock.ts';
import { createChangeFeed, type ChangeFeed } from '../../src/store/change-feed.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';

const ENV_KEY = `mamori_ck_${'k'.repeat(40)}`;

describe('consent API keys', () => {
  let s: ConsentTestServer;
  before(async () => {
    process.env.MAMORI_CONSENT_API_KEYS = ENV_KEY;
    s = await startConsentServer('sqlite');
  });
  after(async () => {
    delete process.env.MAMORI_CONSENT_API_KEYS;
    await s.close();
  });

  test('a key from MAMORI_CONSENT_API_KEYS and a key made in the database both answer decisions', async () => {
    for (const key of [ENV_KEY, s.apiKey]) {
      const res = await fetch(`${s.url}/api/v1/decisions?subject=u1&purpose=analytics`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(res.status, 200);
    }
  });

  test('an API-recorded choice is audited under the key that made it', async () => {
    const res = await fetch(`${s.url}/api/v1/consents`, { method: 'POST', headers: { authorization: `Bearer ${ENV_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ subject: 'u1', choices: { analytics: true } }) });
    assert.equal(res.status, 201);
    const events = await s.store.db.selectFrom('audit_events').select(['actor', 'action', 'data']).where('action', '=', 'consent.recorded').execute();
    assert.equal(events.length, 1);
    assert.match(events[0]?.actor ?? '', /^apikey:env-[0-9a-f]{8}$/);
    assert.doesNotMatch(events[0]?.data ?? '', /u1/, 'the audit data names purposes, not the subject');
  });

  test('a malformed MAMORI_CONSENT_API_KEYS stops the start with the fix', async () => {
    process.env.MAMORI_CONSENT_API_KEYS = 'short';
    try {
      await assert.rejects(startConsentServer('sqlite'), /MAMORI_CONSENT_API_KEYS/);
    } finally {
      process.env.MAMORI_CONSENT_API_KEYS = ENV_KEY;
    }
  });
});

describe('receipts without an API key', () => {
  test('one address recording a flood of receipts is slowed down with 429, an API key is not', async () => {
    const s = await startConsentServer('sqlite');
    try {
      const post = (headers: Record<string, string> = {}) =>
        fetch(`${s.url}/api/v1/consents`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ subject: anonId(), choices: { analytics: false }, method: 'banner' }) });
      const statuses: number[] = [];
      for (let i = 0; i < 61; i++) statuses.push((await post()).status);
      assert.deepEqual([...new Set(statuses.slice(0, 60))], [201]);
      assert.equal(statuses[60], 429);
      assert.equal((await post({ authorization: `Bearer ${s.apiKey}` })).status, 201);
    } finally {
      await s.close();
    }
  });
});

describe('remembered consent keys', () => {
  const settle = () => new Promise((r) => setTimeout(r, 50));

  /** A consent key and a verifier remembering answers for 5 s, on a fresh store with its change feed. */
  async function withRememberedKey(fn: (t: { store: TestStore; feed: ChangeFeed; clock: ManualClock; id: string; key: string; keys: ReturnType<typeof createConsentKeyVerifier> }) => Promise<void>): Promise<void> {
    const store = await createTestStore('sqlite');
    const feed = await createChangeFeed({ dialect: 'sqlite' });
    try {
      const clock = createManualClock('2026-04-01T09:00:00+09:00');
      const { id, key } = await createConsentApiKey(store.db, clock, { label: 'app', actor: 'cli' });
      await fn({ store, feed, clock, id, key, keys: createConsentKeyVerifier(store.db, clock, { cacheMs: 5000, changes: feed }) });
    } finally {
      await feed.close();
      await store.drop();
    }
  }

  test('a key in use is verified again before its remembered answer expires, so the hot path never misses it', () =>
    withRememberedKey(async ({ clock, id, key, keys }) => {
      assert.equal(keys.cached(key), undefined);
      assert.equal(await keys.verify(key), id);
      clock.advance(3000);
      assert.equal(keys.cached(key), id); // not yet in the last second: nothing read
      clock.advance(1500);
      assert.equal(keys.cached(key), id); // in the last second: answered, and read again behind the answer
      await settle();
      clock.advance(1000); // past the first answer's 5 s
      assert.equal(keys.cached(key), id, 'the key fell out of memory although it was in use');
      clock.advance(6000); // not asked about for longer than 5 s: forgotten
      assert.equal(keys.cached(key), undefined);
    }));

  test('a revocation heard while a key is being verified again is not lost', () =>
    withRememberedKey(async ({ store, feed, clock, id, key, keys }) => {
      assert.equal(await keys.verify(key), id);
      clock.advance(4500);
      assert.equal(keys.cached(key), id); // starts the lookup again, which reads the key before the revocation
      feed.changedHere('consent_keys', id); // another instance's revocation is heard while that lookup is out
      await store.db.updateTable('consent_api_keys').set({ revoked_at: clock.now().toISOString() }).where('id', '=', id).execute();
      await settle();
      assert.equal(keys.cached(key), undefined);
      assert.equal(await keys.verify(key), null);
    }));
});
