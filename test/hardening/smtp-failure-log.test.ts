import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../../src/clock.ts';
import { createOutboxSender, enqueueMail, type MailTransport } from '../../src/mail/outbox.ts';
import { createTestStore } from '../support/stores.ts';

describe('SMTP failures', () => {
  test('each failed send writes one log line with the error class and mail id, never the address; the mail is sent once when SMTP returns', async () => {
    const store = await createTestStore('sqlite');
    const clock = createManualClock('2026-04-01T00:00:00Z');
    const lines: Array<{ fields: Record<string, unknown>; message: string }> = [];
    let up = false;
    let delivered = 0;
    const transport: MailTransport = {
      async send(mail) {
        if (!up) throw Object.assign(new Error(`550 mailbox ${mail.to} unavailable`), { code: 'EENVELOPE' });
        delivered++;
      },
    };
    const sender = createOutboxSender({ store, clock, transport, from: 'privacy@example.jp', logger: { warn: (fields, message) => lines.push({ fields, message }) } });
    try {
      await store.db.transaction().execute((trx) => enqueueMail(trx, clock, { to: 'secret.person@example.jp', subject: 'コード', text: 'body', topic: 'test' }));
      assert.deepEqual(await sender.drainOnce(), { sent: 0, failed: 1 });
      assert.equal(lines.length, 1);
      assert.equal(lines[0]?.message, 'mail send failed; retried later');
      assert.match(JSON.stringify(lines[0]?.fields), /EENVELOPE/);
      assert.doesNotMatch(JSON.stringify(lines), /@|secret\.person|550/);
      up = true;
      clock.advance(10_000);
      assert.deepEqual(await sender.drainOnce(), { sent: 1, failed: 0 });
      assert.equal(delivered, 1);
    } finally {
      await sender.stop();
      await store.drop();
    }
  });
});
