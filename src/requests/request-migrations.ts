import { sql, type Kysely, type Migration } from 'kysely';
import { dialectOf } from '../store/store.ts';

/** Migrations of the requests domain, named with the domain's number range so the order is global and stable. */
export const requestMigrations: Record<string, Migration> = {
  '0200_requests': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('lang', 'text', (c) => c.notNull())
        .addColumn('email', 'text')
        .addColumn('account_id', 'text')
        .addColumn('subject_id', 'text')
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('delivery', 'text')
        .addColumn('agent_kind', 'text')
        .addColumn('agent_relationship', 'text')
        .addColumn('agent_name', 'text')
        .addColumn('verified_via', 'text')
        .addColumn('verified_at', 'text')
        .addColumn('identity_confirmed_at', 'text')
        .addColumn('token_hash', 'text')
        .addColumn('target_days', 'integer', (c) => c.notNull())
        .addColumn('due_at', 'text')
        .addColumn('paused_since', 'text')
        .addColumn('paused_s', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('fee_amount', 'integer')
        .addColumn('fee_tax', 'text')
        .addColumn('fee_paid_at', 'text')
        .addColumn('fee_payment_method', 'text')
        .addColumn('fee_reference', 'text')
        .addColumn('decision_json', 'text')
        .addColumn('decided_at', 'text')
        .addColumn('delivered_at', 'text')
        .addColumn('closed_at', 'text')
        .addColumn('entered_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('requests_state_due').on('requests').columns(['state', 'due_at']).execute();
      await db.schema.createIndex('requests_created').on('requests').columns(['created_at']).execute();

      await db.schema
        .createTable('request_codes')
        .addColumn('request_id', 'text', (c) => c.primaryKey().references('requests.id').onDelete('cascade'))
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('used_at', 'text')
        .execute();

      await db.schema
        .createTable('request_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id').onDelete('cascade'))
        .addColumn('n', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addUniqueConstraint('request_events_request_n', ['request_id', 'n'])
        .execute();

      await db.schema
        .createTable('request_files')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id').onDelete('cascade'))
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('proof_kind', 'text')
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('sealed', 'text', (c) => c.notNull())
        .addColumn('uploaded_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('request_files_request').on('request_files').columns(['request_id']).execute();

      await db.schema
        .createTable('request_gathered')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id').onDelete('cascade'))
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('title_json', 'text', (c) => c.notNull())
        .addColumn('sealed_groups', 'text', (c) => c.notNull())
        .addColumn('entered_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('request_gathered_request').on('request_gathered').columns(['request_id']).execute();

      await db.schema
        .createTable('request_packages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id').onDelete('cascade'))
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('download_token_hash', 'text')
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('sealed', 'text', (c) => c.notNull())
        .addColumn('download_count', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('request_packages_request').on('request_packages').columns(['request_id']).execute();

      await db.schema
        .createTable('request_downloads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('package_id', 'text', (c) => c.notNull().references('request_packages.id').onDelete('cascade'))
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('via', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('request_rate_limits')
        .addColumn('bucket', 'text', (c) => c.primaryKey())
        .addColumn('window_start', 'text', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .execute();
    },
  },

  '0210_request_identities': {
    async up(db: Kysely<any>) {
      // What the systems resolved the verified identifiers to (see request-identities.ts).
      await db.schema.alterTable('requests').addColumn('resolution_json', 'text').execute();
      // Claims staff confirmed from documents, with the written reason: only these (and verified identifiers) reach data.
      await db.schema
        .createTable('request_identity_confirmations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('confirmed_by', 'text', (c) => c.notNull())
        .addColumn('confirmed_at', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('request_identity_confirmations_request').on('request_identity_confirmations').columns(['request_id']).execute();
    },
  },

  '0295_assertion_uses': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('assertion_uses')
        .addColumn('digest', 'text', (c) => c.primaryKey())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
    },
  },

  '0230_request_queue_work': {
    async up(db: Kysely<any>) {
      // The staff member a request is assigned to (a staff id; null: nobody yet).
      await db.schema.alterTable('requests').addColumn('assignee', 'text').execute();
      // Staff alerts sent once per key (new request, deadline in 3 days, a callback that never came): the key's row
      // and the outbox mail are written in one transaction, so several instances running the same sweep send one mail.
      await db.schema
        .createTable('request_staff_alerts')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  },

  '0220_request_payment': {
    async up(db: Kysely<any>) {
      // A reference a person can type as 振込依頼人名 (digits) and the day the fee is due (then the request lapses).
      await db.schema.alterTable('requests').addColumn('payment_code', 'text').execute();
      await db.schema.alterTable('requests').addColumn('payment_due_at', 'text').execute();
      await db.schema.createIndex('requests_payment_code').on('requests').columns(['payment_code']).execute();
      await db.schema.createIndex('requests_payment_due').on('requests').columns(['state', 'payment_due_at']).execute();
    },
  },

  '0240_request_grounds': {
    async up(db: Kysely<any>) {
      // The 35条 conditions the person named (suspension, stop of provision), as a JSON list of keys.
      await db.schema.alterTable('requests').addColumn('grounds_json', 'text').execute();
    },
  },

  /**
   * Fewer pages written per filing (every B-tree an insert touches is one more page in the commit, on SQLite one
   * more WAL frame; bench/filing-profile.ts showed the commit as a filing's largest cost there):
   * - the payment indexes hold only the requests that have a payment code or due day (a filing has neither); every
   *   query on them compares the column, which implies it is not null, so both stores still use them;
   * - SQLite: the rate-limit counters and the email codes, small rows read and written by their key only, are
   *   clustered on it (`without rowid`: the table is its key's B-tree, one B-tree less to write per row).
   */
  '0250_filing_fewer_pages': {
    async up(db: Kysely<any>) {
      await db.schema.dropIndex('requests_payment_code').execute();
      await db.schema.dropIndex('requests_payment_due').execute();
      await db.schema.createIndex('requests_payment_code').on('requests').columns(['payment_code']).where(sql.ref('payment_code'), 'is not', null).execute();
      await db.schema.createIndex('requests_payment_due').on('requests').columns(['state', 'payment_due_at']).where(sql.ref('payment_due_at'), 'is not', null).execute();
      if (dialectOf(db) !== 'sqlite') return;
      // Rebuilt, rows kept: a table cannot become `without rowid` in place. No table references either.
      await db.schema
        .createTable('request_rate_limits_keyed')
        .addColumn('bucket', 'text', (c) => c.primaryKey())
        .addColumn('window_start', 'text', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .modifyEnd(sql`without rowid`)
        .execute();
      await sql`insert into request_rate_limits_keyed (bucket, window_start, count) select bucket, window_start, count from request_rate_limits`.execute(db);
      await db.schema.dropTable('request_rate_limits').execute();
      await db.schema.alterTable('request_rate_limits_keyed').renameTo('request_rate_limits').execute();
      await db.schema
        .createTable('request_codes_keyed')
        .addColumn('request_id', 'text', (c) => c.primaryKey().references('requests.id').onDelete('cascade'))
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('used_at', 'text')
        .modifyEnd(sql`without rowid`)
        .execute();
      await sql`insert into request_codes_keyed (request_id, code_hash, created_at, expires_at, attempts, used_at) select request_id, code_hash, created_at, expires_at, attempts, used_at from request_codes`.execute(db);
      await db.schema.dropTable('request_codes').execute();
      await db.schema.alterTable('request_codes_keyed').renameTo('request_codes').execute();
    },
  },
};
