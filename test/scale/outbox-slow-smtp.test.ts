import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import { systemClock } from '../../src/clock.ts';
import { createOutboxSender, enqueueMail, type MailTransport } from '../../src/mail/outbox.ts';
import { createSmtpTransport } from '../../src/mail/smtp-transport.ts';
import { openStore } from '../../src/store/store.ts';
import { createTestStore, storeDialects } from '../support/stores.ts';

/** A real SMTP server that takes `holdMs` to accept each message after its data arrived (a slow or busy relay). */
async function slowSmtp(holdMs: number | ((to: string) => number)): Promise<{ url: string; received: string[]; close(): Promise<void> }> {
  const received: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      stream.resume();
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address).join(',');
        setTimeout(() => {
          received.push(to);
          cb();
        }, typeof holdMs === 'number' ? holdMs : holdMs(to));
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

/** Two mamori instances on one database (each its own pool) with their own SMTP transports; all closed afterwards. */
async function withTwoInstances(
  dialect: (typeof storeDialects)[number],
  smtp: { url: string; close(): Promise<void> },
  run: (t: { store: Awaited<ReturnType<typeof createTestStore>>; other: Awaited<ReturnType<typeof openStore>>; transportA: MailTransport; transportB: MailTransport }) => Promise<void>,
): Promise<void> {
  const store = await createTestStore(dialect);
  const other = await openStore(store.url);
  const transportA = createSmtpTransport(smtp.url);
  const transportB = createSmtpTransport(smtp.url);
  try {
    await run({ store, other, transportA, transportB });
  } finally {
    transportA.close();
    transportB.close();
    await smtp.close();
    await other.close();
    await store.drop();
  }
}

for (const dialect of storeDialects) {
  test(`a send that outlasts the outbox lease is not sent again by another instance (${dialect})`, async () => {
    // The relay holds each message five leases long; the second instance keeps asking for due mail meanwhile.
    const leaseMs = 300;
    const smtp = await slowSmtp(leaseMs * 5);
    await withTwoInstances(dialect, smtp, async ({ store, other, transportA, transportB }) => {
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
    });
  });
}

/** A real SMTP server that keeps each message's Message-ID header; `gate` holds the answer to the first message. */
async function recordingSmtp(): Promise<{ url: string; messageIds: string[]; releaseFirst(): void; firstArrived: Promise<void>; close(): Promise<void> }> {
  const messageIds: string[] = [];
  let releaseFirst = () => {};
  const held = new Promise<void>((resolve) => (releaseFirst = resolve));
  let arrived = () => {};
  const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, cb) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      stream.on('end', () => {
        messageIds.push(/^Message-ID:\s*(\S+)/im.exec(data)?.[1] ?? '(none)');
        if (messageIds.length === 1) {
          arrived();
          void held.then(() => cb());
        } else cb();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `smtp://127.0.0.1:${port}`, messageIds, releaseFirst: () => releaseFirst(), firstArrived, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

for (const dialect of storeDialects) {
  test(`a sender that stalls mid-send past its lease: the mail goes out again under the same Message-ID, and says so (${dialect})`, async () => {
    const leaseMs = 300;
    const smtp = await recordingSmtp();
    const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
    await withTwoInstances(dialect, smtp, async ({ store, other, transportA, transportB }) => {
      const id = await enqueueMail(store.db, systemClock, { to: 'hanako@example.test', subject: 'コードのお知らせ', text: 'x', topic: 'test' });
      // The stalled instance: its clock stands still, so its lease renewals never move the lease forward, as when a
      // paused process (SIGSTOP, a long GC pause) cannot renew at all.
      const frozen = new Date();
      const a = createOutboxSender({ store, clock: { now: () => frozen }, transport: transportA, from: 'mamori <t@kakurega.example>', leaseMs });
      const b = createOutboxSender({
        store: other,
        clock: systemClock,
        transport: transportB,
        from: 'mamori <t@kakurega.example>',
        leaseMs,
        logger: { warn: (fields, message) => warnings.push({ fields, message }) },
      });
      const first = a.drainOnce();
      await smtp.firstArrived;
      await new Promise((r) => setTimeout(r, leaseMs * 2));
      // The other instance finds the lease lapsed with no result recorded: it cannot know the first send's fate.
      assert.deepEqual(await b.drainOnce(), { sent: 1, failed: 0 });
      smtp.releaseFirst();
      assert.deepEqual(await first, { sent: 1, failed: 0 });
      assert.equal(smtp.messageIds.length, 2, 'at least once: the relay got both attempts');
      assert.equal(smtp.messageIds[0], `<${id}@kakurega.example>`);
      assert.equal(smtp.messageIds[1], smtp.messageIds[0], 'one Message-ID, so the copies fold into one message');
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!.message, /lease lapsed/);
      assert.doesNotMatch(JSON.stringify(warnings), /hanako/, 'no address in the log');
      // Nothing more goes out afterwards.
      assert.deepEqual(await b.drainOnce(), { sent: 0, failed: 0 });
      assert.equal(smtp.messageIds.length, 2);
    });
  });
}

for (const dialect of storeDialects) {
  test(`mails sent earlier in a batch are recorded as sent before a slow send lets their lease lapse (${dialect})`, async () => {
    // The sender records sent mails together; one mail's relay holds it three leases long, past the others' leases.
    // The other instance keeps asking for due mail meanwhile: it must find the mails sent before the slow one
    // recorded, never due again. (Mails the batch had not reached yet may lapse and go to the other instance: each is
    // still sent once.) The lease is longer than above so quick sends finish well inside it on a busy machine.
    const leaseMs = 1000;
    const smtp = await slowSmtp((to) => (to.startsWith('slow') ? leaseMs * 3 : 0));
    await withTwoInstances(dialect, smtp, async ({ store, other, transportA, transportB }) => {
      const addresses = ['ichiro@example.test', 'jiro@example.test', 'saburo@example.test', 'shiro@example.test', 'slow@example.test'];
      for (const to of addresses) {
        await enqueueMail(store.db, systemClock, { to, subject: 'コードのお知らせ', text: 'x', topic: 'test' });
        await new Promise((r) => setTimeout(r, 5));
      }
      const a = createOutboxSender({ store, clock: systemClock, transport: transportA, from: 'mamori <t@example.test>', leaseMs });
      const b = createOutboxSender({ store: other, clock: systemClock, transport: transportB, from: 'mamori <t@example.test>', leaseMs });
      const first = a.drainOnce();
      let sentByB = 0;
      for (let i = 0; i < 14; i++) {
        await new Promise((r) => setTimeout(r, leaseMs / 4));
        sentByB += (await b.drainOnce()).sent;
      }
      const sentByA = (await first).sent;
      assert.ok(sentByA >= 1, 'the first instance sent at least the slow mail');
      assert.equal(sentByA + sentByB, addresses.length, `each mail sent by one instance (first ${sentByA}, second ${sentByB})`);
      assert.deepEqual([...smtp.received].sort(), [...addresses].sort(), 'the relay received every mail exactly once');
      const rows = await store.db.selectFrom('mail_outbox').select(['sent_at', 'attempts', 'locked_until']).execute();
      assert.ok(rows.every((r) => r.sent_at !== null && r.attempts === 1 && r.locked_until === null), JSON.stringify(rows));
    });
  });
}
