import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, parseSecret } from '../config.ts';
import { registerAuditKey } from '../audit/audit-key.ts';
import { openStore, type Store } from '../store/store.ts';
import { migrateToLatest } from '../store/migrate.ts';

/**
 * The server secret the CLI can see without creating one: MAMORI_SECRET, else the `secret.key` the server wrote in
 * the data directory. Undefined when neither exists (audit appends are then unsigned, and verify cannot check MACs).
 */
function cliSecret(dataDir: string): Buffer | undefined {
  if (process.env.MAMORI_SECRET) return parseSecret(process.env.MAMORI_SECRET);
  const file = join(dataDir, 'secret.key');
  return existsSync(file) ? parseSecret(readFileSync(file, 'utf8').trim()) : undefined;
}

/**
 * Opens the store the server uses: `--database`, else DATABASE_URL, else the default SQLite file; registers the
 * audit key (from the server secret) so appends are signed and verify checks the anchor.
 */
export async function openCliStore(database: string | undefined): Promise<Store> {
  const config = loadConfig(process.env, { secret: Buffer.alloc(32) });
  const store = await openStore(database ?? config.databaseUrl);
  await migrateToLatest(store);
  const secret = cliSecret(config.dataDir);
  if (secret) registerAuditKey(store.db, secret);
  return store;
}

/**
 * Opens the configured store, migrated, with the server secret (generated once into the data directory when absent,
 * as the server does); for commands that write staff credentials. The caller closes it.
 */
export async function openSecretStore(): Promise<Store> {
  const config = loadConfig(process.env);
  const store = await openStore(config.databaseUrl);
  await migrateToLatest(store);
  registerAuditKey(store.db, config.secret);
  return store;
}
