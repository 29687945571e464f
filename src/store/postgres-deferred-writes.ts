import pg from 'pg';
/**
 * Fewer round trips on PostgreSQL: inside a transaction, an insert marked deferrable (its result is never read) waits
 * on the connection and travels with the next statement as a data-modifying CTE, so a filing's dozen statements take
 * about half as many round trips. Each round trip costs the server process a socket write and read plus the driver's
 * work, which a profile showed as the largest share of a filing's CPU on PostgreSQL (bench/filing-profile.ts).
 *
 * Order and atomicity stay those of the code as written:
 * - a waiting insert runs before anything the transaction does next: a statement marked as combinable (it reads no
 *   table a deferrable insert writes) carries the waiting inserts in its own `with`; any other statement, `commit`
 *   and a savepoint first send them on their own;
 * - `rollback` drops them (they never ran); outside a transaction nothing waits (the connection goes back to the pool);
 * - an insert that fails fails the statement that carried it, inside the same transaction, which then rolls back.
 * Foreign keys hold: PostgreSQL checks them at the end of the whole statement, after every CTE has run.
 *
 * `begin` waits too: it goes in the same write as the transaction's first statement (extended protocol, both before
 * one Sync), so a transaction costs one round trip less. PostgreSQL runs them in order, exactly as two round trips
 * would; should the statement fail, the transaction is open and failed, and the caller's `rollback` ends it. A
 * `rollback` before any statement was sent sends nothing (nothing began).
 *
 * A statement marked `carries_deferred_until_commit` (a transaction's last write, whose result is never read: the
 * audit chain's append) carries the waiting inserts and then waits itself: `commit` goes in the same write after it
 * (one round trip less again). Any other statement sends it first, on its own; `rollback` drops it. Should it fail,
 * the commit is not run (PostgreSQL skips to the Sync) and fails with its error: the transaction rolls back.
 */

/** Starts an insert's SQL when its caller never reads its result and it may wait for the next statement. */
export const DEFERRABLE_INSERT = '/* mamori:deferrable */ ';
/** Starts a statement that reads no table a deferrable insert writes, so waiting inserts may travel inside it. */
export const CARRIES_DEFERRED = '/* mamori:carries-deferred */ ';
/**
 * Starts a statement that reads one table a deferrable insert may write (`table`) and no other: waiting inserts into
 * other tables travel inside it; should one into `table` wait, all are sent first on their own (a CTE's rows are not
 * seen by the rest of its statement).
 */
/** A carrier whose result is never read and that may wait for the transaction's `commit` (see above). */
export const CARRIES_DEFERRED_UNTIL_COMMIT = '/* mamori:carries-deferred until-commit */ ';
export const carriesDeferredExcept = (table: string): string => `/* mamori:carries-deferred except "${table}" */ `;
const EXCEPT = /^\/\* mamori:carries-deferred except "([a-z_]+)" \*\/ /;

interface Waiting {
  text: string;
  params: unknown[];
}

interface QueryResultLike {
  rows: unknown[];
  rowCount: number | null;
  command: string;
}

type PromiseQuery = (text: string, params?: unknown[]) => Promise<QueryResultLike>;

/** A plain `begin` (Kysely's), which may wait for the transaction's first statement. */
const PLAIN_BEGIN = /^\s*begin\s*;?\s*$/i;

/** What of pg's connection a query's `submit` writes through (pg's own methods; its typings leave them out). */
interface PgWire {
  stream: { cork?: () => void; uncork?: () => void };
  parse(query: { text: string; name: string; types: unknown[] }): void;
  bind(config: { portal: string; statement: string; values: unknown[] }): void;
  execute(config: { portal: string; rows: number }): void;
}

const isResult = (x: unknown): x is QueryResultLike => typeof x === 'object' && x !== null && 'rows' in x && Array.isArray(x.rows);

/** A value as the wire carries it: pg's own Query converts its values likewise (text, or null). */
const onWire = (v: unknown): string | Buffer | null => (v === null || v === undefined ? null : Buffer.isBuffer(v) ? v : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * pg's own Query for `text` (extended protocol) with statements `ahead` of it in the same write: parse, bind and
 * execute of each, then the statement's own messages and one Sync. PostgreSQL runs them in order; after an error it
 * skips the rest. pg answers with every result; `done` gets the last (the statement's).
 */
function pipelined(ahead: readonly Waiting[], text: string, params: unknown[], done: (err: Error | null, res?: QueryResultLike) => void): pg.Query {
  const config = { text, values: params, queryMode: 'extended' };
  const query = new pg.Query(config, undefined, (err: Error | null | undefined, res: unknown) => {
    const last: unknown = Array.isArray(res) ? res[res.length - 1] : res;
    done(err ?? null, isResult(last) ? last : undefined);
  });
  const own = query as unknown as { submit(wire: PgWire): Error | null };
  const submit = own.submit.bind(query);
  own.submit = (wire) => {
    wire.stream.cork?.();
    try {
      for (const a of ahead) {
        wire.parse({ text: a.text, name: '', types: [] });
        wire.bind({ portal: '', statement: '', values: a.params.map(onWire) });
        wire.execute({ portal: '', rows: 0 });
      }
      return submit(wire);
    } finally {
      wire.stream.uncork?.();
    }
  };
  return query;
}

/** The smallest part of a pg client this needs: Kysely's driver calls `query(text, params)` and awaits it. */
export interface QueryingClient {
  query: unknown;
}

/**
 * Teaches one pooled client to defer marked inserts (call it from the pool's `connect` event). Only the promise form
 * `query(text, params)` with a text is deferred or rewritten; any other call form goes through untouched.
 */
export function deferMarkedInserts(client: QueryingClient): void {
  const original = client.query as (...args: unknown[]) => unknown;
  const waiting: Waiting[] = [];
  let inTransaction = false;
  let beginWaiting = false;
  let held: Waiting | null = null; // a carrier waiting for the commit
  // Sends `text`, with a waiting `begin` and a held statement ahead of it in the same write (synchronously queued on
  // the client, so calls keep their order).
  const send = (text: string, params: unknown[]): Promise<QueryResultLike> => {
    const ahead: Waiting[] = [];
    if (beginWaiting) ahead.push({ text: 'begin', params: [] });
    if (held) ahead.push(held);
    beginWaiting = false;
    held = null;
    if (ahead.length === 0) return original.call(client, text, params) as Promise<QueryResultLike>;
    return new Promise((resolve, reject) => {
      original.call(client, pipelined(ahead, text, params, (err, res) => (err || !res ? reject(err ?? new Error('no result')) : resolve(res))));
    });
  };
  // The waiting inserts go first, then the statement that made them go (one query at a time on a client, as pg wants).
  const afterWaiting = async (text: string, params: unknown[]): Promise<QueryResultLike> => {
    if (waiting.length > 0) {
      const flushed = combine(waiting.splice(0), null, []);
      await send(flushed.text, flushed.params);
    }
    return send(text, params);
  };
  const query: PromiseQuery = (text, params = []) => {
    if (text.startsWith(DEFERRABLE_INSERT) && inTransaction) {
      waiting.push({ text: text.slice(DEFERRABLE_INSERT.length), params });
      return Promise.resolve({ rows: [], rowCount: 1, command: 'INSERT' });
    }
    const word = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase();
    if (word === 'rollback' && !/^\s*rollback\s+to\b/i.test(text)) {
      waiting.length = 0;
      held = null;
      inTransaction = false;
      if (beginWaiting) {
        beginWaiting = false;
        return Promise.resolve({ rows: [], rowCount: null, command: 'ROLLBACK' });
      }
      return send(text, params);
    }
    if (PLAIN_BEGIN.test(text) && !inTransaction && waiting.length === 0) {
      inTransaction = true;
      beginWaiting = true;
      return Promise.resolve({ rows: [], rowCount: null, command: 'BEGIN' });
    }
    if (text.startsWith(CARRIES_DEFERRED_UNTIL_COMMIT)) {
      const main = text.slice(CARRIES_DEFERRED_UNTIL_COMMIT.length);
      if (!inTransaction) return afterWaiting(main, params);
      const combined = combine(waiting.splice(0), main, params);
      // One held at a time: an earlier one goes first, on its own (with a waiting begin ahead of it).
      const earlier = held;
      held = null;
      const sent = earlier ? send(earlier.text, earlier.params) : null;
      held = combined;
      // Its count is not known until it runs, and its caller never reads it.
      return (sent ?? Promise.resolve()).then(() => ({ rows: [], rowCount: 0, command: 'INSERT' }));
    }
    if (text.startsWith(CARRIES_DEFERRED) && waiting.length > 0) {
      const combined = combine(waiting.splice(0), text.slice(CARRIES_DEFERRED.length), params);
      return send(combined.text, combined.params);
    }
    const except = EXCEPT.exec(text);
    if (except) {
      const main = text.slice(except[0].length);
      const into = `insert into "${except[1]}" `;
      if (waiting.length > 0 && !waiting.some((w) => w.text.startsWith(into))) {
        const combined = combine(waiting.splice(0), main, params);
        return send(combined.text, combined.params);
      }
      return afterWaiting(main, params);
    }
    if (word === 'begin' || word === 'start') inTransaction = true;
    else if (word === 'commit' || word === 'end') inTransaction = false;
    return afterWaiting(text, params);
  };
  client.query = function (this: unknown, ...args: unknown[]) {
    const [text, params] = args;
    if (typeof text === 'string' && args.length <= 2 && (params === undefined || Array.isArray(params))) return query(text, params ?? []);
    // Another form (a cursor for a streamed query): the waiting inserts are queued on the client ahead of it, in
    // order; should one fail, the transaction is aborted and the query after it fails too.
    if (held) {
      const h = held; // a waiting begin rides ahead of it
      held = null;
      send(h.text, h.params).catch(() => {});
    } else if (beginWaiting) {
      beginWaiting = false;
      (original.call(client, 'begin') as Promise<unknown>).catch(() => {});
    }
    if (waiting.length > 0) {
      const flushed = combine(waiting.splice(0), null, []);
      send(flushed.text, flushed.params).catch(() => {});
    }
    return original.apply(client, args);
  };
}

/**
 * One statement: the waiting inserts as CTEs, then `main` (or, without one, the last insert). The main statement
 * keeps its `$1…$m`; each insert's placeholders move past them. Insert texts hold no `$` but their placeholders
 * (prepared-statement.ts writes them from column names).
 */
function combine(inserts: Waiting[], main: string | null, mainParams: unknown[]): Waiting {
  const all = main === null ? inserts.slice(0, -1) : inserts;
  const last = main === null ? inserts[inserts.length - 1]! : null;
  const params = [...(last ? last.params : mainParams)];
  const counts = [params.length];
  for (const w of all) {
    counts.push(w.params.length);
    params.push(...w.params);
  }
  return { text: combinedText(all, last ? last.text : main!, counts), params };
}

/**
 * The texts combined, kept: a filing combines the same few fixed texts every time, and renumbering its 77
 * placeholders and joining 2.6 kB of SQL on every call showed in the profile (bench/filing-profile.ts). Looked up by
 * the texts themselves, one map per position (each text a constant whose hash V8 keeps), so a lookup reads no SQL;
 * the parameter counts it was made with are checked too, since the renumbering depends on them.
 */
interface CombinedTexts {
  made: { text: string; counts: readonly number[] } | null;
  next: Map<string, CombinedTexts>;
}
const combinedTexts: CombinedTexts = { made: null, next: new Map() };
/** Bounds the kept texts should some caller combine texts without end (each kept one is a few kB). */
const MAX_COMBINED_TEXTS = 500;
let combinedCount = 0;

/** `body` (the main statement, or the last insert) after `ctes` as CTEs; `counts`: the body's parameters, then each CTE's. */
function combinedText(ctes: readonly Waiting[], body: string, counts: readonly number[]): string {
  if (ctes.length === 0) return body;
  let node = combinedTexts;
  for (let i = -1; i < ctes.length; i++) {
    const key = i < 0 ? body : ctes[i]!.text;
    let child = node.next.get(key);
    if (!child) {
      if (combinedCount >= MAX_COMBINED_TEXTS) return buildCombinedText(ctes, body, counts);
      child = { made: null, next: new Map() };
      node.next.set(key, child);
    }
    node = child;
  }
  if (node.made === null) {
    node.made = { text: buildCombinedText(ctes, body, counts), counts };
    combinedCount += 1;
  }
  return sameCounts(node.made.counts, counts) ? node.made.text : buildCombinedText(ctes, body, counts);
}

function sameCounts(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function buildCombinedText(ctes: readonly Waiting[], body: string, counts: readonly number[]): string {
  let offset = counts[0]!;
  const parts = ctes.map((w, i) => {
    const at = offset;
    offset += counts[i + 1]!;
    return `mamori_deferred_${i} as (${w.text.replace(/\$(\d+)/g, (_m, n: string) => `$${Number(n) + at}`)})`;
  });
  const withBody = /^\s*with\s+/i.exec(body);
  return withBody ? `with ${parts.join(', ')}, ${body.slice(withBody[0].length)}` : `with ${parts.join(', ')} ${body}`;
}
