import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createManualClock } from '../../src/clock.ts';
import { appendAudit, auditChainHead, exportAuditJsonl, hashAuditEvent, verifyAuditChain, verifyAuditExport } from '../../src/audit/audit-log.ts';
import { createTestStore, storeDialects, type TestStore } from '../support/stores.ts';

const run = promisify(execFile);

async function seed(store: TestStore, n: number): Promise<void> {
  const clock = createManualClock('2026-04-01T00:00:00Z');
  for (let i = 1; i <= n; i++) {
    clock.advance(1000);
    await store.db.transaction().execute((trx) => appendAudit(trx, clock, { actor: 'system', action: 'test.event', targetType: 'test', targetId: `t${i}`, data: { i } }));
  }
}

async function row(store: TestStore, seq: number) {
  return store.db.selectFrom('audit_events').selectAll().where('seq', '=', seq).executeTakeFirstOrThrow();
}

function hashOf(r: { prev_hash: string; seq: number; id: string; at: string; actor: string; action: string; target_type: string; target_id: string | null; data: string }, seq = r.seq): string {
  return hashAuditEvent(r.prev_hash, { seq, id: r.id, at: r.at, actor: r.actor, action: r.action, targetType: r.target_type, targetId: r.target_id, data: JSON.parse(r.data) as Record<string, unknown> });
}

for (const dialect of storeDialects) {
  describe(`audit chain tampering (${dialect})`, () => {
    test('names an edited row whose content no longer matches its hash', async () => {
      const store = await createTestStore(dialect);
      try {
        await seed(store, 6);
        assert.equal((await verifyAuditChain(store.db)).ok, true);
        await sql`update audit_events set actor = ${'staff:intruder'} where seq = 3`.execute(store.db);
        const r = await verifyAuditChain(store.db);
        assert.deepEqual(r.problems, [{ kind: 'edited', seq: 3, id: (await row(store, 3)).id }]);
      } finally {
        await store.drop();
      }
    });

    test('names an edited row even when its hash was recomputed', async () => {
      const store = await createTestStore(dialect);
      try {
        await seed(store, 6);
        const r3 = await row(store, 3);
        const forged = { ...r3, data: '{"i":333}' };
        await sql`update audit_events set data = ${forged.data}, hash = ${hashOf(forged)} where seq = 3`.execute(store.db);
        const r = await verifyAuditChain(store.db);
        assert.deepEqual(r.problems.map((p) => [p.kind, 'seq' in p ? p.seq : null]), [['edited', 3]]);
      } finally {
        await store.drop();
      }
    });

    test('names a deleted row in the middle and how many are missing', async () => {
      const store = await createTestStore(dialect);
      try {
        await seed(store, 6);
        await sql`delete from audit_events where seq in (3, 4)`.execute(store.db);
        const r = await verifyAuditChain(store.db);
        assert.deepEqual(r.problems, [{ kind: 'deleted', afterSeq: 2, beforeSeq: 5, missing: 2 }]);
      } finally {
        await store.drop();
      }
    });

    test('names a deletion whose gap was closed by renumbering the later rows', async () => {
      const store = await createTestStore(dialect);
      try {
        await seed(store, 6);
        await sql`delete from audit_events where seq = 3`.execute(store.db);
        for (const s of [4, 5, 6]) await sql`update audit_events set seq = ${s - 1} where seq = ${s}`.execute(store.db);
        const r = await verifyAuditChain(store.db);
        assert.deepEqual(r.problems, [
          { kind: 'deleted', afterSeq: 2, beforeSeq: 3, missing: 1 },
          { kind: 'renumbered', fromSeq: 3, toSeq: 5, offset: -1 },
        ]);
      } finally {
        await store.drop();
      }
    });

    test('names a row inserted in the middle with a valid-looking hash', async () => {
      const store = await createTestStore(dialect);
      try {
        await seed(store, 5);
        for (const s of [5, 4, 3]) await sql`update audit_events set seq = ${s + 1} where seq = ${s}`.execute(store.db);
        const r2 = await row(store, 2);
        const fake = { seq: 3, id: 'aud_forged', at: '2026-04-01T00:00:02.500Z', actor: 'system', action: 'test.event', target_type: 'test', target_id: 'x', data: '{"i":0}', prev_hash: r2.hash };
        await store.db.insertInto('audit_events').values({ ...fake, hash: hashOf({ ...fake }) }).execute();
        const r = await verifyAuditChain(store.db);
        assert.deepEqual(r.problems, [
          { kind: 'inserted', seq: 3, id: 'aud_forged' },
          { kind: 'renumbered', fromSeq: 4, toSeq: 6, offset: 1 },
        ]);
      } finally {
        await store.drop();
      }
    });

    test('flags a row appended with a forged link (at the broken link between rows 3 and 4)', async () => {
      const store = await createTestStore(dialect);
      try {
        await seed(store, 3);
        const fake = { seq: 4, id: 'aud_tail', at: '2026-04-02T00:00:00.000Z', actor: 'system', action: 'test.event', target_type: 'test', target_id: 'x', data: '{}', prev_hash: 'f'.repeat(64) };
        await store.db.insertInto('audit_events').values({ ...fake, hash: hashOf(fake) }).execute();
        const r = await verifyAuditChain(store.db);
        assert.deepEqual(r.problems.map((p) => p.kind), ['edited']);
        // An intact row with an unknown predecessor is reported on the predecessor's side only when the row itself
        // is intact; the forged tail is intact, so the report points at row 3 or row 4: both are named by seq.
        assert.ok(r.problems.every((p) => 'seq' in p && (p.seq === 3 || p.seq === 4)));
      } finally {
        await store.drop();
      }
    });

    test('detects truncation of the newest rows against a recorded head', async () => {
      const store = await createTestStore(dialect);
      try {
        await seed(store, 4);
        const head = await auditChainHead(store.db);
        assert.ok(head);
        assert.equal((await verifyAuditChain(store.db, { expectHead: head })).ok, true);
        await sql`delete from audit_events where seq = 4`.execute(store.db);
        assert.equal((await verifyAuditChain(store.db)).ok, true, 'a shorter chain is valid by itself');
        const r = await verifyAuditChain(store.db, { expectHead: head });
        assert.deepEqual(r.problems, [{ kind: 'truncated', lastSeq: 3, expectedSeq: 4 }]);
      } finally {
        await store.drop();
      }
    });
  });
}

describe('audit export', () => {
  test('an export verifies offline, and an edited or removed line is named', async () => {
    const store = await createTestStore('sqlite');
    try {
      await seed(store, 5);
      const lines: string[] = [];
      for await (const l of exportAuditJsonl(store.db)) lines.push(l);
      assert.deepEqual(await verifyAuditExport(lines), { ok: true, count: 5, problems: [] });
      const edited = lines.map((l, i) => (i === 1 ? l.replace('"i":2', '"i":20') : l));
      assert.deepEqual((await verifyAuditExport(edited)).problems.map((p) => [p.kind, 'seq' in p ? p.seq : null]), [['edited', 2]]);
      const removed = lines.filter((_, i) => i !== 2);
      assert.deepEqual((await verifyAuditExport(removed)).problems, [{ kind: 'deleted', afterSeq: 2, beforeSeq: 4, missing: 1 }]);
    } finally {
      await store.drop();
    }
  });
});

describe('mamori audit CLI', () => {
  test('verify exits 0 on an intact log and 1 naming each tampered row; export writes JSONL', async () => {
    const store = await createTestStore('sqlite');
    try {
      await seed(store, 4);
      const env = { ...process.env, DATABASE_URL: store.url, NODE_ENV: 'test' };
      const ok = await run(process.execPath, ['bin/mamori.js', 'audit', 'verify'], { env });
      assert.match(ok.stdout, /intact: 4 event/);

      const out = join(mkdtempSync(join(tmpdir(), 'mamori-audit-')), 'audit.jsonl');
      await run(process.execPath, ['bin/mamori.js', 'audit', 'export', '--out', out], { env });
      const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; hash: string; data: { i: number } });
      assert.deepEqual(lines.map((l) => l.seq), [1, 2, 3, 4]);
      assert.equal(lines[1]?.data.i, 2);
      const offline = await run(process.execPath, ['bin/mamori.js', 'audit', 'verify', '--file', out], { env });
      assert.match(offline.stdout, /intact: 4 event/);

      await sql`update audit_events set data = ${'{"i":7}'} where seq = 2`.execute(store.db);
      await sql`delete from audit_events where seq = 3`.execute(store.db);
      await assert.rejects(run(process.execPath, ['bin/mamori.js', 'audit', 'verify'], { env }), (err: { code: number; stderr: string }) => {
        assert.equal(err.code, 1);
        assert.match(err.stderr, /row 2 \(aud_\w+\) was edited/);
        assert.match(err.stderr, /1 row\(s\) deleted between row 2 and row 4/);
        return true;
      });
    } finally {
      await store.drop();
    }
  });
});
