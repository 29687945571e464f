import { sql } from 'kysely';
import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import { dialectOf, type DbOrTrx, type Store } from '../store/store.ts';
import { insertRow, preparedStatement } from '../store/prepared-statement.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** What the mail is about (`request.received`, `incident.notice` …); no personal data. */
  topic: string;
  ref?: { type: string; id: string };
}

/**
 * Queues a mail in the same transaction as the state change it reports. Nothing is sent here: the outbox sender
 * delivers it later and retries, so a committed change never loses its notice and a rolled-back one never sends one.
 */
export async function enqueueMail(db: DbOrTrx, clock: Clock, mail: OutgoingMail): Promise<string> {
  const id = newId('mail');
  const now = clock.now().toISOString();
  await insertRow(db, 'mail_outbox', {
    id,
    created_at: now,
    to_address: mail.to,
    subject: mail.subject,
    text_body: mail.text,
    html_body: mail.html ?? null,
    topic: mail.topic,
    ref_type: mail.ref?.type ?? null,
    ref_id: mail.ref?.id ?? null,
    attempts: 0,
    next_attempt_at: now,
    locked_until: null,
    lock_owner: null,
    sent_at: null,
    last_error: null,
  });
  return id;
}

/** The smallest thing that can send a mail; nodemailer's SMTP transport in production, anything in tests. */
export interface MailTransport {
  send(mail: { from: string; to: string; subject: string; text: string; html?: string; messageId?: string }): Promise<void>;
}

/**
 * The Message-ID of an outbox row: the same for every attempt at that row, so a mail that did reach the relay before
 * its sender stalled past the lease, and was sent again by another instance, reaches the person as one message (mail
 * servers and clients fold copies with one Message-ID). The domain is the sender's own, as RFC 5322 suggests.
 * @example outboxMessageId('mail_01HX', '"隠れ家" <privacy@kakurega.example>') // '<mail_01HX@kakurega.example>'
 */
export function outboxMessageId(id: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'mamori.invalid';
  return `<${id}@${domain}>`;
}

export interface OutboxSender {
  /** Sends every due mail once; returns how many were sent and how many failed (and were rescheduled). */
  drainOnce(): Promise<{ sent: number; failed: number }>;
  /** Drains every `intervalMs` until stopped. */
  start(intervalMs?: number): void;
  stop(): Promise<void>;
  /** Where failed sends are logged (the server's logger once it exists): the error class and mail id, never an address. */
  setLogger(logger: OutboxLogger): void;
}

/** The one logging call the outbox makes. */
export interface OutboxLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** `Error:ECONNREFUSED`: the class of a send failure without its message (SMTP replies can echo addresses). */
export function sendFailureClass(err: unknown): string {
  return err instanceof Error ? `${err.name}${'code' in err ? `:${String((err as { code?: unknown }).code)}` : ''}` : 'error';
}

const LEASE_MS = 60_000;
/** `last_error` of a row taken from a sender whose lease lapsed before it recorded a result. */
const LEASE_LAPSED = 'LeaseLapsed';
const MAX_BACKOFF_MS = 30 * 60_000;

/** Retry delay after `attempts` failures: 5 s, 10 s, 20 s … capped at 30 minutes. */
export function outboxBackoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 5000 * 2 ** Math.max(0, attempts - 1));
}

// A row is taken again right before its send and its lease renewed while the send lasts; only its owner takes it.
const renewLease = preparedStatement<{ id: string }>('update mail_outbox set locked_until = ? where id = ? and lock_owner = ? and sent_at is null returning id');
// Every mail sent since the last write, marked in one statement (one commit on SQLite): `[{ id, attempts }]` as JSON.
const markSentSqlite = preparedStatement(`update mail_outbox set sent_at = ?, locked_until = null, attempts = s.attempts, last_error = null
  from (select value ->> 'id' as id, value ->> 'attempts' as attempts from json_each(?)) as s where mail_outbox.id = s.id`);
const markSentPostgres = preparedStatement(`update mail_outbox as m set sent_at = ?, locked_until = null, attempts = s.attempts, last_error = null
  from json_to_recordset(?::json) as s(id text, attempts integer) where m.id = s.id`);
const markFailed = preparedStatement('update mail_outbox set attempts = ?, locked_until = null, next_attempt_at = ?, last_error = ? where id = ? and lock_owner = ?');

/**
 * Delivers queued mail. Rows are claimed with a lease in this sender's name (and `FOR UPDATE SKIP LOCKED` on
 * PostgreSQL), so several mamori processes can share one outbox without sending a mail twice; a crashed process's
 * lease simply expires. The lease is renewed when a row's send starts and every third of the lease while the SMTP
 * server keeps it waiting, so a slow send never lets another instance send the same mail; a row whose lease lapsed
 * and went to another sender is skipped here.
 */
export function createOutboxSender(opts: { store: Store; clock: Clock; transport: MailTransport | undefined; from: string; batchSize?: number; logger?: OutboxLogger; leaseMs?: number }): OutboxSender {
  const { store, clock, transport, from } = opts;
  let logger = opts.logger;
  const batch = opts.batchSize ?? 20;
  const leaseMs = opts.leaseMs ?? LEASE_MS;
  const owner = newId('outbox');
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  /** Moves the row's lease to a full lease from now; false when the row is no longer this sender's (or was sent). */
  async function renew(id: string): Promise<boolean> {
    const lease = new Date(clock.now().getTime() + leaseMs).toISOString();
    return (await renewLease.run(store.db, [lease, id, owner])).rows.length > 0;
  }

  /**
   * Mails sent and not yet recorded as sent, with the earliest moment their lease may end (their lease may have been
   * renewed since). Recorded together at the end of a batch, or sooner (see `drainOnce`), always before their lease
   * lapses, so no other sender takes a mail that went out.
   */
  const unrecorded: { id: string; attempts: number; leaseEnds: number }[] = [];
  async function recordSent(): Promise<void> {
    if (unrecorded.length === 0) return;
    const marks = unrecorded.map((m) => ({ id: m.id, attempts: m.attempts }));
    // Recorded even if a lease lapsed meanwhile: the mail did go out, and this stops any further send.
    await (dialectOf(store.db) === 'postgres' ? markSentPostgres : markSentSqlite).run(store.db, [clock.now().toISOString(), JSON.stringify(marks)]);
    unrecorded.splice(0, marks.length);
  }

  /**
   * Sends one taken row, renewing its lease every third of the lease until the SMTP server has answered; the first
   * beat also records the mails sent before it (their leases had at least half a lease left when this send began).
   */
  async function sendLeased(row: { id: string; to_address: string; subject: string; text_body: string; html_body: string | null }): Promise<void> {
    const messageId = outboxMessageId(row.id, from);
    let beat: Promise<unknown> = Promise.resolve();
    const heartbeat = setInterval(() => {
      beat = beat.then(recordSent).then(() => renew(row.id)).catch(() => false);
    }, Math.max(10, Math.floor(leaseMs / 3)));
    try {
      await transport?.send({ from, to: row.to_address, subject: row.subject, text: row.text_body, messageId, ...(row.html_body ? { html: row.html_body } : {}) });
    } finally {
      clearInterval(heartbeat);
      await beat;
    }
  }

  type Claimed = { id: string; to_address: string; subject: string; text_body: string; html_body: string | null; attempts: number; taken_over: number };
  async function claim(): Promise<Claimed[]> {
    const now = clock.now();
    const nowIso = now.toISOString();
    const lease = new Date(now.getTime() + leaseMs).toISOString();
    const skipLocked = dialectOf(store.db) === 'postgres' ? sql`for update skip locked` : sql``;
    // `taken_over`: the row still carried another sender's lapsed lease with no failure recorded, so that sender may
    // have stalled mid-send (a paused process, a long GC) and its mail may have gone out: it is sent again with the
    // same Message-ID, and said so in the log. At least once, never silently lost.
    const result = await sql<Claimed>`
      update mail_outbox set locked_until = ${lease}, lock_owner = ${owner},
        last_error = case when locked_until is not null then ${LEASE_LAPSED} else last_error end
      where id in (
        select id from mail_outbox
        where sent_at is null and next_attempt_at <= ${nowIso} and (locked_until is null or locked_until < ${nowIso})
        order by created_at limit ${batch} ${skipLocked}
      )
      returning id, to_address, subject, text_body, html_body, attempts,
        case when last_error = ${LEASE_LAPSED} then 1 else 0 end as taken_over`.execute(store.db);
    return result.rows;
  }

  async function drainOnce(): Promise<{ sent: number; failed: number }> {
    if (!transport) return { sent: 0, failed: 0 };
    let sent = 0;
    let failed = 0;
    for (;;) {
      const claimedAt = clock.now().getTime();
      const rows = await claim();
      if (rows.length === 0) break;
      for (const row of rows) {
        // Rows later in the batch may have waited on slow sends before them: take each again, with a fresh lease.
        // A row claimed less than a third of a lease ago is still ours with at least two thirds left, more than the
        // heartbeat's first renewal needs, so taking it again would change nothing (one statement less per mail).
        let leaseEnds = claimedAt + leaseMs;
        if (clock.now().getTime() - claimedAt >= leaseMs / 3) {
          if (!(await renew(row.id))) continue;
          leaseEnds = clock.now().getTime() + leaseMs;
        }
        // A mail sent earlier whose lease might end before this send's first beat (a third of a lease) is recorded now.
        if (unrecorded.some((m) => m.leaseEnds - clock.now().getTime() < leaseMs / 2)) await recordSent();
        if (Number(row.taken_over) === 1) logger?.warn({ mail: { id: row.id, attempts: row.attempts } }, 'mail lease lapsed before its sender recorded a result; sent with the same Message-ID as any earlier attempt');
        try {
          await sendLeased(row);
          unrecorded.push({ id: row.id, attempts: row.attempts + 1, leaseEnds });
          sent += 1;
        } catch (err) {
          failed += 1;
          const attempts = row.attempts + 1;
          logger?.warn({ mail: { id: row.id, attempts, error: sendFailureClass(err) } }, 'mail send failed; retried later');
          // The SMTP error class only: server replies can echo addresses. Left alone if another sender holds it now.
          await markFailed.run(store.db, [attempts, new Date(clock.now().getTime() + outboxBackoffMs(attempts)).toISOString(), sendFailureClass(err), row.id, owner]);
        }
      }
      await recordSent();
      if (failed > 0) break; // the server is likely down: wait for the next tick instead of spinning
      if (rows.length < batch) break; // nothing else was due when claimed: the next tick takes what came since
    }
    return { sent, failed };
  }

  return {
    drainOnce: () => {
      const next = running.then(drainOnce, drainOnce);
      running = next.catch(() => undefined);
      return next;
    },
    setLogger(next) {
      logger = next;
    },
    start(intervalMs = 2000) {
      if (timer) return;
      timer = setInterval(() => {
        running = running.then(drainOnce).catch(() => undefined);
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
