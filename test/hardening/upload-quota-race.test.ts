import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { storeDialects } from '../support/stores.ts';
import { errorCode, HOSTING_POLICY, startApp } from '../requests/request-test-kit.ts';
import { file, storedBytes, withEnv } from './upload-kit.ts';

const MB = 1024 * 1024;

/**
 * The byte quotas are charged in one conditional statement per bucket, inside one transaction: parallel filings
 * cannot all pass a check made before any of them was charged.
 */
for (const dialect of storeDialects) {
  describe(`upload quotas under parallel filings (${dialect})`, () => {
    test('eight parallel 2 MB filings from one address against a 5 MB address quota: at most 4 MB accepted', { timeout: 120_000 }, async () => {
      const app = await withEnv({ MAMORI_UPLOAD_QUOTAS: JSON.stringify({ perFilingBytes: 3 * MB, perIpBytes: 5 * MB, perEmailBytes: 100 * MB }) }, () => startApp(dialect, HOSTING_POLICY));
      try {
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => file(app, `race${i}@example.jp`, 1, 2 * MB)));
        const accepted = results.filter((r) => r.status === 201);
        for (const r of results.filter((x) => x.status !== 201)) {
          assert.equal(r.status, 429, JSON.stringify(r.json));
          assert.equal(errorCode(r.json), 'MAMORI_REQUEST_UPLOAD_QUOTA');
        }
        assert.equal(accepted.length, 2, `accepted ${accepted.length} of 8`);
        const stored = await storedBytes(app);
        assert.ok(stored <= 5 * MB, `stored ${stored} bytes over a ${5 * MB}-byte quota`);
        assert.equal(stored, 4 * MB);
      } finally {
        await app.close();
      }
    });

    test('eight parallel 2 MB filings for one email (any case) against a 5 MB email quota: at most 4 MB accepted', { timeout: 120_000 }, async () => {
      const app = await withEnv({ MAMORI_UPLOAD_QUOTAS: JSON.stringify({ perFilingBytes: 3 * MB, perIpBytes: 100 * MB, perEmailBytes: 5 * MB }) }, () => startApp(dialect, HOSTING_POLICY));
      try {
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => file(app, i % 2 ? 'Same@Example.jp' : 'same@example.jp', 1, 2 * MB)));
        assert.equal(results.filter((r) => r.status === 201).length, 2, JSON.stringify(results.map((r) => r.status)));
        assert.ok(results.every((r) => r.status === 201 || errorCode(r.json) === 'MAMORI_REQUEST_UPLOAD_QUOTA'));
        assert.equal(await storedBytes(app), 4 * MB);
      } finally {
        await app.close();
      }
    });
  });
}
