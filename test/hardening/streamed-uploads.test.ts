import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { uploadSpoolFor } from '../../src/http/anonymous-uploads.ts';
import { errorCode, HOSTING_POLICY, startApp } from '../requests/request-test-kit.ts';
import { file, storedBytes, withEnv } from './upload-kit.ts';

const MB = 1024 * 1024;

describe('anonymous uploads are streamed to the spool', () => {
  test('six parallel filings of 20 MB each are all stored, with at most one filing\'s bytes in memory at a time and nothing left on the spool', { timeout: 180_000 }, async () => {
    const app = await withEnv({ MAMORI_UPLOAD_QUOTAS: JSON.stringify({ perIpBytes: 1000 * MB, perEmailBytes: 1000 * MB }) }, () => startApp('sqlite', HOSTING_POLICY));
    try {
      const spool = uploadSpoolFor(app.server.ctx);
      const perFile = 10 * MB - 4096;
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => file(app, `big${i}@example.jp`, 2, perFile)));
      for (const r of results) assert.equal(r.status, 201, JSON.stringify(r.json));
      assert.equal(await storedBytes(app), 6 * 2 * perFile);
      // The bytes of all six filings went through memory one filing at a time, never together.
      assert.equal(spool.stats().peakBytesInMemory, 2 * perFile);
      assert.equal(spool.stats().bytesInMemory, 0);
      assert.deepEqual(readdirSync(spool.dir), []);
      // What was stored is what was sent.
      const stored = await app.store.db.selectFrom('request_files').select(['size', 'sha256']).execute();
      assert.equal(stored.length, 12);
      assert.ok(stored.every((f) => Number(f.size) === perFile));
    } finally {
      await app.close();
    }
  });

  test('a filing over the 20 MB cap is refused with 413 in mamori\'s format while read: nothing stored, nothing spooled, nothing charged', { timeout: 60_000 }, async () => {
    const app = await startApp('sqlite', HOSTING_POLICY);
    try {
      const spool = uploadSpoolFor(app.server.ctx);
      const over = await file(app, 'over@example.jp', 3, 8 * MB);
      assert.equal(over.status, 413, JSON.stringify(over.json));
      assert.equal(errorCode(over.json), 'MAMORI_REQUEST_UPLOAD_TOTAL_TOO_LARGE');
      assert.match(String((over.json.error as { requestId?: unknown }).requestId), /\S/);
      assert.equal(await storedBytes(app), 0);
      assert.deepEqual(readdirSync(spool.dir), []);
      assert.equal(spool.stats().peakBytesInMemory, 0, 'a refused body is never loaded');
      assert.equal((await app.store.db.selectFrom('requests').select('id').execute()).length, 0);
      assert.equal((await app.store.db.selectFrom('request_rate_limits').select('bucket').where('bucket', 'like', '%').execute()).length, 0);
      // The server keeps serving.
      assert.equal((await file(app, 'after@example.jp', 1, MB)).status, 201);
    } finally {
      await app.close();
    }
  });
});
