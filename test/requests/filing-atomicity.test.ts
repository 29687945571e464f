import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { verifyAuditChain } from '../../src/audit/audit-verify.ts';
import type { TestStore } from '../support/stores.ts';
import { storeDialects } from '../support/stores.ts';
import { MISSKEY_POLICY, startApp, serviceWithLimits } from './request-test-kit.ts';

/** Everything a filing writes, counted: a failed filing must leave every count as it was. */
async function written(store: TestStore): Promise<Record<string, unknown>> {
  const count = async (table: 'requests' | 'request_events' | 'request_codes' | 'mail_outbox' | 'audit_events') => Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const hits = await store.db.selectFrom('request_rate_limits').select(['bucket', 'count']).orderBy('bucket').execute();
  return {
    requests: await count('requests'),
    events: await count('request_events'),
    codes: await count('request_codes'),
    outbox: await count('mail_outbox'),
    audit: await count('audit_events'),
    hits: hits.map((h) => `${h.bucket}=${Number(h.count)}`),
  };
}

/**
 * Makes inserts into the outbox fail in the database itself (every one, or those to `only`): the filing then fails
 * after its first writes.
 */
async function breakOutbox(store: TestStore, broken: boolean, only = '%'): Promise<void> {
  if (store.dialect === 'sqlite') {
    if (broken) await sql.raw(`create trigger test_outbox_down before insert on mail_outbox when new.to_address like '${only}' begin select raise(abort, 'outbox down'); end`).execute(store.db);
    else await sql`drop trigger test_outbox_down`.execute(store.db);
    return;
  }
  if (broken) {
    await sql.raw(`create function test_outbox_down() returns trigger language plpgsql as $$ begin if new.to_address like '${only}' then raise exception 'outbox down'; end if; return new; end $$`).execute(store.db);
    await sql`create trigger test_outbox_down before insert on mail_outbox for each row execute function test_outbox_down()`.execute(store.db);
  } else {
    await sql`drop trigger test_outbox_down on mail_outbox`.execute(store.db);
    await sql`drop function test_outbox_down()`.execute(store.db);
  }
}

// A filing's writes (request, timeline, code, mail, rate-limit counts, audit event) commit together or not at all,
// whichever way the store runs them (SQLite: straight to the driver inside the transaction; PostgreSQL: some inserts
// travel with later statements).
for (const dialect of storeDialects) {
  describe(`a filing is one transaction (${dialect})`, () => {
    const input = (email: string) => ({ kind: 'purpose_notice' as const, email, description: '', lang: 'ja' as const });

    test('a filing that fails midway (its mail cannot be queued) leaves nothing behind, and the next one files', async () => {
      const app = await startApp(dialect, MISSKEY_POLICY);
      try {
        await app.service.fileRequest(input('before@example.jp'), { ip: '198.51.100.1' });
        const before = await written(app.store);
        await breakOutbox(app.store, true);
        await assert.rejects(app.service.fileRequest(input('midway@example.jp'), { ip: '198.51.100.1' }), /outbox down/);
        assert.deepEqual(await written(app.store), before, 'no request, event, code, mail, audit event or rate-limit count');
        await breakOutbox(app.store, false);
        const after = await app.service.fileRequest(input('after@example.jp'), { ip: '198.51.100.1' });
        assert.equal(after.state, 'awaiting_verification');
        const now = await written(app.store);
        assert.deepEqual([now.requests, now.events, now.codes, now.outbox, now.audit], [2, 2, 2, 2, 2]);
        const chain = await verifyAuditChain(app.store.db);
        assert.ok(chain.ok, JSON.stringify(chain.problems));
        assert.equal(chain.count, 2);
      } finally {
        await app.close();
      }
    });

    test('filings at the same moment: the ones that fail midway or are refused leave nothing, the others all commit', async () => {
      // On SQLite these share one commit (store/sqlite-transactions.ts); each must still stand or fall alone.
      const app = await startApp(dialect, MISSKEY_POLICY);
      try {
        const service = serviceWithLimits(app, { filingsPerEmail: { limit: 1, windowMs: 3600_000 } });
        await breakOutbox(app.store, true, 'broken%');
        const emails = ['a@example.jp', 'broken1@example.jp', 'twice@example.jp', 'b@example.jp', 'twice@example.jp', 'broken2@example.jp', 'c@example.jp', 'twice@example.jp'];
        const results = await Promise.allSettled(emails.map((e) => service.fileRequest(input(e), { ip: '198.51.100.4' })));
        const outcome = results.map((r) => (r.status === 'fulfilled' ? 'filed' : ((r.reason as { code?: string }).code ?? String(r.reason))));
        assert.deepEqual(['a', 'b', 'c'].map((x) => outcome[emails.indexOf(`${x}@example.jp`)]), ['filed', 'filed', 'filed']);
        assert.ok(results.filter((r, i) => emails[i]!.startsWith('broken')).every((r) => r.status === 'rejected' && /outbox down/.test(String(r.reason))), 'the broken ones failed on their mail');
        assert.deepEqual(outcome.filter((_, i) => emails[i] === 'twice@example.jp').sort(), ['MAMORI_RATE_LIMITED', 'MAMORI_RATE_LIMITED', 'filed']);
        const now = await written(app.store);
        assert.deepEqual([now.requests, now.events, now.codes, now.outbox, now.audit], [4, 4, 4, 4, 4], 'a, b, c and one of twice');
        const filed = await app.store.db.selectFrom('requests').select('email').orderBy('email').execute();
        assert.deepEqual(filed.map((r) => r.email), ['a@example.jp', 'b@example.jp', 'c@example.jp', 'twice@example.jp']);
        const counts = (now.hits as string[]).map((h) => Number(h.split('=')[1])).sort();
        assert.deepEqual(counts, [1, 1, 1, 1, 4], `each filed email counted once, the address four times: ${String(now.hits)}`);
        const chain = await verifyAuditChain(app.store.db);
        assert.ok(chain.ok, JSON.stringify(chain.problems));
        assert.equal(chain.count, 4);
      } finally {
        await app.close();
      }
    });

    test('a filing refused by a rate limit (its last step) rolls back its writes and its own counts only', async () => {
      const app = await startApp(dialect, MISSKEY_POLICY);
      try {
        const service = serviceWithLimits(app, { filingsPerEmail: { limit: 1, windowMs: 3600_000 } });
        await service.fileRequest(input('once@example.jp'), { ip: '198.51.100.2' });
        const before = await written(app.store);
        await assert.rejects(service.fileRequest(input('once@example.jp'), { ip: '198.51.100.3' }), { code: 'MAMORI_RATE_LIMITED' });
        assert.deepEqual(await written(app.store), before, 'the refused filing wrote nothing, and its counts (the new address too) are back');
        await service.fileRequest(input('other@example.jp'), { ip: '198.51.100.3' });
        const chain = await verifyAuditChain(app.store.db);
        assert.ok(chain.ok, JSON.stringify(chain.problems));
        assert.equal(chain.count, 2);
      } finally {
        await app.close();
      }
    });
  });
}
