import { sql, type Kysely, type Migration } from 'kysely';
import { dialectOf } from '../store/store.ts';
import { addMonths, MONTHS_AHEAD, monthOf, partitionName } from './receipt-partitions.ts';

/** Migrations of the consent domain, named with the domain's number range so the order is global and stable. */
export const consentMigrations: Record<string, Migration> = {
  '0400_consent_receipts': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('consent_receipts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('subject_kind', 'text', (c) => c.notNull())
        .addColumn('choices', 'text', (c) => c.notNull())
        .addColumn('policy_version', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addColumn('recorded_by', 'text', (c) => c.notNull())
        .addColumn('origin', 'text')
        .addColumn('proof', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('consent_receipts_subject').on('consent_receipts').columns(['subject', 'recorded_at']).execute();

      await db.schema
        .createTable('consent_preferences')
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('allowed', 'integer', (c) => c.notNull())
        .addColumn('policy_version', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('receipt_id', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('consent_preferences_pk', ['subject', 'purpose'])
        // The decisions hot path reads this table by its key only: on SQLite, cluster the rows on the key
        // (one B-tree descent per decision instead of index, then table).
        .$call((b) => (dialectOf(db) === 'sqlite' ? b.modifyEnd(sql`without rowid`) : b))
        .execute();

      await db.schema
        .createTable('consent_api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
    },
  },
  '0401_consent_versions': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('consent_versions')
        .addColumn('version', 'text', (c) => c.primaryKey())
        .addColumn('purposes', 'text', (c) => c.notNull())
        .addColumn('policy_number', 'integer')
        .addColumn('first_served_at', 'text', (c) => c.notNull())
        .execute();
      // Receipts recorded before the ledger existed keep their versions resolvable: one row per version, its banner
      // content unknown (an empty list), first served no later than its first receipt.
      const known = await db.selectFrom('consent_receipts').select(['policy_version']).select((eb) => eb.fn.min('recorded_at').as('first')).groupBy('policy_version').execute();
      for (const row of known) {
        await db.insertInto('consent_versions').values({ version: row.policy_version, purposes: '[]', policy_number: null, first_served_at: row.first }).execute();
      }
    },
  },
  /**
   * PostgreSQL only: receipts become a table partitioned by month of `recorded_at` (text in the "C" collation, so
   * ranges compare byte-wise), with the same per-subject index on every partition, a partition for every month that
   * has receipts and the next few, and a default partition. The primary key must include the partition key:
   * `(id, recorded_at)`. SQLite keeps the plain table (one process, one file; see README "Receipts at scale").
   */
  '0410_consent_receipts_by_month': {
    async up(db: Kysely<any>) {
      if (dialectOf(db) !== 'postgres') return;
      await sql`alter table consent_receipts rename to consent_receipts_unpartitioned`.execute(db);
      await sql`alter index consent_receipts_pkey rename to consent_receipts_unpartitioned_pkey`.execute(db);
      await sql`alter index consent_receipts_subject rename to consent_receipts_unpartitioned_subject`.execute(db);
      await sql`create table consent_receipts (
        id text not null, subject text not null, subject_kind text not null, choices text not null, policy_version text not null,
        method text not null, recorded_at text collate "C" not null, recorded_by text not null, origin text, proof text not null,
        constraint consent_receipts_pkey primary key (id, recorded_at)
      ) partition by range (recorded_at)`.execute(db);
      await sql`create index consent_receipts_subject on consent_receipts (subject, recorded_at)`.execute(db);
      await sql`create table consent_receipts_default partition of consent_receipts default`.execute(db);
      const months = (await sql<{ m: string }>`select distinct substr(recorded_at, 1, 7) as m from consent_receipts_unpartitioned`.execute(db)).rows.map((r) => r.m);
      const current = monthOf(new Date());
      for (let i = 0; i <= MONTHS_AHEAD; i += 1) months.push(addMonths(current, i));
      for (const month of [...new Set(months)].filter((m) => /^\d{4}-\d{2}$/.test(m)).sort()) {
        await sql.raw(`create table ${partitionName(month)} partition of consent_receipts for values from ('${month}') to ('${addMonths(month, 1)}')`).execute(db);
      }
      await sql`insert into consent_receipts (id, subject, subject_kind, choices, policy_version, method, recorded_at, recorded_by, origin, proof)
        select id, subject, subject_kind, choices, policy_version, method, recorded_at, recorded_by, origin, proof from consent_receipts_unpartitioned`.execute(db);
      await sql`drop table consent_receipts_unpartitioned`.execute(db);
    },
  },
  /**
   * Receipts keep each tool's own switch inside a purpose (the banner's per-service toggles). On PostgreSQL the column
   * is added to the partitioned table, and so to every month's partition; older receipts have none (null).
   */
  '0420_consent_receipt_tools': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('consent_receipts').addColumn('tools', 'text').execute();
    },
  },
};
