import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PG_ADMIN_URL } from '../support/stores.ts';
import { errorCode, MISSKEY_POLICY, postJson, startApp } from '../requests/request-test-kit.ts';

const many = { limit: 100_000, windowMs: 3_600_000 };

/** Terminates every backend of one database from another connection (never the server itself). */
async function terminateBackends(database: string): Promise<number> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    const r = await admin.query('select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
    return r.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

describe('PostgreSQL backends terminated under load', () => {
  test('in-flight requests get 503 with Retry-After in mamori format, acknowledged filings are all kept, the server keeps serving', { timeout: 90_000 }, async () => {
    const saved = process.env.MAMORI_REQUEST_LIMITS;
    process.env.MAMORI_REQUEST_LIMITS = JSON.stringify({ filingsPerIp: many, filingsPerEmail: many });
    const app = await startApp('postgres', MISSKEY_POLICY).finally(() => {
      if (saved === undefined) delete process.env.MAMORI_REQUEST_LIMITS;
      else process.env.MAMORI_REQUEST_LIMITS = saved;
    });
    const database = new URL(app.store.url).pathname.slice(1);
    const crashes: unknown[] = [];
    const onCrash = (err: unknown) => crashes.push(err);
    process.on('uncaughtException', onCrash);
    try {
      const acknowledged: string[] = [];
      const statuses = new Map<number, number>();
      let terminated = 0;
      let n = 0;
      const deadline = Date.now() + 8_000;
      const worker = async () => {
        while (Date.now() < deadline) {
          const i = n++;
          const res = await fetch(`${app.url}/api/v1/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'disclosure', email: `p${i % 50}@example.jp`, description: `fault ${i}` }) });
          const json = (await res.json()) as Record<string, unknown>;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 201 && typeof json.id === 'string') acknowledged.push(json.id);
          else {
            assert.equal(res.status, 503, `unexpected ${res.status} ${JSON.stringify(json)}`);
            assert.equal(errorCode(json), 'MAMORI_DATABASE_UNAVAILABLE');
            assert.ok(res.headers.get('retry-after'), 'a 503 says when to retry');
          }
        }
      };
      const killer = async () => {
        for (let k = 0; k < 7 && Date.now() < deadline - 500; k++) {
          await new Promise((r) => setTimeout(r, 600));
          terminated += await terminateBackends(database);
        }
      };
      const t0 = Date.now();
      await Promise.all([worker(), worker(), worker(), worker(), worker(), worker(), killer()]);
      console.log(`# burst took ${Date.now() - t0} ms`);
      assert.ok(terminated > 0, 'backends were terminated');
      assert.deepEqual(crashes, []);
      // The pool has reconnected: the next requests succeed.
      const after = await postJson(`${app.url}/api/v1/requests`, { kind: 'disclosure', email: 'after@example.jp', description: 'after' });
      assert.equal(after.status, 201);
      const health = await fetch(`${app.url}/healthz`);
      assert.equal(health.status, 200);
      const stored = new Set((await app.store.db.selectFrom('requests').select('id').execute()).map((r) => r.id));
      const lost = acknowledged.filter((id) => !stored.has(id));
      assert.deepEqual(lost, [], 'every acknowledged filing is stored');
      console.log(`# faults: ${n} filings, ${terminated} backends terminated, statuses ${JSON.stringify(Object.fromEntries(statuses))}, lost 0, crashes 0`);
    } finally {
      process.off('uncaughtException', onCrash);
      await app.close();
    }
  });
});
