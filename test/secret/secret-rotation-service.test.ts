import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { appendAudit, registerAuditKey, verifyAuditLog } from '../../src/audit/audit-log.ts';
import { createManualClock } from '../../src/clock.ts';
import { openSealedJson, sealJson } from '../../src/connectors/sealed-json.ts';
import { rotateSecret } from '../../src/secret/secret-rotation.ts';
import { storeDialects, createTestStore } from '../support/stores.ts';

const OLD = Buffer.alloc(32, 1);
const NEW = Buffer.alloc(32, 2);

for (const dialect of storeDialects) {
  describe(`secret rotation service (${dialect})`, () => {
    test('connector payloads and results are re-sealed; a forged audit row and a tampered payload are left failing, never vouched for', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-11-30T00:00:00Z');
      try {
        registerAuditKey(store.db, OLD);
        for (let i = 0; i < 5; i++) await appendAudit(store.db, clock, { actor: 'system', action: 'test.event', targetType: 'test', data: { i } });
        const now = clock.now().toISOString();
        const run = (id: string, payload: string) => ({ id, request_id: null, kind: 'access', status: 'done', dry_run: 0, payload_sealed: payload, attempts: 1, lease_owner: null, lease_until: null, created_at: now, updated_at: now, finished_at: now });
        await store.db.insertInto('connector_runs').values([run('run_a', sealJson(OLD, { identities: [{ kind: 'email', value: 'a@example.jp' }] })), run('run_b', sealJson(Buffer.alloc(32, 3), { identities: [] }))]).execute();
        await store.db.insertInto('connector_steps').values({ id: 'stp_a', run_id: 'run_a', dataset: 'app', status: 'done', count: 1, detail_json: '{}', error_code: null, error_message: null, result_sealed: sealJson(OLD, { groups: [{ name: 'users', rows: [{ email: 'a@example.jp' }] }] }), attempts: 1, updated_at: now }).execute();
        // Row 3's MAC is forged (valid hex, wrong key): rotation must not re-sign it.
        await store.db.updateTable('audit_events').set({ row_mac: 'ab'.repeat(32) }).where('seq', '=', 3).execute();

        const result = await rotateSecret({ store, clock, keys: { old: OLD, new: NEW }, batchSize: 2 });
        assert.equal(result.outcome, 'started');
        assert.deepEqual(result.progress.connector_payloads, { cursor: 'run_b', rotated: 1, left: 1, done: true });
        assert.equal(result.progress.connector_results.rotated, 1);
        assert.equal(result.progress.audit_rows.left, 1, 'the forged row is left as it was');
        assert.equal(result.progress.audit_rows.rotated, 5, 'the other four rows and the start event');

        const a = await store.db.selectFrom('connector_runs').select('payload_sealed').where('id', '=', 'run_a').executeTakeFirstOrThrow();
        assert.deepEqual(openSealedJson(NEW, a.payload_sealed), { identities: [{ kind: 'email', value: 'a@example.jp' }] });
        assert.throws(() => openSealedJson(OLD, a.payload_sealed));
        const s = await store.db.selectFrom('connector_steps').select('result_sealed').where('id', '=', 'stp_a').executeTakeFirstOrThrow();
        assert.deepEqual(openSealedJson(NEW, s.result_sealed ?? ''), { groups: [{ name: 'users', rows: [{ email: 'a@example.jp' }] }] });

        const verified = await verifyAuditLog(store.db);
        assert.equal(verified.anchor, 'verified');
        assert.deepEqual(verified.problems.map((p) => `${p.kind}:${'seq' in p ? p.seq : ''}`), ['mac_mismatch:3'], 'the forged row is still reported under the new secret, and nothing else');

        const again = await rotateSecret({ store, clock, keys: { old: OLD, new: NEW } });
        assert.equal(again.outcome, 'already', 'running the same pair again changes nothing');
        await assert.rejects(rotateSecret({ store, clock, keys: { old: NEW, new: NEW } }), { code: 'MAMORI_SECRET_ROTATION_SAME' });
        await assert.rejects(rotateSecret({ store, clock, keys: { old: OLD, new: Buffer.alloc(32, 4) } }), { code: 'MAMORI_SECRET_MISMATCH' });
      } finally {
        await store.drop();
      }
    });
  });
}
