import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describeAuditProblem, verifyAuditChain } from '../../src/audit/audit-log.ts';
import { startServer } from '../../src/server.ts';
import { storeDialects, createTestStore, type TestStore } from '../support/stores.ts';
import { parsedPolicy } from '../staff/console-helpers.ts';

async function serve(store: TestStore, secret: Buffer) {
  return startServer({ policy: parsedPolicy('examples/misskey-server/policy.yaml'), store, env: {}, outboxIntervalMs: 0, config: { port: 0, host: '127.0.0.1', secret, dataDir: mkdtempSync(join(tmpdir(), 'mamori-audit-')) } });
}

async function fileSome(url: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${url}/api/v1/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'purpose_notice', email: `a${i}@example.jp`, lang: 'ja' }) });
    assert.equal(r.status, 201);
  }
}

for (const dialect of storeDialects) {
  describe(`audit integrity (${dialect})`, () => {
    test('a server started with another MAMORI_SECRET than the store was signed with refuses to start, naming the mismatch', async () => {
      const store = await createTestStore(dialect);
      try {
        const first = await serve(store, Buffer.alloc(32, 1));
        await fileSome(first.url, 2);
        await first.close();
        await assert.rejects(serve(store, Buffer.alloc(32, 2)), (err: unknown) => err instanceof Error && 'code' in err && err.code === 'MAMORI_SECRET_MISMATCH' && /MAMORI_SECRET does not match/.test(err.message));
        const again = await serve(store, Buffer.alloc(32, 1));
        assert.equal((await verifyAuditChain(again.ctx.store.db)).ok, true, 'the original secret still works and nothing was re-signed');
        await again.close();
      } finally {
        await store.drop();
      }
    });

    test('a wiped log (every row and the head) fails when the store shows it was used; a deleted first row is named', async () => {
      const store = await createTestStore(dialect);
      try {
        const server = await serve(store, Buffer.alloc(32, 1));
        await fileSome(server.url, 3);
        const db = server.ctx.store.db;
        await sql`delete from audit_events where seq = 1`.execute(db);
        const firstGone = await verifyAuditChain(db);
        assert.equal(firstGone.ok, false);
        assert.deepEqual(firstGone.problems.map(describeAuditProblem), ['the first 1 row(s) were deleted (the log starts at row 2)']);
        await sql`delete from audit_events`.execute(db);
        await sql`delete from audit_head`.execute(db);
        const wiped = await verifyAuditChain(db);
        assert.equal(wiped.ok, false);
        assert.equal(wiped.problems[0]?.kind, 'wiped');
        assert.match(describeAuditProblem(wiped.problems[0]!), /empty although the store was used \(3 requests/);
        await server.close();
        const fresh = await createTestStore(dialect);
        try {
          assert.deepEqual(await verifyAuditChain(fresh.db), { ok: true, count: 0, problems: [] }, 'an unused store is intact with 0 events');
        } finally {
          await fresh.drop();
        }
      } finally {
        await store.drop();
      }
    });
  });
}
