import type SQLite from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';

/**
 * SQLite's request transactions, cheaper (bench/filing-profile.ts: a filing's commit, the WAL write of its pages,
 * was its largest single cost):
 * - statements run inside go to better-sqlite3 directly: the transaction holds the store's only connection (Kysely's
 *   lock) from begin to commit, so nothing else runs on it meanwhile (`heldSqliteStatements`);
 * - transactions asked for in the same turn of the event loop (filings arriving together) share one commit, each in
 *   its own savepoint: one that fails is rolled back to its savepoint alone, exactly as its own transaction would be,
 *   and the others go on; every caller is answered only after the shared commit. Should the commit fail, or SQLite
 *   end the whole transaction on an error (disk full, I/O error), nothing of the group was committed and every
 *   caller in it gets the error. One caller alone is one transaction, as before, plus a savepoint.
 */

/** A SQLite connection's kept statements (prepared on first use) and its transaction state. */
export interface SqliteStatements {
  prepare(text: string): SQLite.Statement;
  readonly inTransaction: boolean;
}

const statementsOf = new WeakMap<Kysely<any>, SqliteStatements>();
const heldBy = new WeakMap<Kysely<any>, SqliteStatements>();
const queues = new WeakMap<Kysely<any>, Queue>();

/** At most this many transactions share a commit, so other work on the connection waits little. */
const MAX_GROUP = 32;

interface Waiting {
  fn: (trx: Transaction<any>) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Queue {
  waiting: Waiting[];
  scheduled: boolean;
}

/** Called by openStore for a SQLite store: its Kysely instance and the connection's statements. */
export function registerSqliteStatements(db: Kysely<any>, statements: SqliteStatements): void {
  statementsOf.set(db, statements);
}

/** The SQLite statements of the connection `db` holds, when it is a `sqliteTransaction` in progress. */
export function heldSqliteStatements(db: Kysely<any>): SqliteStatements | undefined {
  return heldBy.get(db);
}

/** `fn` in a transaction of `db` (see above); undefined when `db` is no SQLite store (the caller uses Kysely's). */
export function sqliteTransaction<D, T>(db: Kysely<D>, fn: (trx: Transaction<D>) => Promise<T>): Promise<T> | undefined {
  const statements = statementsOf.get(db);
  if (!statements) return undefined;
  let queue = queues.get(db);
  if (!queue) {
    queue = { waiting: [], scheduled: false };
    queues.set(db, queue);
  }
  const q = queue;
  return new Promise<T>((resolve, reject) => {
    q.waiting.push({ fn: fn as Waiting['fn'], resolve: resolve as Waiting['resolve'], reject });
    if (q.scheduled) return;
    q.scheduled = true;
    // After the callbacks of this turn (other requests that arrived with this one) have queued theirs.
    setImmediate(() => void runGroups(db, statements, q));
  });
}

async function runGroups(db: Kysely<any>, statements: SqliteStatements, queue: Queue): Promise<void> {
  try {
    while (queue.waiting.length > 0) await runGroup(db, statements, queue.waiting.splice(0, MAX_GROUP));
  } finally {
    queue.scheduled = false;
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

async function runGroup(db: Kysely<any>, statements: SqliteStatements, group: Waiting[]): Promise<void> {
  const outcomes: Outcome[] = [];
  const run = (text: string) => statements.prepare(text).run();
  try {
    await db.transaction().execute(async (trx) => {
      heldBy.set(trx, statements);
      try {
        for (const item of group) {
          run('savepoint mamori_one');
          let outcome: Outcome;
          try {
            const value = await item.fn(trx);
            run('release mamori_one');
            outcome = { ok: true, value };
          } catch (error) {
            outcome = { ok: false, error };
            // SQLite ended the whole transaction (disk full, I/O error): nothing of the group will commit.
            if (!statements.inTransaction) {
              outcomes.push(outcome);
              throw error;
            }
            run('rollback to mamori_one');
            run('release mamori_one');
          }
          outcomes.push(outcome);
        }
      } finally {
        heldBy.delete(trx);
      }
    });
  } catch (error) {
    // Begin or commit failed, or the transaction ended: no one's work in the group was committed.
    for (let i = 0; i < group.length; i++) {
      const own = outcomes[i];
      outcomes[i] = own && !own.ok ? own : { ok: false, error };
    }
  }
  group.forEach((item, i) => {
    const outcome = outcomes[i]!;
    if (outcome.ok) item.resolve(outcome.value);
    else item.reject(outcome.error);
  });
}
