import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createManualClock } from '../../src/clock.ts';
import { appendAudit, hashAuditEvent, registerAuditKey, verifyAuditChain, verifyAuditLog } from '../../src/audit/audit-log.ts';
import { auditKeyOf } from '../../src/audit/audit-key.ts';
import { openStore } from '../../src/store/store.ts';
import { createTestStore, storeDialects, type TestStore } from '../support/stores.ts';

const run = promisify(execFile);
const SECRET = Buffer.alloc(32, 7);

async function seed(store: TestStore, n: number, clock = createManualClock('2026-04-01T00:00:00Z')): Promise<void> {
  for (let i = 1; i <= n; i++) {
    clock.advance(1000);
    await store.db.transaction().execute((trx) => appendAudit(trx, clock, { actor: 'system', action: 'test.event', targetType: 'test', targetId: `t${i}`, data: { i } }));
  }
}

async function row(store: TestStore, seq: number) {
  return store.db.selectFrom('audit_events').selectAll().where('seq', '=', seq).executeTakeFirstOrThrow();
}

function hashOf(r: { prev_hash: string; seq: number; id: string; at: string; actor: string; action: string; target_type: string; target_id: string | null; data: string }): string {
  return hashAuditEvent(r.prev_hash, { seq: r.seq, id: r.id, at: r.at, actor: r.actor, action: r.action, targetType: r.target_type, targetId: r.target_id, data: JSON.parse(r.data) as Record<string, unknown> });
}

function kinds(r: { problems: Array<{ kind: string } & Partial<{ seq: number }>> }): Array<[string, number | null]> {
  return r.problems.map((p) => [p.kind, p.seq ?? null]);
}

async function keyedStore(dialect: 'sqlite' | 'postgres'): Promise<TestStore> {
  const store = await createTestStore(dialect);
  registerAuditKey(store.db, SECRET);
  return store;
}

describe('audit key registry', () => {
  test('a key registered on the store reaches its transactions and plugin views, not another store', async () => {
    const a = await createTestStore('sqlite');
    const b = await openStore(':memory:');
    try {
      assert.equal(auditKeyOf(a.db), undefined);
      registerAuditKey(a.db, SECRET);
      const key = auditKeyOf(a.db);
      assert.ok(key);
      await a.db.transaction().execute(async (trx) => {
        assert.equal(auditKeyOf(trx), key);
      });
      assert.equal(auditKeyOf(a.db.withoutPlugins()), key);
      assert.equal(auditKeyOf(b.db), undefined);
      assert.notDeepEqual(key.macKey, SECRET, 'the MAC key is derived, not the secret itself');
    } finally {
      await a.drop();
      await b.close();
    }
  });
});

for (const dialect of storeDialects) {
  describe(`signed audit head (${dialect})`, () => {
    test('an untouched signed chain verifies with the anchor checked', async () => {
      const store = await keyedStore(dialect);
      try {
        await seed(store, 5);
        const r = await verifyAuditLog(store.db);
        assert.deepEqual(r, { ok: true, count: 5, problems: [], anchor: 'verified' });
        const head = await store.db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
        assert.equal(head.seq, 5);
        assert.equal(head.hash, (await row(store, 5)).hash);
      } finally {
        await store.drop();
      }
    });

    test('deleting the newest rows is detected without an external head, and stays visible after the next append', async () => {
      const store = await keyedStore(dialect);
      try {
        const clock = createManualClock('2026-04-01T00:00:00Z');
        await seed(store, 6, clock);
        await sql`delete from audit_events where seq >= 5`.execute(store.db);
        assert.deepEqual((await verifyAuditChain(store.db)).problems, [{ kind: 'truncated', lastSeq: 4, expectedSeq: 6 }]);
        // The next append links to the signed head, so the gap cannot be papered over.
        await seed(store, 1, clock);
        const after = await verifyAuditChain(store.db);
        assert.deepEqual(after.problems, [{ kind: 'deleted', afterSeq: 4, beforeSeq: 7, missing: 2 }]);
      } finally {
        await store.drop();
      }
    });

    test('a row rewritten with a recomputed hash is named by its MAC', async () => {
      const store = await keyedStore(dialect);
      try {
        await seed(store, 5);
        // Rewrite row 3 and recompute every later hash so the chain itself is valid again, and move the head hash.
        let prev = (await row(store, 2)).hash;
        for (const s of [3, 4, 5]) {
          const r = await row(store, s);
          const forged = { ...r, prev_hash: prev, data: s === 3 ? '{"i":333}' : r.data };
          const hash = hashOf(forged);
          await sql`update audit_events set data = ${forged.data}, prev_hash = ${prev}, hash = ${hash} where seq = ${s}`.execute(store.db);
          prev = hash;
        }
        await sql`update audit_head set hash = ${prev}`.execute(store.db);
        const r = await verifyAuditChain(store.db);
        assert.deepEqual(kinds(r), [['mac_mismatch', 3], ['mac_mismatch', 4], ['mac_mismatch', 5], ['head_forged', 5]]);
        assert.equal(r.ok, false);
      } finally {
        await store.drop();
      }
    });

    test('a row appended with a valid link is named, whether or not the head was moved', async () => {
      const store = await keyedStore(dialect);
      try {
        await seed(store, 3);
        const r3 = await row(store, 3);
        const fake = { seq: 4, id: 'aud_tail', at: '2026-04-02T00:00:00.000Z', actor: 'system', action: 'test.event', target_type: 'test', target_id: 'x', data: '{}', prev_hash: r3.hash };
        const hash = hashOf(fake);
        await store.db.insertInto('audit_events').values({ ...fake, hash }).execute();
        assert.deepEqual(kinds(await verifyAuditChain(store.db)), [['unanchored', 4]]);
        await sql`update audit_head set seq = 4, hash = ${hash}`.execute(store.db);
        assert.deepEqual(kinds(await verifyAuditChain(store.db)), [['unsigned', 4], ['head_forged', 4]]);
        await sql`update audit_events set row_mac = ${'ab'.repeat(32)} where seq = 4`.execute(store.db);
        assert.deepEqual(kinds(await verifyAuditChain(store.db)), [['mac_mismatch', 4], ['head_forged', 4]]);
      } finally {
        await store.drop();
      }
    });

    test('a forged head is recorded in the chain by the next append before the anchor is replaced', async () => {
      const store = await keyedStore(dialect);
      try {
        const clock = createManualClock('2026-04-01T00:00:00Z');
        await seed(store, 3, clock);
        await sql`update audit_head set mac = ${'00'.repeat(32)}`.execute(store.db);
        assert.deepEqual(kinds(await verifyAuditChain(store.db)), [['head_forged', 3]]);
        await seed(store, 1, clock);
        const r = await verifyAuditChain(store.db);
        assert.deepEqual(r.problems, [{ kind: 'anchor_reset', seq: 4, id: (await row(store, 4)).id, headSeq: 3 }]);
        assert.equal((await row(store, 5)).action, 'test.event');
      } finally {
        await store.drop();
      }
    });

    test('deleting the anchor of a signed chain is named; without a key the anchor is not checked', async () => {
      const store = await keyedStore(dialect);
      try {
        await seed(store, 2);
        const unkeyed = await openStore(store.url);
        try {
          const r = await verifyAuditLog(unkeyed.db);
          assert.deepEqual({ ok: r.ok, anchor: r.anchor }, { ok: true, anchor: 'unchecked' });
          await sql`update audit_head set mac = ${'00'.repeat(32)}`.execute(store.db);
          assert.equal((await verifyAuditChain(unkeyed.db)).ok, true, 'without the key a forged MAC cannot be seen');
        } finally {
          await unkeyed.close();
        }
        await sql`delete from audit_head`.execute(store.db);
        assert.deepEqual((await verifyAuditChain(store.db)).problems, [{ kind: 'head_missing' }]);
      } finally {
        await store.drop();
      }
    });
  });
}

describe('signed audit head under concurrency (postgres)', () => {
  test('20 concurrent appends keep one valid signed chain', async () => {
    const store = await keyedStore('postgres');
    try {
      const clock = createManualClock('2026-04-01T00:00:00Z');
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.db.transaction().execute((trx) => appendAudit(trx, clock, { actor: 'system', action: 'test.concurrent', targetType: 'test', data: { i } }))),
      );
      const r = await verifyAuditLog(store.db);
      assert.deepEqual(r, { ok: true, count: 20, problems: [], anchor: 'verified' });
      const head = await store.db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
      assert.equal(head.seq, 20);
    } finally {
      await store.drop();
    }
  });

  test('verifying while appends commit reports no truncation or rows past the head', async () => {
    const store = await keyedStore('postgres');
    try {
      const clock = createManualClock('2026-04-01T00:00:00Z');
      const appends = Array.from({ length: 20 }, (_, i) => store.db.transaction().execute((trx) => appendAudit(trx, clock, { actor: 'system', action: 'test.concurrent', targetType: 'test', data: { i } })));
      const checks = Array.from({ length: 5 }, () => verifyAuditLog(store.db));
      const results = await Promise.all(checks);
      await Promise.all(appends);
      for (const r of results) assert.deepEqual(r.problems, []);
      assert.deepEqual((await verifyAuditLog(store.db)).count, 20);
    } finally {
      await store.drop();
    }
  });
});

describe('mamori audit verify with the server secret', () => {
  test('names truncation from the signed head, and says when the anchor is not checked', async () => {
    const store = await keyedStore('sqlite');
    try {
      await seed(store, 4);
      const base: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: store.url, NODE_ENV: 'test' };
      const keyed = { ...base, MAMORI_SECRET: SECRET.toString('hex') };
      const ok = await run(process.execPath, ['bin/mamori.js', 'audit', 'verify'], { env: keyed });
      assert.match(ok.stdout, /intact: 4 event/);
      assert.match(ok.stdout, /signed head and row MACs checked/);
      const { MAMORI_SECRET: _unused, ...withoutSecret } = base;
      const noSecret = { ...withoutSecret, MAMORI_DATA_DIR: mkdtempSync(join(tmpdir(), 'mamori-audit-nokey-')) };
      const unchecked = await run(process.execPath, ['bin/mamori.js', 'audit', 'verify'], { env: noSecret });
      assert.match(unchecked.stdout, /head anchor: NOT checked/);
      await sql`delete from audit_events where seq = 4`.execute(store.db);
      await assert.rejects(run(process.execPath, ['bin/mamori.js', 'audit', 'verify'], { env: keyed }), (err: { code: number; stderr: string }) => {
        assert.equal(err.code, 1);
        assert.match(err.stderr, /the newest rows were deleted: the log ends at row 3, expected at least row 4/);
        return true;
      });
      const other = { ...base, MAMORI_SECRET: Buffer.alloc(32, 9).toString('hex') };
      await assert.rejects(run(process.execPath, ['bin/mamori.js', 'audit', 'verify'], { env: other }), (err: { code: number; stderr: string }) => {
        assert.match(err.stderr, /MAMORI_SECRET does not match the secret this store was signed with \(the audit chain's signed head, row 4, and its newest and oldest signed rows do not verify under it\).*\[MAMORI_SECRET_MISMATCH\]/s, 'another secret is refused by name instead of reporting every row as forged');
        return true;
      });
    } finally {
      await store.drop();
    }
  });
});

describe('appends from the CLI join the signed chain', () => {
  test('`mamori user add` between keyed appends signs its row and moves the head', async () => {
    const store = await keyedStore('sqlite');
    try {
      const clock = createManualClock('2026-04-01T00:00:00Z');
      await seed(store, 2, clock);
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: store.url, MAMORI_SECRET: SECRET.toString('hex'), MAMORI_DATA_DIR: mkdtempSync(join(tmpdir(), 'mamori-audit-cli-')), NODE_ENV: 'test' };
      await run(process.execPath, ['bin/mamori.js', 'user', 'add', '--email', 'admin@example.jp', '--role', 'admin'], { env });
      const cliRows = await store.db.selectFrom('audit_events').select(['seq', 'actor', 'row_mac']).where('seq', '>', 2).execute();
      assert.ok(cliRows.length >= 1 && cliRows.every((r) => r.row_mac !== null), 'the CLI signed its rows');
      await seed(store, 1, clock);
      assert.deepEqual(await verifyAuditLog(store.db), { ok: true, count: 3 + cliRows.length, problems: [], anchor: 'verified' });
    } finally {
      await store.drop();
    }
  });
});
