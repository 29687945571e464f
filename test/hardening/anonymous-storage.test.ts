import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { purgeUnconfirmedRequests } from '../../src/requests/unconfirmed-purge.ts';
import { storeDialects } from '../support/stores.ts';
import { codeFromMail, errorCode, HOSTING_POLICY, startApp } from '../requests/request-test-kit.ts';
import { file, storedBytes, withEnv } from './upload-kit.ts';

const MB = 1024 * 1024;

const withQuotas = <T>(quotas: Record<string, number> | undefined, fn: () => Promise<T>): Promise<T> => withEnv({ MAMORI_UPLOAD_QUOTAS: quotas ? JSON.stringify(quotas) : process.env.MAMORI_UPLOAD_QUOTAS }, fn);

describe('anonymous storage exhaustion', () => {
  test('six parallel filings of 10 proofs × 10 MB are refused at the 20 MB filing cap while read: nothing stored, memory bounded', { timeout: 120_000 }, async () => {
    const app = await startApp('sqlite', HOSTING_POLICY);
    try {
      global.gc?.();
      const base = process.memoryUsage().rss;
      let peak = base;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 20);
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => file(app, `flood${i}@example.jp`, 10, 10 * MB - 1024)));
      clearInterval(sampler);
      for (const r of results) {
        assert.equal(r.status, 413, JSON.stringify(r.json));
        assert.equal(errorCode(r.json), 'MAMORI_REQUEST_UPLOAD_TOTAL_TOO_LARGE');
      }
      assert.equal(await storedBytes(app), 0);
      const growthMb = Math.round((peak - base) / MB);
      console.log(`# six parallel 100 MB filings: all 413, 0 bytes stored, rss growth ${growthMb} MB (was 898 MB peak before the cap)`);
      assert.ok(growthMb < 400, `memory grew by ${growthMb} MB`);
    } finally {
      await app.close();
    }
  });

  for (const dialect of storeDialects) {
    test(`per-address and per-email byte quotas refuse with 429 before anything is stored (${dialect})`, { timeout: 60_000 }, async () => {
      const app = await withQuotas({ perFilingBytes: 3 * MB, perEmailBytes: 3.5 * MB, perIpBytes: 6.5 * MB }, () => startApp(dialect, HOSTING_POLICY));
      try {
        assert.equal((await file(app, 'one@example.jp', 2, MB)).status, 201);
        assert.equal((await file(app, 'one@example.jp', 1, MB)).status, 201);
        const emailFull = await file(app, 'ONE@example.jp', 1, MB);
        assert.equal(emailFull.status, 429, JSON.stringify(emailFull.json));
        assert.equal(errorCode(emailFull.json), 'MAMORI_REQUEST_UPLOAD_QUOTA');
        assert.equal((await file(app, 'two@example.jp', 2, MB)).status, 201);
        const ipFull = await file(app, 'three@example.jp', 2, MB);
        assert.equal(ipFull.status, 429, JSON.stringify(ipFull.json));
        assert.equal(errorCode(ipFull.json), 'MAMORI_REQUEST_UPLOAD_QUOTA');
        const stored = await storedBytes(app);
        assert.ok(stored <= 6.5 * MB, `stored ${stored}`);
        // A day later the allowance is back.
        app.clock.advance(24 * 3600_000 + 1000);
        assert.equal((await file(app, 'three@example.jp', 1, MB)).status, 201);
      } finally {
        await app.close();
      }
    });

    test(`unconfirmed filings and their proofs are purged after 24 h, audited; confirmed ones are kept (${dialect})`, { timeout: 60_000 }, async () => {
      const app = await startApp(dialect, HOSTING_POLICY);
      try {
        const stale = await file(app, 'stale@example.jp', 2, 100_000);
        const kept = await file(app, 'kept@example.jp', 1, 100_000);
        assert.equal(stale.status, 201);
        assert.equal(kept.status, 201);
        const code = await codeFromMail(app, 'kept@example.jp');
        const ok = await fetch(`${app.url}/api/v1/requests/${String(kept.json.id)}/verify`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-token': String(kept.json.token) }, body: JSON.stringify({ code }) });
        assert.equal(ok.status, 200);
        app.clock.advance(23 * 3600_000);
        assert.deepEqual(await purgeUnconfirmedRequests(app.store, app.clock), { requests: 0, files: 0, bytes: 0 }, 'nothing before 24 h');
        app.clock.advance(2 * 3600_000);
        const purged = await purgeUnconfirmedRequests(app.store, app.clock);
        assert.equal(purged.requests, 1);
        assert.equal(purged.files, 2);
        const left = await app.store.db.selectFrom('requests').select('id').execute();
        assert.deepEqual(left.map((r) => r.id), [String(kept.json.id)]);
        const files = await app.store.db.selectFrom('request_files').select('request_id').execute();
        assert.ok(files.every((f) => f.request_id === String(kept.json.id)) && files.length === 1);
        const audit = await app.store.db.selectFrom('audit_events').selectAll().where('action', '=', 'request.unconfirmed_purged').execute();
        assert.equal(audit.length, 1);
        assert.equal(audit[0]?.target_id, String(stale.json.id));
        assert.doesNotMatch(JSON.stringify(audit[0]), /stale@example/);
      } finally {
        await app.close();
      }
    });
  }
});
