import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Store } from './store.ts';
import { coreMigrations } from './core-migrations.ts';
import { requestMigrations } from '../requests/request-migrations.ts';
import { connectorMigrations } from '../connectors/connector-migrations.ts';
import { consentMigrations } from '../consent/consent-migrations.ts';
import { recordMigrations } from '../records/record-migrations.ts';
import { staffMigrations } from '../staff/staff-migrations.ts';

/** Every domain's migrations, in name order. Ranges: core 00xx, staff 01xx, requests 02xx, connectors 03xx, consent 04xx, records 05xx. */
export function allMigrations(): Record<string, Migration> {
  const all: Record<string, Migration> = {};
  for (const group of [coreMigrations, staffMigrations, requestMigrations, connectorMigrations, consentMigrations, recordMigrations]) {
    for (const [name, migration] of Object.entries(group)) {
      if (name in all) throw new Error(`duplicate migration name ${name}`);
      all[name] = migration;
    }
  }
  return all;
}

const provider: MigrationProvider = { getMigrations: async () => allMigrations() };

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(store: Store): Promise<void> {
  const migrator = new Migrator({ db: store.db, provider, allowUnorderedMigrations: true });
  // Kysely's migrator takes an advisory lock on PostgreSQL, so two processes starting at once do not both migrate.
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
