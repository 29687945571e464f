import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createTestStore, storeDialects } from './support/stores.ts';
import { createManualClock } from '../src/clock.ts';
import { enqueueMail } from '../src/mail/outbox.ts';
import { hitRateLimits } from '../src/requests/rate-limit.ts';

// Inserts whose result is never read may wait on PostgreSQL and travel with the next statement
// (store/postgres-deferred-writes.ts): what a transaction sees, commits and rolls back stays as written.
for (const dialect of storeDialects) {
  describe(`deferred inserts on ${dialect}`, () => {
    const mail = (to: string) => ({ to, subject: 's', text: 't', topic: 'test', ref: { type: 'request', id: 'r1' } });

    test('a row inserted in a transaction is seen by the next statement there, and committed', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T00:00:00Z');
      try {
        const seen = await store.db.transaction().execute(async (trx) => {
          await enqueueMail(trx, clock, mail('a@example.jp'));
          await enqueueMail(trx, clock, mail('b@example.jp'));
          return (await trx.selectFrom('mail_outbox').select('to_address').orderBy('to_address').execute()).map((r) => r.to_address);
        });
        assert.deepEqual(seen, ['a@example.jp', 'b@example.jp']);
        // Waiting inserts that travel with a rate-limit count (one statement on PostgreSQL) and with the commit.
        await store.db.transaction().execute(async (trx) => {
          await enqueueMail(trx, clock, mail('c@example.jp'));
          await hitRateLimits(trx, clock, [{ bucket: 'x:1', rule: { limit: 5, windowMs: 60_000 } }, { bucket: 'x:2', rule: { limit: 5, windowMs: 60_000 } }]);
          await enqueueMail(trx, clock, mail('d@example.jp'));
        });
        const rows = await store.db.selectFrom('mail_outbox').select('to_address').orderBy('to_address').execute();
        assert.deepEqual(rows.map((r) => r.to_address), ['a@example.jp', 'b@example.jp', 'c@example.jp', 'd@example.jp']);
        const counts = await store.db.selectFrom('request_rate_limits').select(['bucket', 'count']).orderBy('bucket').execute();
        assert.deepEqual(counts.map((r) => [r.bucket, Number(r.count)]), [['x:1', 1], ['x:2', 1]]);
      } finally {
        await store.drop();
      }
    });

    test('a refused rate limit rolls back the waiting inserts and every count of the call', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T00:00:00Z');
      const rule = { limit: 1, windowMs: 60_000 };
      try {
        await hitRateLimits(store.db, clock, [{ bucket: 'y:2', rule }]);
        await assert.rejects(
          store.db.transaction().execute(async (trx) => {
            await enqueueMail(trx, clock, mail('e@example.jp'));
            await hitRateLimits(trx, clock, [{ bucket: 'y:1', rule }, { bucket: 'y:2', rule }]);
          }),
          (err: Error & { code?: string }) => err.code === 'MAMORI_RATE_LIMITED',
        );
        assert.equal((await store.db.selectFrom('mail_outbox').select('id').execute()).length, 0);
        const counts = await store.db.selectFrom('request_rate_limits').select(['bucket', 'count']).orderBy('bucket').execute();
        assert.deepEqual(counts.map((r) => [r.bucket, Number(r.count)]), [['y:2', 1]]);
      } finally {
        await store.drop();
      }
    });

    test('an insert that fails fails its transaction, which commits nothing', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T00:00:00Z');
      try {
        await assert.rejects(
          store.db.transaction().execute(async (trx) => {
            await enqueueMail(trx, clock, mail('f@example.jp'));
            // A code for a request that does not exist breaks a foreign key (at the latest when the insert is sent).
            const { insertRow } = await import('../src/store/prepared-statement.ts');
            await insertRow(trx, 'request_codes', { request_id: 'req_missing', code_hash: 'h', created_at: 'x', expires_at: 'x', attempts: 0, used_at: null });
          }),
        );
        assert.equal((await store.db.selectFrom('mail_outbox').select('id').execute()).length, 0);
        assert.equal((await store.db.selectFrom('request_codes').select('request_id').execute()).length, 0);
      } finally {
        await store.drop();
      }
    });

    test('a statement that reads a table a waiting insert writes sees that row; other waiting rows commit with it', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T00:00:00Z');
      const { insertRow, preparedStatement } = await import('../src/store/prepared-statement.ts');
      // Reads the outbox only: it may carry waiting inserts into other tables, never one into the outbox.
      const countOutbox = preparedStatement<{ n: number | string }>('select count(*) as n from mail_outbox', { carriesDeferredExcept: 'mail_outbox' });
      const bucket = (b: string) => ({ bucket: b, window_start: '2026-04-01T00:00:00.000Z', count: 1 });
      try {
        const seen = await store.db.transaction().execute(async (trx) => {
          await insertRow(trx, 'request_rate_limits', bucket('z:1'));
          const before = Number((await countOutbox.run(trx, [])).rows[0]?.n);
          await enqueueMail(trx, clock, mail('g@example.jp'));
          await insertRow(trx, 'request_rate_limits', bucket('z:2'));
          return [before, Number((await countOutbox.run(trx, [])).rows[0]?.n)];
        });
        assert.deepEqual(seen, [0, 1]);
        const buckets = await store.db.selectFrom('request_rate_limits').select('bucket').orderBy('bucket').execute();
        assert.deepEqual(buckets.map((r) => r.bucket), ['z:1', 'z:2']);
      } finally {
        await store.drop();
      }
    });
  });
}

// `begin` waits for the transaction's first statement and goes in the same write (store/postgres-deferred-writes.ts).
describe('begin with the first statement on postgres', () => {
  test('the statement runs inside the transaction, an error there leaves the connection usable, begin and the audit append cost no round trip of their own', async () => {
    const created = await createTestStore('postgres');
    await created.close();
    const { openStore } = await import('../src/store/store.ts');
    const { sql } = await import('kysely');
    const pg = (await import('pg')).default;
    // Round trips: calls of pg's own Client.query, which the store's clients wrap when they connect (after this).
    const query = pg.Client.prototype.query;
    let trips = 0;
    Object.defineProperty(pg.Client.prototype, 'query', { configurable: true, writable: true, value: function (this: unknown, ...args: unknown[]) { trips += 1; return Reflect.apply(query, this, args) as unknown; } });
    const store = await openStore(created.url);
    const job = (name: string) => sql`insert into scheduled_jobs (name, last_slot, last_run_at) values (${name}, 's', 'x') returning name`;
    const names = async () => (await sql<{ name: string }>`select name from scheduled_jobs order by name`.execute(store.db)).rows.map((r) => r.name);
    try {
      await names(); // the pool's first client connects
      trips = 0;
      await store.db.transaction().execute(async (trx) => { await job('a').execute(trx); });
      assert.equal(trips, 2, 'begin and the insert in one round trip, then commit');
      // Had begin not run first, the insert would have committed on its own.
      await assert.rejects(store.db.transaction().execute(async (trx) => { await job('b').execute(trx); throw new Error('changed my mind'); }), /changed my mind/);
      // The first statement fails: the transaction is open and failed; its rollback ends it.
      await assert.rejects(store.db.transaction().execute(async (trx) => { await job('a').execute(trx); }), /duplicate key/);
      trips = 0;
      await assert.rejects(store.db.transaction().execute(async () => { throw new Error('before any statement'); }), /before any statement/);
      assert.equal(trips, 0, 'nothing began, nothing is sent');
      await store.db.transaction().execute(async (trx) => { await job('c').execute(trx); await job('d').execute(trx); });
      assert.deepEqual(await names(), ['a', 'c', 'd']);

      // The audit append (a transaction's last write) waits for the commit and goes in the same write.
      const { appendAudit } = await import('../src/audit/audit-append.ts');
      const { verifyAuditChain } = await import('../src/audit/audit-log.ts');
      const clock = createManualClock('2026-04-01T00:00:00Z');
      const event = { actor: 'system' as const, action: 'test.held', targetType: 'test', targetId: null, data: {} };
      const audits = async () => Number((await sql<{ n: string }>`select count(*) as n from audit_events`.execute(store.db)).rows[0]?.n);
      trips = 0;
      await store.db.transaction().execute(async (trx) => { await appendAudit(trx, clock, event); });
      assert.equal(trips, 2, 'begin with the chain lock, then the append with the commit');
      assert.equal(await audits(), 1);
      // A statement after it sees it (it is sent first); a rollback drops it.
      const seen = await store.db.transaction().execute(async (trx) => { await appendAudit(trx, clock, event); return Number((await sql<{ n: string }>`select count(*) as n from audit_events`.execute(trx)).rows[0]?.n); });
      assert.equal(seen, 2);
      await assert.rejects(store.db.transaction().execute(async (trx) => { await appendAudit(trx, clock, event); throw new Error('undo'); }), /undo/);
      assert.equal(await audits(), 2);
      // Should it fail, the commit fails with its error and nothing of the transaction stays.
      await sql`create function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$`.execute(store.db);
      await sql`create trigger refuse_audit before insert on audit_events for each row execute function refuse_audit()`.execute(store.db);
      await assert.rejects(store.db.transaction().execute(async (trx) => { await job('e').execute(trx); await appendAudit(trx, clock, event); }), /audit refused/);
      assert.deepEqual(await names(), ['a', 'c', 'd']);
      await sql`drop trigger refuse_audit on audit_events`.execute(store.db);
      assert.equal(await audits(), 2);
      assert.equal((await verifyAuditChain(store.db)).ok, true);
    } finally {
      Object.defineProperty(pg.Client.prototype, 'query', { configurable: true, writable: true, value: query });
      await store.close();
      await created.drop();
    }
  });
});
