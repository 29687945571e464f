import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { storeDialects } from '../support/stores.ts';
import { freePort, MISSKEY_POLICY, postJson, startApp, type TestSmtp } from '../requests/request-test-kit.ts';

/** A real SMTP server that accepts `k` messages, then stops listening (the mail server is down) until `comeBack()`. */
async function flakySmtp(k: number): Promise<TestSmtp & { comeBack(): Promise<void> }> {
  const port = await freePort();
  const mails: ParsedMail[] = [];
  let server: SMTPServer | undefined;
  let accepted = 0;
  let failing = true;
  const listen = async () => {
    const s = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, cb) {
        simpleParser(stream).then(
          (m) => {
            mails.push(m);
            accepted += 1;
            cb();
            // Down right after the k-th message: its sender has its answer, the next connection is refused.
            if (failing && accepted === k) {
              server = undefined;
              s.close(() => undefined);
            }
          },
          (err: Error) => cb(err),
        );
      },
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    server = s;
  };
  await listen();
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    mails,
    async waitFor() {
      throw new Error('not used');
    },
    async start() {
      await listen();
    },
    async comeBack() {
      failing = false;
      await listen();
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}

const recipientOf = (m: ParsedMail): string => (m.to && !Array.isArray(m.to) ? m.to.value[0]?.address ?? '' : '');

for (const dialect of storeDialects) {
  describe(`SMTP down in the middle of a burst (${dialect})`, () => {
    test('every mail is delivered exactly once after the mail server comes back, the server keeps serving, failures are logged by class without addresses', { timeout: 120_000 }, async () => {
      const smtp = await flakySmtp(4);
      const app = await startApp(dialect, MISSKEY_POLICY, { smtp });
      const lines: Array<{ fields: Record<string, unknown>; message: string }> = [];
      app.server.ctx.outbox.setLogger({ warn: (fields, message) => lines.push({ fields, message }) });
      try {
        const emails = Array.from({ length: 10 }, (_, i) => `burst${i}@example.jp`);
        const filed = await Promise.all(emails.map((email) => postJson(`${app.url}/api/v1/requests`, { kind: 'purpose_notice', email, lang: 'ja' })));
        for (const f of filed) assert.equal(f.status, 201, JSON.stringify(f.json));

        const first = await app.drain();
        assert.equal(first.sent, 4);
        assert.equal(first.failed, 6);
        // Down, and still serving: a filing while the mail server is away is acknowledged and its mail queued.
        emails.push('during-outage@example.jp');
        assert.equal((await postJson(`${app.url}/api/v1/requests`, { kind: 'purpose_notice', email: 'during-outage@example.jp', lang: 'ja' })).status, 201);
        assert.equal((await fetch(`${app.url}/healthz`)).status, 200);
        assert.deepEqual(await app.drain(), { sent: 0, failed: 1 }, 'the new mail is tried and fails; the others wait for their back-off');

        await smtp.comeBack();
        for (let round = 0; round < 10; round++) {
          app.clock.advance(3600_000);
          await app.drain();
          const left = await app.store.db.selectFrom('mail_outbox').select('id').where('sent_at', 'is', null).execute();
          if (left.length === 0) break;
        }
        const unsent = await app.store.db.selectFrom('mail_outbox').select('id').where('sent_at', 'is', null).execute();
        assert.deepEqual(unsent, []);
        // Exactly once each.
        assert.deepEqual(smtp.mails.map(recipientOf).sort(), [...emails].sort());

        assert.equal(lines.length, 7);
        for (const line of lines) {
          assert.equal(line.message, 'mail send failed; retried later');
          assert.match(JSON.stringify(line.fields), /"error":"Error:(ECONNREFUSED|ESOCKET|ECONNECTION)"/);
        }
        assert.doesNotMatch(JSON.stringify(lines), /@|burst|outage@/);
        assert.ok((await app.store.db.selectFrom('mail_outbox').select('last_error').execute()).every((r) => r.last_error === null));
      } finally {
        await app.close();
      }
    });
  });
}
