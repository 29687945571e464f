import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createManualClock } from '../src/clock.ts';
import { enqueueMail } from '../src/mail/outbox.ts';
import { storeTransaction } from '../src/store/store.ts';
import { createTestStore } from './support/stores.ts';

// SQLite: transactions asked for at the same moment share one commit, each in a savepoint
// (store/sqlite-transactions.ts). Each caller's outcome must be the one its own transaction would have had.
describe('transactions sharing a commit on sqlite', () => {
  const clock = createManualClock('2026-04-01T00:00:00Z');
  const mail = (to: string) => ({ to, subject: 's', text: 't', topic: 'test' });
  const addresses = async (store: Awaited<ReturnType<typeof createTestStore>>) => (await store.db.selectFrom('mail_outbox').select('to_address').orderBy('to_address').execute()).map((r) => r.to_address);

  test('one that throws is rolled back alone; the others commit and get their own answers', async () => {
    const store = await createTestStore('sqlite');
    try {
      const results = await Promise.allSettled([
        storeTransaction(store, async (trx) => (await enqueueMail(trx, clock, mail('a@example.jp')), 'a')),
        storeTransaction(store, async (trx) => {
          await enqueueMail(trx, clock, mail('b@example.jp'));
          throw new Error('b fails');
        }),
        storeTransaction(store, async (trx) => (await enqueueMail(trx, clock, mail('c@example.jp')), 'c')),
      ]);
      assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)), ['a', 'b fails', 'c']);
      assert.deepEqual(await addresses(store), ['a@example.jp', 'c@example.jp']);
    } finally {
      await store.drop();
    }
  });

  test('when the whole transaction ends (as SQLite does on disk full), nothing of the group commits and every caller is told', async () => {
    const store = await createTestStore('sqlite');
    try {
      const results = await Promise.allSettled([
        storeTransaction(store, async (trx) => (await enqueueMail(trx, clock, mail('a@example.jp')), 'a')),
        storeTransaction(store, async (trx) => {
          await sql`rollback`.execute(trx); // ends the shared transaction, as SQLITE_FULL or an I/O error may
          throw new Error('transaction ended');
        }),
        storeTransaction(store, async (trx) => (await enqueueMail(trx, clock, mail('c@example.jp')), 'c')),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected'], 'a said committed would be a lie: its row is gone');
      assert.deepEqual(await addresses(store), []);
      // The store goes on: the next transaction commits.
      assert.equal(await storeTransaction(store, async (trx) => (await enqueueMail(trx, clock, mail('d@example.jp')), 'd')), 'd');
      assert.deepEqual(await addresses(store), ['d@example.jp']);
    } finally {
      await store.drop();
    }
  });
});
