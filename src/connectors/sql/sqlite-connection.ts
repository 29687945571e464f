import SQLite from 'better-sqlite3';
import type { SqlConnection, SqlQueryable, SqlResult } from './sql-connection.ts';
import { rowsSchema } from './sql-connection.ts';

/**
 * Opens a SQLite database file for one dataset (`sqlite:/path/app.db` or a path). Transactions are serialized:
 * better-sqlite3 is synchronous, so a queue keeps an async transaction from interleaving with other statements.
 */
export function createSqliteConnection(url: string): SqlConnection {
  const db = new SQLite(url.replace(/^sqlite:/, '').replace(/^file:\/\//, ''));
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  let tail: Promise<unknown> = Promise.resolve();
  const exec = (sql: string, params: readonly unknown[] = []): SqlResult => {
    const stmt = db.prepare(sql);
    const values = params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
    if (stmt.reader) return { rows: rowsSchema.parse(stmt.all(...values)), rowCount: 0 };
    return { rows: [], rowCount: stmt.run(...values).changes };
  };
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = tail.then(fn, fn);
    tail = next.catch(() => undefined);
    return next;
  };
  return {
    engine: 'sqlite',
    query: (sql, params) => serial(async () => exec(sql, params)),
    transaction: (fn) =>
      serial(async () => {
        db.exec('begin immediate');
        try {
          const tx: SqlQueryable = { query: async (sql, params) => exec(sql, params) };
          const out = await fn(tx);
          db.exec('commit');
          return out;
        } catch (err) {
          if (db.inTransaction) db.exec('rollback');
          throw err;
        }
      }),
    close: async () => {
      db.close();
    },
  };
}
