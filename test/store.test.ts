import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestStore, storeDialects } from './support/stores.ts';
import { appendAudit, verifyAuditChain } from '../src/audit/audit-log.ts';
import { createManualClock } from '../src/clock.ts';
import { createOutboxSender, enqueueMail, type MailTransport } from '../src/mail/outbox.ts';

for (const dialect of storeDialects) {
  describe(`store on ${dialect}`, () => {
    test('migrates, and migrating again is a no-op', async () => {
      const store = await createTestStore(dialect);
      try {
        const { migrateToLatest } = await import('../src/store/migrate.ts');
        await migrateToLatest(store);
        const rows = await store.db.selectFrom('policy_versions').selectAll().execute();
        assert.deepEqual(rows, []);
      } finally {
        await store.drop();
      }
    });

    test('audit chain verifies, and names an edited and a deleted row', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T00:00:00Z');
      try {
        for (let i = 0; i < 5; i++) {
          await store.db.transaction().execute((trx) => appendAudit(trx, clock, { actor: 'system', action: 'test.event', targetType: 'test', targetId: `t${i}`, data: { i } }));
        }
        assert.deepEqual(await verifyAuditChain(store.db), { ok: true, count: 5, problems: [] });
        await sql`update audit_events set data = ${'{"i":99}'} where seq = 2`.execute(store.db);
        await sql`delete from audit_events where seq = 4`.execute(store.db);
        const result = await verifyAuditChain(store.db);
        assert.equal(result.ok, false);
        assert.deepEqual(result.problems.map((p) => p.kind), ['edited', 'deleted']);
        assert.equal(result.problems[0]?.kind === 'edited' && result.problems[0].seq, 2);
      } finally {
        await store.drop();
      }
    });

    test('outbox keeps mail while SMTP is down and sends it when it returns', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T00:00:00Z');
      const delivered: string[] = [];
      let up = false;
      const transport: MailTransport = {
        async send(mail) {
          if (!up) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
          delivered.push(mail.subject);
        },
      };
      const sender = createOutboxSender({ store, clock, transport, from: 'test@localhost' });
      try {
        await store.db.transaction().execute((trx) => enqueueMail(trx, clock, { to: 'a@example.jp', subject: 'hello', text: 'body', topic: 'test' }));
        assert.deepEqual(await sender.drainOnce(), { sent: 0, failed: 1 });
        up = true;
        assert.deepEqual(await sender.drainOnce(), { sent: 0, failed: 0 }, 'waits for the backoff');
        clock.advance(6000);
        assert.deepEqual(await sender.drainOnce(), { sent: 1, failed: 0 });
        assert.deepEqual(delivered, ['hello']);
        assert.deepEqual(await sender.drainOnce(), { sent: 0, failed: 0 }, 'never sends twice');
      } finally {
        await sender.stop();
        await store.drop();
      }
    });
  });
}
