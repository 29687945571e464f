import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store, type StoreDialect } from '../../src/store/store.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';

export const PG_ADMIN_URL = process.env.MAMORI_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const storeDialects: StoreDialect[] = ['sqlite', 'postgres'];

export interface TestStore extends Store {
  url: string;
  /** Closes and drops the database (PostgreSQL) or deletes the file (SQLite). */
  drop(): Promise<void>;
}

/** A fresh, migrated store: a temporary SQLite file, or a PostgreSQL database created for this test and dropped after. */
export async function createTestStore(dialect: StoreDialect, opts: { migrate?: boolean } = {}): Promise<TestStore> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-test-'));
    const url = `sqlite:${join(dir, 'mamori.sqlite')}`;
    const store = await openStore(url);
    if (opts.migrate !== false) await migrateToLatest(store);
    return { ...store, db: store.db, dialect: store.dialect, url, close: store.close, async drop() { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const name = `mamori_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const store = await openStore(url);
  if (opts.migrate !== false) await migrateToLatest(store);
  let closed = false;
  return {
    db: store.db,
    dialect: store.dialect,
    url,
    async close() { if (!closed) { closed = true; await store.close(); } },
    async drop() {
      if (!closed) { closed = true; await store.close(); }
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
