import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Migrator, sql, type Migration } from 'kysely';
import { allMigrations } from '../../src/store/migrate.ts';
import { createTestStore, storeDialects, type TestStore } from '../support/stores.ts';

/** Applies every migration named before `name` (in name order), as a store upgraded from that release would have. */
async function migrateBefore(store: TestStore, name: string): Promise<void> {
  const before: Record<string, Migration> = Object.fromEntries(Object.entries(allMigrations()).filter(([n]) => n < name));
  const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => before }, allowUnorderedMigrations: true });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

async function migrateAll(store: TestStore): Promise<void> {
  const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => allMigrations() }, allowUnorderedMigrations: true });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

/** The plan of `text` as one string (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN with sequential scans off). */
async function planOf(store: TestStore, text: string): Promise<string> {
  if (store.dialect === 'sqlite') {
    const rows = (await sql.raw<{ detail: string }>(`explain query plan ${text}`).execute(store.db)).rows;
    return rows.map((r) => r.detail).join('\n');
  }
  return store.db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    const rows = (await sql.raw<Record<string, string>>(`explain ${text}`).execute(trx)).rows;
    return rows.map((r) => Object.values(r).join(' ')).join('\n');
  });
}

for (const dialect of storeDialects) {
  describe(`0250_filing_fewer_pages (${dialect})`, () => {
    test('an upgraded store keeps its rate-limit counts and email codes, and the payment lookups still use their indexes', async () => {
      const store = await createTestStore(dialect, { migrate: false });
      try {
        await migrateBefore(store, '0250_filing_fewer_pages');
        const now = '2026-12-01T00:00:00.000Z';
        await store.db.insertInto('requests').values({
          id: 'req_upgrade', kind: 'correction', state: 'awaiting_payment', channel: 'privacy_center', lang: 'ja', email: 'a@example.jp', account_id: null, subject_id: null,
          description: 'x', delivery: null, agent_kind: null, agent_relationship: null, agent_name: null, verified_via: null, verified_at: null, identity_confirmed_at: null,
          token_hash: null, target_days: 14, due_at: null, paused_since: null, paused_s: 0, fee_amount: null, fee_tax: null, fee_paid_at: null, fee_payment_method: null,
          fee_reference: null, decision_json: null, decided_at: null, delivered_at: null, closed_at: null, entered_by: null, created_at: now, updated_at: now,
          resolution_json: null, payment_code: '12345678', payment_due_at: now, grounds_json: null,
        }).execute();
        await store.db.insertInto('request_codes').values({ request_id: 'req_upgrade', code_hash: 'ab'.repeat(32), created_at: now, expires_at: now, attempts: 2, used_at: null }).execute();
        await store.db.insertInto('request_rate_limits').values([{ bucket: 'file-ip:x', window_start: now, count: 7 }, { bucket: 'file-email:y', window_start: now, count: 1 }]).execute();

        await migrateAll(store);

        assert.deepEqual(await store.db.selectFrom('request_codes').selectAll().execute(), [{ request_id: 'req_upgrade', code_hash: 'ab'.repeat(32), created_at: now, expires_at: now, attempts: 2, used_at: null }]);
        const limits = await store.db.selectFrom('request_rate_limits').select(['bucket', 'window_start', 'count']).orderBy('bucket').execute();
        assert.deepEqual(limits.map((r) => ({ ...r, count: Number(r.count) })), [{ bucket: 'file-email:y', window_start: now, count: 1 }, { bucket: 'file-ip:x', window_start: now, count: 7 }]);
        // The keys still refuse a second row, and a code still goes with its request.
        await assert.rejects(store.db.insertInto('request_rate_limits').values({ bucket: 'file-ip:x', window_start: now, count: 1 }).execute());
        await assert.rejects(store.db.insertInto('request_codes').values({ request_id: 'req_upgrade', code_hash: 'cd'.repeat(32), created_at: now, expires_at: now, attempts: 0, used_at: null }).execute());
        await store.db.deleteFrom('requests').where('id', '=', 'req_upgrade').execute();
        assert.equal((await store.db.selectFrom('request_codes').select('request_id').execute()).length, 0, 'the code is deleted with its request');

        assert.match(await planOf(store, `select id from requests where payment_code = '12345678'`), /requests_payment_code/);
        assert.match(await planOf(store, `select id from requests where state = 'awaiting_payment' and payment_due_at < '2027-01-01' order by payment_due_at limit 500`), /requests_payment_due/);
        // 0098_filing_mail_outbox_ref_dropped: no index on the outbox's reference is written any more.
        const refIndex = dialect === 'sqlite'
          ? (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'mail_outbox'`.execute(store.db)).rows.map((r) => r.name)
          : (await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'mail_outbox'`.execute(store.db)).rows.map((r) => r.name);
        assert.ok(refIndex.includes('mail_outbox_due') && !refIndex.includes('mail_outbox_ref'), refIndex.join(', '));
        if (dialect === 'sqlite') {
          const tables = (await sql<{ name: string; sql: string }>`select name, sql from sqlite_master where name in ('request_codes', 'request_rate_limits') order by name`.execute(store.db)).rows;
          assert.deepEqual(tables.map((t) => [t.name, /without rowid\s*$/i.test(t.sql)]), [['request_codes', true], ['request_rate_limits', true]]);
        }
      } finally {
        await store.drop();
      }
    });
  });
}
