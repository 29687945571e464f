import { sql, type Kysely, type Migration } from 'kysely';
import { dialectOf } from '../store/store.ts';

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
};
