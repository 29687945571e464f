import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import { systemClock } from '../../src/clock.ts';
import { createOutboxSender, enqueueMail } from '../../src/mail/outbox.ts';
import { createSmtpTransport } from '../../src/mail/smtp-transport.ts';
import { openStore } from '../../src/store/store.ts';
import { createTestStore, storeDialects } from '../support/stores.ts';

/** A real SMTP server that takes `holdMs` to accept each message after its data arrived (a slow or busy relay). */
async function slowSmtp(holdMs: number): Promise<{ url: string; received: string[]; close(): Promise<void> }> {
  const received: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      stream.resume();
      stream.on('end', () => {
        setTimeout(() => {
          received.push(session.envelope.rcptTo.map((r) => r.address).join(','));
          cb();
        }, holdMs);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

for (const dialect of storeDialects) {
  test(`a send that outlasts the outbox lease is not sent again by another instance (${dialect})`, async () => {
    const store = await createTestStore(dialect);
    // A second instance: its own connection (pool) to the same database.
    const other = await openStore(store.url);
    // The relay holds each message five leases long; the second instance keeps asking for due mail meanwhile.
    const leaseMs = 300;
    const smtp = await slowSmtp(leaseMs * 5);
    const transportA = createSmtpTransport(smtp.url);
    const transportB = createSmtpTransport(smtp.url);
    try {
      await enqueueMail(store.db, systemClock, { to: 'hanako@example.test', subject: 'コードのお知らせ', text: 'x', topic: 'test' });
      const a = createOutboxSender({ store, clock: systemClock, transport: transportA, from: 'mamori <t@example.test>', leaseMs });
      const b = createOutboxSender({ store: other, clock: systemClock, transport: transportB, from: 'mamori <t@example.test>', leaseMs });
      // Both instances keep asking for due mail, as their timers would, until the mail is recorded as sent.
      const isSent = async () => (await store.db.selectFrom('mail_outbox').select('sent_at').executeTakeFirstOrThrow()).sent_at !== null;
      const drainUntilSent = async (sender: typeof a) => {
        let sent = 0;
        let tries = 0;
        while (!(await isSent())) {
          sent += (await sender.drainOnce()).sent;
          tries += 1;
          await new Promise((r) => setTimeout(r, leaseMs / 4));
        }
        return { sent, tries };
      };
      const [ra, rb] = await Promise.all([drainUntilSent(a), drainUntilSent(b)]);
      assert.equal(ra.sent + rb.sent, 1, `sent once between them (first ${ra.sent}, second ${rb.sent})`);
      // The instance that did not send asked again and again while the other was sending (its lease lapsed many times over).
      assert.ok(Math.min(ra.tries, rb.tries) >= 1 && Math.max(ra.tries, rb.tries) >= 4, JSON.stringify({ ra, rb }));
      assert.deepEqual(smtp.received, ['hanako@example.test'], 'the relay received the mail exactly once');
      const row = await store.db.selectFrom('mail_outbox').select(['sent_at', 'attempts', 'locked_until']).executeTakeFirstOrThrow();
      assert.ok(row.sent_at, 'recorded as sent');
      assert.equal(row.attempts, 1);
      assert.equal(row.locked_until, null);
      // Once sent it stays sent, whoever asks next.
      assert.deepEqual(await b.drainOnce(), { sent: 0, failed: 0 });
      assert.equal(smtp.received.length, 1);
    } finally {
      transportA.close();
      transportB.close();
      await smtp.close();
      await other.close();
      await store.drop();
    }
  });
}
