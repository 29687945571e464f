import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresAdapter, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import type { Database } from './database.ts';
import { MamoriError } from '../errors.ts';
import { deferMarkedInserts } from './postgres-deferred-writes.ts';
import { registerSqliteStatements, sqliteTransaction, type SqliteStatements } from './sqlite-transactions.ts';

export type StoreDialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
/** Either the database or an open transaction: services accept this so callers choose the transaction boundary. */
export type DbOrTrx = Kysely<Database> | Transaction<Database>;

export interface Store {
  readonly db: Db;
  readonly dialect: StoreDialect;
  /** The URL the store was opened with (PostgreSQL: the change feed opens its own connection to it). */
  readonly url?: string;
  close(): Promise<void>;
}

/**
 * Opens the store named by a URL: `sqlite:<path>` (or a bare path, or `:memory:`) or `postgres://…`.
 * SQLite runs in WAL mode with foreign keys on.
 * @example const store = await openStore('sqlite:./data/mamori.sqlite'); await migrateToLatest(store);
 */
export async function openStore(url: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    pool.on('error', () => {
      /* idle client errors surface on the next query; never crash the process here */
    });
    // A client checked out by Kysely has no 'error' listener of its own: a backend terminated between two statements
    // (57P01) would emit an unhandled 'error' and end the process. The query in flight fails instead (503 at the HTTP
    // edge), the pool drops the broken client when it is released and opens a new one on demand.
    pool.on('connect', (client) => {
      client.on('error', () => {});
      deferMarkedInserts(client);
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      await sql`select 1`.execute(db);
    } catch (err) {
      await db.destroy();
      throw new MamoriError('MAMORI_CONFIG_INVALID', `Cannot connect to PostgreSQL at DATABASE_URL: ${(err as Error).message}`);
    }
    return { db, dialect: 'postgres', url, close: () => db.destroy() };
  }
  if (/^[a-z]+:\/\//.test(url) && !url.startsWith('file://')) {
    throw new MamoriError('MAMORI_CONFIG_INVALID', `Unsupported DATABASE_URL scheme in "${url.replace(/\/\/.*@/, '//***@')}": use sqlite:<path> or postgres://…`);
  }
  const path = url.replace(/^sqlite:/, '').replace(/^file:\/\//, '');
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const database = new SQLite(path);
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  const statements = withStatementCache(database);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  registerSqliteStatements(db, statements);
  return { db, dialect: 'sqlite', url, close: () => db.destroy() };
}

/**
 * Kysely's SQLite driver prepares every statement anew; a profile of a filing (bench/filing-profile.ts) showed
 * compiling SQL in SQLite as one of its largest costs. The same few hundred statements recur, so keep them prepared,
 * keyed by their SQL text (parameters are bound per call). Bounded: a flood of distinct texts (`in (…)` lists of
 * varying length) empties the cache rather than growing it.
 */
function withStatementCache(database: SQLite.Database, max = 500): SqliteStatements & { close(): void } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    get inTransaction() {
      return database.inTransaction;
    },
    close: () => {
      cache.clear();
      database.close();
    },
    prepare(text: string) {
      let stmt = cache.get(text);
      // A statement still being iterated (a streamed query) cannot run twice at once: prepare a fresh one then.
      if (!stmt || stmt.busy) {
        stmt = database.prepare(text);
        if (cache.size >= max) cache.clear();
        cache.set(text, stmt);
      }
      return stmt;
    },
  };
}

/**
 * Runs `fn` in one transaction of the store: Kysely's on PostgreSQL; on SQLite with its statements run directly and
 * its commit shared with transactions asked for at the same moment (store/sqlite-transactions.ts).
 */
export function storeTransaction<T>(store: Store, fn: (trx: DbOrTrx) => Promise<T>): Promise<T> {
  return sqliteTransaction(store.db, fn) ?? store.db.transaction().execute(fn);
}

/** Which SQL dialect a Kysely instance (or transaction) talks to. */
export function dialectOf(db: Kysely<any>): StoreDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Conventions shared by every table: ISO-8601 UTC text for times, 0/1 integers for booleans, JSON as text. */
export const toDbBool = (v: boolean): number => (v ? 1 : 0);
export const fromDbBool = (v: number | boolean | null | undefined): boolean => v === 1 || v === true;
export const toDbTime = (d: Date): string => d.toISOString();
