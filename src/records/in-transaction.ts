import type { Transaction } from 'kysely';
import type { Database } from '../store/database.ts';
import type { DbOrTrx } from '../store/store.ts';

/** Runs `fn` in the caller's transaction when given one, else in a new one: services compose without nesting. */
export function inTransaction<T>(db: DbOrTrx, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<Database>);
  return db.transaction().execute(fn);
}
