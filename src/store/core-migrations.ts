import { sql, type Kysely, type Migration } from 'kysely';
import { dialectOf } from './store.ts';

export const coreMigrations: Record<string, Migration> = {
  '0001_core': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('policy_versions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('number', 'integer', (c) => c.notNull().unique())
        .addColumn('effective_on', 'text', (c) => c.notNull())
        .addColumn('published_at', 'text', (c) => c.notNull())
        .addColumn('published_by', 'text', (c) => c.notNull())
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('policy_json', 'text', (c) => c.notNull())
        .addColumn('source_yaml', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .execute();

      await db.schema
        .createTable('audit_events')
        .addColumn('seq', 'integer', (c) => c.primaryKey())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target_type', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_events_target').on('audit_events').columns(['target_type', 'target_id']).execute();

      await db.schema
        .createTable('mail_outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('to_address', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('text_body', 'text', (c) => c.notNull())
        .addColumn('html_body', 'text')
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('ref_type', 'text')
        .addColumn('ref_id', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('locked_until', 'text')
        .addColumn('sent_at', 'text')
        .addColumn('last_error', 'text')
        .execute();
      await db.schema.createIndex('mail_outbox_due').on('mail_outbox').columns(['sent_at', 'next_attempt_at']).execute();
      await db.schema.createIndex('mail_outbox_ref').on('mail_outbox').columns(['ref_type', 'ref_id']).execute();
    },
  },
  /** Added by the policy-versions service: the officer's answer when purposes changed (17条2項 or consent). */
  '0002_policy_version_purpose_change': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('policy_versions').addColumn('purpose_change', 'text').execute();
    },
  },
  /** Added by the audit log: a keyed MAC per row and a one-row anchor of the chain head (seq, hash, mac). */
  '0003_audit_head': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('audit_events').addColumn('row_mac', 'text').execute();
      await db.schema
        .createTable('audit_head')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('mac', 'text', (c) => c.notNull())
        .execute();
    },
  },
  /** Background jobs on several instances: one row per scheduled job, locked while it runs, naming the last slot done. */
  '0090_scheduled_jobs': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('scheduled_jobs')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('last_slot', 'text', (c) => c.notNull())
        .addColumn('last_run_at', 'text')
        .addColumn('last_owner', 'text')
        .execute();
    },
  },
  /** `mamori secret rotate`: one row per rotation, its state and per-item progress, so a crashed rotation resumes. */
  '0091_secret_rotations': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('secret_rotations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('old_check', 'text', (c) => c.notNull())
        .addColumn('new_check', 'text', (c) => c.notNull())
        .addColumn('progress_json', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute();
    },
  },
  /** The outbox lease names its holder, so a slow send renews it and no second instance sends the same mail. */
  '0093_mail_outbox_lock_owner': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('mail_outbox').addColumn('lock_owner', 'text').execute();
    },
  },
  /** Jobs too long for one transaction (site audits) are claimed under a lease instead of a row lock. */
  '0094_scheduled_jobs_lease': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('scheduled_jobs').addColumn('lease_owner', 'text').execute();
      await db.schema.alterTable('scheduled_jobs').addColumn('lease_until', 'text').execute();
    },
  },
  /**
   * PostgreSQL only: the audit chain's lock and the read of its ends in one round trip, so the lock (shared by every
   * instance) is held one round trip shorter. A volatile PL/pgSQL function takes a fresh snapshot for each statement
   * in it, so the ends are read after the lock is granted, as two separate statements would.
   */
  '0097_audit_chain_lock_and_ends': {
    async up(db: Kysely<any>) {
      if (dialectOf(db) !== 'postgres') return;
      await sql`create function mamori_audit_lock_and_ends(out head_seq bigint, out head_hash text, out head_mac text, out last_seq bigint, out last_hash text)
        language plpgsql volatile as $$
        begin
          perform pg_advisory_xact_lock(4242002);
          select h.seq, h.hash, h.mac into head_seq, head_hash, head_mac from audit_head h where h.id = 1;
          select e.seq, e.hash into last_seq, last_hash from audit_events e order by e.seq desc limit 1;
        end $$`.execute(db);
    },
  },
  /**
   * The outbox's (ref_type, ref_id) index goes: no query of mamori reads the outbox by its reference (the sender
   * claims by due time, the secret rotation walks by id), and every queued mail paid a page for it in its commit
   * (on SQLite one more WAL frame per filing: 22.8 -> 21.4 frames measured). Index it again with the first
   * query that needs it.
   */
  '0098_filing_mail_outbox_ref_dropped': {
    async up(db: Kysely<any>) {
      await db.schema.dropIndex('mail_outbox_ref').execute();
    },
  },
};
