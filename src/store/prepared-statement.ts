import type SQLite from 'better-sqlite3';
import { CompiledQuery, type QueryResult } from 'kysely';
import type { Database } from './database.ts';
import { dialectOf, type DbOrTrx } from './store.ts';
import { heldSqliteStatements } from './sqlite-transactions.ts';
import { CARRIES_DEFERRED, CARRIES_DEFERRED_UNTIL_COMMIT, DEFERRABLE_INSERT, carriesDeferredExcept } from './postgres-deferred-writes.ts';

/** A value a prepared statement binds: what both drivers accept without conversion. */
export type BoundValue = string | number | null;

/** One fixed SQL text, written once with `?` placeholders, run with its parameters bound. */
export interface PreparedStatement<R> {
  run(db: DbOrTrx, params: readonly BoundValue[]): Promise<QueryResult<R>>;
}

/**
 * A statement on a hot path (every filing runs about a dozen), handed to the driver as written: Kysely's builder
 * would rebuild and recompile the same SQL on every call, which a profile of a filing showed costs more than the
 * database work itself (bench/filing-profile.ts). The text is the same on every call, so better-sqlite3 keeps it
 * prepared (the store's statement cache). `?` placeholders become `$1, $2 …` once for PostgreSQL; the text must
 * hold no other `?` (no string literals with one).
 *
 * `round` (PostgreSQL only, see store/postgres-deferred-writes.ts): `deferrable` for an insert whose result is never
 * read, which may then wait inside the transaction and travel with the next statement; `carries_deferred` for a
 * statement that reads no table a deferrable insert writes, which may carry the waiting inserts; `{ carriesDeferredExcept }`
 * for one that reads only that table of those a deferrable insert may write, which carries them unless one waits for it;
 * `carries_deferred_until_commit` for a carrier whose result is never read and after which the transaction does
 * nothing it must see the error of at once (the audit append): it may wait and go with the `commit`.
 * @example const touch = preparedStatement<{ n: number }>('update t set n = n + 1 where id = ? returning n'); await touch.run(trx, [id]);
 */
export function preparedStatement<R = never>(text: string, round?: 'deferrable' | 'carries_deferred' | 'carries_deferred_until_commit' | { carriesDeferredExcept: string }): PreparedStatement<R> {
  const sqliteText = text.replace(/\s+/g, ' ').trim();
  let n = 0;
  const marker = round === 'deferrable' ? DEFERRABLE_INSERT : round === 'carries_deferred' ? CARRIES_DEFERRED : round === 'carries_deferred_until_commit' ? CARRIES_DEFERRED_UNTIL_COMMIT : round ? carriesDeferredExcept(round.carriesDeferredExcept) : '';
  const postgresText = marker + sqliteText.replace(/\?/g, () => `$${(n += 1)}`);
  return {
    run(db, params) {
      if (n !== 0 && params.length !== n) throw new Error(`prepared statement expects ${n} parameters, got ${params.length}`);
      const held = heldSqliteStatements(db);
      if (held) return runHeld(held.prepare(sqliteText), params);
      return db.executeQuery(CompiledQuery.raw(dialectOf(db) === 'postgres' ? postgresText : sqliteText, [...params])) as Promise<QueryResult<R>>;
    },
  };
}

/** What Kysely's SQLite driver would answer, from better-sqlite3 directly (see store/sqlite-transactions.ts). */
function runHeld<R>(stmt: SQLite.Statement, params: readonly BoundValue[]): Promise<QueryResult<R>> {
  try {
    if (stmt.reader) return Promise.resolve({ rows: stmt.all(params) as R[] });
    const { changes, lastInsertRowid } = stmt.run(params);
    return Promise.resolve({ rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) });
  } catch (err) {
    return Promise.reject(err);
  }
}

const inserts = new Map<string, PreparedStatement<never>>();

/**
 * Inserts one row through a prepared statement made from the row's own columns (one per table and column set, kept).
 * Every value must already be in the store's conventions (text, number or null; see store.ts). Nothing is returned:
 * on PostgreSQL inside a transaction the insert may wait and go with the transaction's next statement (one round
 * trip less; an error then fails that statement, and the transaction with it).
 * @example await insertRow(trx, 'mail_outbox', { id, created_at: now, … });
 */
export async function insertRow<Tb extends keyof Database & string>(db: DbOrTrx, table: Tb, row: Database[Tb]): Promise<void> {
  const columns = Object.keys(row);
  const key = `${table}(${columns.join(',')})`;
  let stmt = inserts.get(key);
  if (!stmt) {
    stmt = preparedStatement(`insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`, 'deferrable');
    inserts.set(key, stmt);
  }
  const values = Object.values(row).map((v: unknown): BoundValue => {
    if (v === null || typeof v === 'string' || typeof v === 'number') return v;
    throw new TypeError(`insertRow(${table}): a value is neither text, number nor null`);
  });
  await stmt.run(db, values);
}
