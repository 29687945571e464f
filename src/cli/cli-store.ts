import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, parseSecret } from '../config.ts';
import { registerAuditKey } from '../audit/audit-key.ts';
import { assertStoreSecret } from '../audit/audit-secret-check.ts';
import { assertNoRotationUnderway } from '../secret/secret-rotation-state.ts';
import { openStore, type Store } from '../store/store.ts';
import { migrateToLatest } from '../store/migrate.ts';

/** Where the CLI found the server secret: the environment, or the data directory's generated file. */
export type SecretSource = { kind: 'env' } | { kind: 'file'; path: string };

/**
 * The server secret the CLI can see without creating one: MAMORI_SECRET, else the `secret.key` the server wrote in
 * the data directory. Undefined when neither exists (audit appends are then unsigned, and verify cannot check MACs).
 */
export function cliSecret(dataDir: string): { secret: Buffer; source: SecretSource } | undefined {
  if (process.env.MAMORI_SECRET) return { secret: parseSecret(process.env.MAMORI_SECRET), source: { kind: 'env' } };
  const file = join(dataDir, 'secret.key');
  return existsSync(file) ? { secret: parseSecret(readFileSync(file, 'utf8').trim()), source: { kind: 'file', path: file } } : undefined;
}

/**
 * Opens and migrates a store, then refuses it as the server does: while a secret rotation is unfinished
 * (`MAMORI_SECRET_ROTATION_UNFINISHED`), or when `secret` is not the one its audit chain was signed with
 * (`MAMORI_SECRET_MISMATCH`), so a command never signs rows or seals files under the wrong key. Registers the audit key.
 */
export async function openKeyedStore(url: string, secret: Buffer | undefined): Promise<Store> {
  const store = await openStore(url);
  try {
    await migrateToLatest(store);
    await assertNoRotationUnderway(store.db);
    if (secret) {
      await assertStoreSecret(store.db, secret);
      registerAuditKey(store.db, secret);
    }
    return store;
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * Opens the store the server uses: `--database`, else DATABASE_URL, else the default SQLite file; checks and registers
 * the server secret (see `openKeyedStore`) so appends are signed and verify checks the anchor.
 */
export async function openCliStore(database: string | undefined): Promise<Store> {
  const config = loadConfig(process.env, { secret: Buffer.alloc(32) });
  return openKeyedStore(database ?? config.databaseUrl, cliSecret(config.dataDir)?.secret);
}

/**
 * Opens the configured store, migrated, with the server secret (generated once into the data directory when absent,
 * as the server does); for commands that write staff credentials or run connectors. The caller closes it.
 */
export async function openSecretStore(): Promise<Store> {
  const config = loadConfig(process.env);
  return openKeyedStore(config.databaseUrl, config.secret);
}
