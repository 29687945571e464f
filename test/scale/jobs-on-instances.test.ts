import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startCluster } from './scale-kit.ts';
import { enqueueMail, type MailTransport } from '../../src/mail/outbox.ts';
import { createIncident } from '../../src/records/incidents.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';

function recordingTransport(sent: string[]): MailTransport {
  return {
    async send(mail) {
      await new Promise((r) => setTimeout(r, 2)); // a real SMTP round trip leaves time for the others to race
      sent.push(mail.subject);
    },
  };
}

async function auditCount(db: import('../../src/store/store.ts').Db, action: string): Promise<number> {
  const r = await db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n')).where('action', '=', action).executeTakeFirstOrThrow();
  return Number(r.n);
}

test('three instances on one database: each scheduled job slot runs once, each queued mail is sent once', async () => {
  const sent: string[][] = [[], [], []];
  const cluster = await startCluster(3, {});
  try {
    // Transports are per instance: give each its own recorder.
    const senders = await Promise.all(cluster.instances.map(async (s, i) => {
      const { createOutboxSender } = await import('../../src/mail/outbox.ts');
      return createOutboxSender({ store: s.ctx.store, clock: s.ctx.clock, transport: recordingTransport(sent[i]!), from: 'mamori <t@example.test>', batchSize: 5 });
    }));
    const { db } = cluster.store;
    const clock = cluster.instances[0]!.ctx.clock;
    await createStaffUser(db, clock, { email: 'officer@example.test', role: 'officer', password: 'a long enough password 123', actor: 'cli' });
    // Discovered two days ago with sensitive data: reportable, 速報 due within two days, 確報 weeks away.
    await createIncident(db, clock, 'cli', { title: 'leak', discoveredAt: new Date(clock.now().getTime() - 2 * 86_400_000).toISOString(), description: 'test', sensitiveData: true, affectedCount: 1 });
    for (let i = 0; i < 40; i += 1) await enqueueMail(db, clock, { to: `p${i}@example.test`, subject: `m${i}`, text: 'x', topic: 'test' });

    const ticks = await Promise.all(cluster.instances.map((s) => s.jobs.tickOnce()));
    for (const job of ['records.purge', 'audit.verify', 'incidents.deadline_reminders', 'consent.receipt_partitions'] as const) {
      const ran = ticks.filter((t) => t[job] === 'ran').length;
      assert.equal(ran, 1, `${job} ran on ${ran} instances: ${JSON.stringify(ticks.map((t) => t[job]))}`);
      assert.ok(ticks.every((t) => ['ran', 'busy', 'done'].includes(t[job])), JSON.stringify(ticks));
    }
    assert.equal(await auditCount(db, 'records.purged'), 1);
    assert.equal(await auditCount(db, 'audit.verified'), 1);
    const reminders = await db.selectFrom('mail_outbox').select('id').where('topic', '=', 'incident.deadline_reminder').execute();
    assert.equal(reminders.length, 1, 'one reminder (速報 due soon) for the one officer');
    // The same slot again, anywhere: done (or skipped while another instance checks), nothing repeated.
    const again = await Promise.all(cluster.instances.map((s) => s.jobs.tickOnce()));
    assert.ok(again.every((t) => Object.values(t).every((o) => o === 'done' || o === 'busy')), JSON.stringify(again));
    assert.equal(await auditCount(db, 'audit.verified'), 1);

    await Promise.all(senders.map((s) => s.drainOnce()));
    const all = sent.flat().sort();
    const queued = await db.selectFrom('mail_outbox').select('subject').execute();
    assert.equal(all.length, queued.length, 'every mail sent exactly once');
    assert.equal(new Set(all).size, all.length, 'no mail sent twice');
    assert.ok(sent.filter((s) => s.length > 0).length >= 2, 'the instances shared the work');
  } finally {
    await cluster.close();
  }
});

test('work held by an instance that dies is picked up by another: a job slot mid-run, a mail under a lapsed lease', async () => {
  const cluster = await startCluster(2, {});
  try {
    const [a, b] = cluster.instances;
    const { db } = cluster.store;
    await a!.jobs.tickOnce(); // creates the job rows and does today's slots
    await db.updateTable('scheduled_jobs').set({ last_slot: '' }).where('name', '=', 'audit.verify').execute();
    // A "dying instance": its transaction holds the job's row, as a run in progress would.
    const dying = new pg.Client({ connectionString: cluster.store.url });
    await dying.connect();
    dying.on('error', () => {});
    await dying.query('begin');
    await dying.query(`select * from scheduled_jobs where name = 'audit.verify' for update`);
    assert.equal((await b!.jobs.tickOnce())['audit.verify'], 'busy');
    const pid = (await dying.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const admin = new pg.Client({ connectionString: cluster.store.url });
    await admin.connect();
    await admin.query('select pg_terminate_backend($1)', [pid]);
    await admin.end();
    assert.equal((await b!.jobs.tickOnce())['audit.verify'], 'ran');
    assert.equal((await a!.jobs.tickOnce())['audit.verify'], 'done');

    // A mail claimed by a dead instance: its lease lapsed, so another instance sends it.
    const clock = a!.ctx.clock;
    const id = await enqueueMail(db, clock, { to: 'p@example.test', subject: 'orphan', text: 'x', topic: 'test' });
    await db.updateTable('mail_outbox').set({ locked_until: new Date(clock.now().getTime() - 1000).toISOString() }).where('id', '=', id).execute();
    const sent: string[] = [];
    const { createOutboxSender } = await import('../../src/mail/outbox.ts');
    await createOutboxSender({ store: b!.ctx.store, clock, transport: recordingTransport(sent), from: 'mamori <t@example.test>' }).drainOnce();
    assert.deepEqual(sent, ['orphan']);
  } finally {
    await cluster.close();
  }
});
