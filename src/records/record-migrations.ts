import type { Kysely, Migration } from 'kysely';

/** Migrations of the records domain, named with the domain's number range so the order is global and stable. */
export const recordMigrations: Record<string, Migration> = {
  '0500_records': {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('record_provisions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('form', 'text', (c) => c.notNull())
        .addColumn('basis', 'text', (c) => c.notNull())
        .addColumn('provided_on', 'text', (c) => c.notNull())
        .addColumn('last_provided_on', 'text', (c) => c.notNull())
        .addColumn('recipient_name', 'text', (c) => c.notNull())
        .addColumn('recipient_address', 'text')
        .addColumn('recipient_representative', 'text')
        .addColumn('recipient_unspecified', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('recipient_public_body', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('foreign_country', 'text')
        .addColumn('subject_description', 'text')
        .addColumn('subject_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('data_items', 'text', (c) => c.notNull())
        .addColumn('consent_proof', 'text')
        .addColumn('contract_ref', 'text')
        .addColumn('optout_filing_id', 'text')
        .addColumn('anonymized_notice_given', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('required', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('retain_until', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .execute();
      await db.schema.createIndex('record_provisions_retain').on('record_provisions').column('retain_until').execute();

      await db.schema
        .createTable('record_receipts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('form', 'text', (c) => c.notNull())
        .addColumn('basis', 'text', (c) => c.notNull())
        .addColumn('received_on', 'text', (c) => c.notNull())
        .addColumn('last_received_on', 'text', (c) => c.notNull())
        .addColumn('provider_name', 'text', (c) => c.notNull())
        .addColumn('provider_address', 'text')
        .addColumn('provider_representative', 'text')
        .addColumn('provider_acquisition', 'text', (c) => c.notNull())
        .addColumn('consent_confirmed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('optout_filing_confirmed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('subject_description', 'text')
        .addColumn('subject_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('data_items', 'text', (c) => c.notNull())
        .addColumn('required', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('retain_until', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .execute();
      await db.schema.createIndex('record_receipts_retain').on('record_receipts').column('retain_until').execute();

      await db.schema
        .createTable('record_related_confirmations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('form', 'text', (c) => c.notNull())
        .addColumn('confirmed_on', 'text', (c) => c.notNull())
        .addColumn('last_provided_on', 'text', (c) => c.notNull())
        .addColumn('recipient_name', 'text', (c) => c.notNull())
        .addColumn('recipient_address', 'text')
        .addColumn('recipient_representative', 'text')
        .addColumn('foreign_country', 'text')
        .addColumn('consent_method', 'text', (c) => c.notNull())
        .addColumn('foreign_info_given', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('subject_description', 'text')
        .addColumn('subject_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('data_items', 'text', (c) => c.notNull())
        .addColumn('retain_until', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .execute();

      await db.schema
        .createTable('record_subjects')
        .addColumn('record_type', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('record_subjects_pk', ['record_type', 'record_id', 'subject_id'])
        .execute();
      await db.schema.createIndex('record_subjects_subject').on('record_subjects').column('subject_id').execute();

      await db.schema
        .createTable('record_optout_filings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('data_items', 'text', (c) => c.notNull())
        .addColumn('filed_on', 'text')
        .addColumn('ppc_published_on', 'text')
        .addColumn('self_published_on', 'text')
        .addColumn('note', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('record_optout_stops')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('filing_id', 'text')
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .execute();
      await db.schema.createIndex('record_optout_stops_subject').on('record_optout_stops').column('subject_id').execute();

      await db.schema
        .createTable('record_incidents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('discovered_at', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'text')
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('data_items', 'text', (c) => c.notNull())
        .addColumn('affected_count', 'integer')
        .addColumn('sensitive_data', 'integer', (c) => c.notNull())
        .addColumn('financial_harm_data', 'integer', (c) => c.notNull())
        .addColumn('unauthorized_purpose', 'integer', (c) => c.notNull())
        .addColumn('skimming', 'integer', (c) => c.notNull())
        .addColumn('advanced_encryption', 'integer', (c) => c.notNull())
        .addColumn('pseudonymized_only', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('report_fields', 'text', (c) => c.notNull())
        .addColumn('preliminary_submitted_at', 'text')
        .addColumn('final_submitted_at', 'text')
        .addColumn('notice_slug', 'text', (c) => c.unique())
        .addColumn('notice_published_at', 'text')
        .execute();

      await db.schema
        .createTable('record_incident_notices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('incident_id', 'text', (c) => c.notNull().references('record_incidents.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text')
        .addColumn('mail_id', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('record_incident_notices_incident').on('record_incident_notices').column('incident_id').execute();

      await db.schema
        .createTable('record_anonymization_jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('dataset', 'text', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('k', 'integer', (c) => c.notNull())
        .addColumn('input_rows', 'integer', (c) => c.notNull())
        .addColumn('output_rows', 'integer', (c) => c.notNull())
        .addColumn('suppressed_rows', 'integer', (c) => c.notNull())
        .addColumn('items', 'text', (c) => c.notNull())
        .addColumn('published_at', 'text')
        .addColumn('output_sha256', 'text', (c) => c.notNull())
        .addColumn('provision_id', 'text')
        .execute();

      await db.schema
        .createTable('record_revision_notices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('policy_version_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('audience', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('recipient_count', 'integer', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('record_revision_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('notice_id', 'text', (c) => c.notNull().references('record_revision_notices.id'))
        .addColumn('subject_id', 'text')
        .addColumn('mail_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0501_incident_threshold_and_notices': {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema.alterTable('record_incidents').addColumn('threshold_ruled_out_reason', 'text').execute();
      await db.schema.alterTable('record_incidents').addColumn('public_notice_reason', 'text').execute();
    },
  },
};
