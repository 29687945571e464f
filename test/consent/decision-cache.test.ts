import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../src/store/store.ts';
import { storeDialects } from '../support/stores.ts';
import { waitUntil } from '../scale/scale-kit.ts';
import { anonId, startConsentServer, type ConsentTestServer } from './consent-server.ts';

// Decisions are answered from a cache of each subject's rows (and of the JSON made from them) on both dialects.
// A generous bound for a change made outside the process: the promise is ≤ 1 s, measured by bench/scale-bench.ts.
const BOUND_MS = 5000;

function client(s: ConsentTestServer) {
  const auth = { authorization: `Bearer ${s.apiKey}` };
  return {
    async decision(subject: string, purpose: string): Promise<{ allowed: boolean; basis: string; tools?: Record<string, boolean> }> {
      const res = await fetch(`${s.url}/api/v1/decisions?subject=${subject}&purpose=${purpose}`, { headers: auth });
      assert.equal(res.status, 200);
      return (await res.json()) as { allowed: boolean; basis: string; tools?: Record<string, boolean> };
    },
    async choose(subject: string, choices: Record<string, boolean>, tools?: Record<string, Record<string, boolean>>): Promise<void> {
      const res = await fetch(`${s.url}/api/v1/consents`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ subject, choices, ...(tools ? { tools } : {}), method: 'api' }) });
      assert.equal(res.status, 201, await res.text());
    },
  };
}

for (const dialect of storeDialects) {
  describe(`remembered decisions (${dialect})`, () => {
    test('a remembered answer gives way to the next choice at once, on the instance that recorded it', async () => {
      const s = await startConsentServer(dialect);
      try {
        const c = client(s);
        const subject = anonId();
        assert.deepEqual(await c.decision(subject, 'analytics'), await c.decision(subject, 'analytics')); // remembered now
        assert.equal((await c.decision(subject, 'analytics')).basis, 'no_consent');
        await c.choose(subject, { analytics: true });
        const now = await c.decision(subject, 'analytics');
        assert.deepEqual([now.allowed, now.basis, now.tools], [true, 'consent', { ga: true }]);
        await c.choose(subject, { analytics: true }, { analytics: { ga: false } });
        assert.deepEqual((await c.decision(subject, 'analytics')).tools, { ga: false });
        await c.choose(subject, { analytics: false });
        assert.equal((await c.decision(subject, 'analytics')).basis, 'refused');
        assert.equal((await c.decision(subject, 'error_reports')).basis, 'opt_out_default', 'another purpose of the same subject is its own answer');
      } finally {
        await s.close();
      }
    });
  });
}

test('on SQLite, a choice committed to the file by another connection reaches the remembered decisions', async () => {
  const s = await startConsentServer('sqlite');
  const other = await openStore(s.store.url); // as a CLI command or a second process would: its own connection
  try {
    const c = client(s);
    const subject = anonId();
    for (let i = 0; i < 3; i += 1) assert.equal((await c.decision(subject, 'error_reports')).allowed, true); // remembered (from the second ask on)
    await other.db.insertInto('consent_preferences').values({ subject, purpose: 'error_reports', allowed: 0, policy_version: 'v-outside', method: 'api', receipt_id: 'rcp_outside', updated_at: new Date().toISOString() }).execute();
    const took = await waitUntil(async () => (await c.decision(subject, 'error_reports')).basis === 'refused', BOUND_MS);
    assert.notEqual(took, null, 'the decision still answered what the cache remembered before the other connection wrote');
  } finally {
    await other.close();
    await s.close();
  }
});
