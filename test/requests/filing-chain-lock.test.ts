import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { appendAudit, registerAuditKey } from '../../src/audit/audit-log.ts';
import { verifyAuditChain } from '../../src/audit/audit-verify.ts';
import { MamoriError } from '../../src/errors.ts';
import { hitRateLimits, rateBucket } from '../../src/requests/rate-limit.ts';
import { openStore } from '../../src/store/store.ts';
import { storeDialects } from '../support/stores.ts';
import { MISSKEY_POLICY, startApp, serviceWithLimits } from './request-test-kit.ts';

// On PostgreSQL a filing takes the audit chain's lock and reads the chain's ends in the statement that counts its
// rate-limit hits (one round trip less); the append at the end of its transaction uses those ends. These tests hold
// the chain to what one lock per append gave: no two appends link to the same row, on one instance or several.
for (const dialect of storeDialects) {
  describe(`a filing's audit event and the chain's lock (${dialect})`, () => {
    const input = (email: string) => ({ kind: 'purpose_notice' as const, email, description: '', lang: 'ja' as const });

    test('filings in parallel with appends from a second instance all commit, and the chain verifies without a gap', async () => {
      const app = await startApp(dialect, MISSKEY_POLICY);
      // A second instance: its own store (its own pool on PostgreSQL) on the same database, signing with the same secret.
      const other = dialect === 'postgres' ? await openStore(app.store.url) : app.store;
      if (other !== app.store) registerAuditKey(other.db, app.server.ctx.config.secret);
      try {
        const filings = Array.from({ length: 24 }, (_, i) => app.service.fileRequest(input(`p${i}@example.jp`), { ip: '198.51.100.7' }));
        const appends = Array.from({ length: 12 }, (_, i) => other.db.transaction().execute((trx) => appendAudit(trx, app.clock, { actor: 'system', action: 'test.parallel', targetType: 'test', targetId: String(i) })));
        const results = await Promise.allSettled([...filings, ...appends]);
        assert.deepEqual(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), []);
        const seqs = (await app.store.db.selectFrom('audit_events').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq));
        assert.deepEqual(seqs, Array.from({ length: 36 }, (_, i) => i + 1), 'one row per append, numbered without a gap');
        const chain = await verifyAuditChain(app.store.db);
        assert.deepEqual(chain.problems, []);
      } finally {
        if (other !== app.store) await other.close();
        await app.close();
      }
    });

    test('a refused filing gives back its counts and the lock, and the chain goes on from the last committed event', async () => {
      const app = await startApp(dialect, MISSKEY_POLICY);
      try {
        const service = serviceWithLimits(app, { filingsPerIp: { limit: 2, windowMs: 3600_000 } });
        await service.fileRequest(input('a@example.jp'), { ip: '198.51.100.8' });
        await service.fileRequest(input('b@example.jp'), { ip: '198.51.100.8' });
        await assert.rejects(service.fileRequest(input('c@example.jp'), { ip: '198.51.100.8' }), (err: unknown) => err instanceof MamoriError && err.code === 'MAMORI_RATE_LIMITED');
        const ipBucket = rateBucket(app.server.ctx.config.secret, 'file-ip', '198.51.100.8');
        const row = await app.store.db.selectFrom('request_rate_limits').select('count').where('bucket', '=', ipBucket).executeTakeFirstOrThrow();
        assert.equal(Number(row.count), 2, 'the refused filing counted nothing');
        // The lock went with the refused transaction: another append and another filing (other address) go through.
        await app.store.db.transaction().execute((trx) => appendAudit(trx, app.clock, { actor: 'system', action: 'test.after', targetType: 'test' }));
        await service.fileRequest(input('d@example.jp'), { ip: '198.51.100.9' });
        assert.equal(Number((await app.store.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n), 4);
        assert.deepEqual((await verifyAuditChain(app.store.db)).problems, []);
      } finally {
        await app.close();
      }
    });

    test('a limit set far above any count (as large as JS allows) files as before', async () => {
      const app = await startApp(dialect, MISSKEY_POLICY);
      try {
        const service = serviceWithLimits(app, { filingsPerIp: { limit: 1e10, windowMs: 3600_000 }, filingsPerEmail: { limit: 1e21, windowMs: 3600_000 } });
        const filed = await service.fileRequest(input('big@example.jp'), { ip: '198.51.100.30' });
        assert.equal(filed.state, 'awaiting_verification');
        assert.deepEqual((await verifyAuditChain(app.store.db)).problems, []);
      } finally {
        await app.close();
      }
    });

    test('ends read with the hits serve one append only: a second append in the same transaction links to the first', async () => {
      const app = await startApp(dialect, MISSKEY_POLICY);
      try {
        await app.store.db.transaction().execute(async (trx) => {
          await hitRateLimits(trx, app.clock, [{ bucket: 'test-a', rule: { limit: 5, windowMs: 60_000 } }, { bucket: 'test-b', rule: { limit: 5, windowMs: 60_000 } }], { lockAuditChain: true });
          await appendAudit(trx, app.clock, { actor: 'system', action: 'test.first', targetType: 'test' });
          await appendAudit(trx, app.clock, { actor: 'system', action: 'test.second', targetType: 'test' });
        });
        const rows = await app.store.db.selectFrom('audit_events').select(['seq', 'action']).orderBy('seq').execute();
        assert.deepEqual(rows.map((r) => [Number(r.seq), r.action]), [[1, 'test.first'], [2, 'test.second']]);
        assert.deepEqual((await verifyAuditChain(app.store.db)).problems, []);
      } finally {
        await app.close();
      }
    });
  });
}

// The chain's lock is taken only by a filing none of whose hits is refused: a flood of refused filings must not hold
// up every audit writer. PostgreSQL only (SQLite has no such lock: one writer at a time).
describe("a refused filing and the chain's lock (postgres)", () => {
  test('a filing refused by its rate limit is answered while another transaction holds the chain\'s lock; an accepted one waits for it', async () => {
    const app = await startApp('postgres', MISSKEY_POLICY);
    const holder = new pg.Client({ connectionString: app.store.url });
    await holder.connect();
    try {
      const service = serviceWithLimits(app, { filingsPerIp: { limit: 1, windowMs: 3600_000 } });
      const input = (email: string) => ({ kind: 'purpose_notice' as const, email, description: '', lang: 'ja' as const });
      await service.fileRequest(input('first@example.jp'), { ip: '198.51.100.20' });
      await holder.query('begin');
      await holder.query('select pg_advisory_xact_lock(4242002)');
      const refused = service.fileRequest(input('second@example.jp'), { ip: '198.51.100.20' }).then(() => 'filed', (err: unknown) => (err instanceof MamoriError ? err.code : String(err)));
      const accepted = service.fileRequest(input('third@example.jp'), { ip: '198.51.100.21' }).then(() => 'filed', (err: unknown) => String(err));
      const waited = new Promise<string>((resolve) => setTimeout(() => resolve('still waiting'), 3000));
      assert.equal(await Promise.race([refused, waited]), 'MAMORI_RATE_LIMITED', 'the refusal did not wait for the lock');
      assert.equal(await Promise.race([accepted, new Promise<string>((resolve) => setTimeout(() => resolve('still waiting'), 300))]), 'still waiting', 'an accepted filing takes the lock');
      await holder.query('commit');
      assert.equal(await accepted, 'filed');
      assert.deepEqual((await verifyAuditChain(app.store.db)).problems, []);
    } finally {
      await holder.end();
      await app.close();
    }
  });
});
