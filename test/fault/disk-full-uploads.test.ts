import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTING_POLICY, errorCode, startApp } from '../requests/request-test-kit.ts';
import { file, storedBytes, withEnv } from '../hardening/upload-kit.ts';

const MB = 1024 * 1024;

/** A 2 MB tmpfs for the upload spool (needs root, as on the CI machine); undefined where mounting is not allowed. */
function tinyDisk(): { dir: string; release(): void } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    release() {
      execFileSync('umount', [dir], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const disk = tinyDisk();

describe('disk full while an upload is stored', () => {
  test('a filing whose proofs do not fit on the spool\'s disk fails with 507 in mamori\'s format, nothing half-stored, and the server keeps serving', { skip: disk ? false : 'mounting a tmpfs is not allowed here (needs root)', timeout: 120_000 }, async () => {
    if (!disk) return;
    const app = await withEnv({ MAMORI_UPLOAD_SPOOL_DIR: disk.dir }, () => startApp('sqlite', HOSTING_POLICY));
    try {
      const full = await file(app, 'full@example.jp', 2, 3 * MB);
      assert.equal(full.status, 507, JSON.stringify(full.json));
      assert.equal(errorCode(full.json), 'MAMORI_STORAGE_FULL');
      assert.match(String((full.json.error as { requestId?: unknown }).requestId), /\S/);
      assert.doesNotMatch(JSON.stringify(full.json), /ENOSPC|tmpfs|mamori-full/);
      // Nothing half-stored: no request, no file, no partial spool file, no bytes charged.
      assert.equal(await storedBytes(app), 0);
      assert.equal((await app.store.db.selectFrom('requests').select('id').execute()).length, 0);
      assert.deepEqual(readdirSync(disk.dir), []);
      assert.equal((await app.store.db.selectFrom('request_rate_limits').select('bucket').execute()).length, 0);
      // Several at once, then a filing that fits: the server is still serving and stores it whole.
      const burst = await Promise.all(Array.from({ length: 4 }, (_, i) => file(app, `full${i}@example.jp`, 1, 3 * MB)));
      for (const r of burst) assert.equal(errorCode(r.json), 'MAMORI_STORAGE_FULL', JSON.stringify(r.json));
      const fits = await file(app, 'fits@example.jp', 1, MB);
      assert.equal(fits.status, 201, JSON.stringify(fits.json));
      assert.equal(await storedBytes(app), MB);
      assert.deepEqual(readdirSync(disk.dir), []);
      assert.equal((await fetch(`${app.url}/healthz`)).status, 200);
    } finally {
      await app.close();
      disk.release();
    }
  });
});
