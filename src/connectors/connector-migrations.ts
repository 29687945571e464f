import { type Kysely, type Migration } from 'kysely';

/** Migrations of the connectors domain, named with the domain's number range so the order is global and stable. */
export const connectorMigrations: Record<string, Migration> = {
  '0300_connector_runs': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('connector_runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('dry_run', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('payload_sealed', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute();
      await db.schema.createIndex('connector_runs_claim').on('connector_runs').columns(['status', 'created_at']).execute();
      await db.schema.createIndex('connector_runs_request').on('connector_runs').columns(['request_id', 'kind']).execute();
      await db.schema
        .createTable('connector_steps')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('run_id', 'text', (c) => c.notNull().references('connector_runs.id'))
        .addColumn('dataset', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('detail_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addColumn('result_sealed', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('connector_steps_run_dataset', ['run_id', 'dataset'])
        .execute();
      await db.schema
        .createTable('connector_tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('run_id', 'text', (c) => c.notNull().references('connector_runs.id'))
        .addColumn('request_id', 'text')
        .addColumn('dataset', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('actor', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('connector_tasks_run_dataset', ['run_id', 'dataset'])
        .execute();
      await db.schema.createIndex('connector_tasks_request').on('connector_tasks').columns(['request_id', 'status']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('connector_tasks').execute();
      await db.schema.dropTable('connector_steps').execute();
      await db.schema.dropTable('connector_runs').execute();
    },
  },
};
