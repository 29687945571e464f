import pg from 'pg';

/** A promise resolved or rejected from outside: a test answers a read or a batch when it chooses. */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** How many statements pg sends (every client of the process) while `fn` runs: round trips a test can count. */
export async function statementsDuring(fn: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    n += 1;
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
  try {
    await fn();
  } finally {
    pg.Client.prototype.query = query as typeof pg.Client.prototype.query;
  }
  return n;
}
