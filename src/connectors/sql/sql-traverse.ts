import type { SqlEngine } from '../graph-schema.ts';
import type { CollectionPlan, DatasetPlan } from '../graph-plan.ts';
import { keyText, quoteIdent, type SqlQueryable } from './sql-connection.ts';
import { runBounded } from './run-bounded.ts';
import type { Batch, Identities, KeyValues } from './sql-executor-types.ts';

/** What a traversal read: the keys children need and, per collection read, its rows (primary key included). */
export interface Traversal {
  keys: KeyValues;
  rows: Map<string, Array<Record<string, unknown>>>;
}

/**
 * How the person's rows are found in one SQL dataset: the WHERE clauses per collection, keyset-paginated reads and
 * the forward pass from the identities through followed references. Every statement is set-based.
 * @example const t = createTraversal(plan, 'postgres', { chunkSize: 500, pageSize: 5000, concurrency: 4 });
 */
export function createTraversal(plan: DatasetPlan, engine: SqlEngine, opts: { chunkSize: number; pageSize: number; concurrency: number }) {
  const { chunkSize, pageSize, concurrency } = opts;
  const q = (name: string) => quoteIdent(engine, name);
  const table = (cp: CollectionPlan) => q(cp.collection.name);

  /** The statements' WHERE clauses that select the person's rows of a collection (identity match, then each IN chunk). */
  function batches(cp: CollectionPlan, ids: Identities, keys: KeyValues): Batch[] {
    const out: Batch[] = [];
    const seeds = cp.seeds.filter((s) => ids[s.identity] !== undefined);
    // MySQL/MariaDB compare with the column's collation (case-insensitive by default) and keep using the index.
    const lower = (s: CollectionPlan['seeds'][number]) => s.caseInsensitive && engine !== 'mysql';
    if (seeds.length > 0) out.push({ where: seeds.map((s) => (lower(s) ? `lower(${q(s.field)}) = ?` : `${q(s.field)} = ?`)).join(' or '), params: seeds.map((s) => (lower(s) ? (ids[s.identity] ?? '').toLowerCase() : ids[s.identity])) });
    const refs = [...cp.via, ...cp.selfVia.map((v) => ({ ...v, parent: cp.collection.name }))];
    for (const v of refs) {
      const values = keys.get(v.parent)?.get(v.parentField) ?? [];
      for (let i = 0; i < values.length; i += chunkSize) {
        const chunk = values.slice(i, i + chunkSize);
        out.push({ where: `${q(v.field)} in (${chunk.map(() => '?').join(', ')})`, params: chunk });
      }
    }
    // One person usually fits in one statement: merge the predicates while the parameters stay within a chunk, so a
    // row matched by two paths is read, counted and changed once.
    const merged: Batch[] = [];
    for (const b of out) {
      const last = merged[merged.length - 1];
      if (last && last.params.length + b.params.length <= chunkSize) merged[merged.length - 1] = { where: `(${last.where}) or (${b.where})`, params: [...last.params, ...b.params] };
      else merged.push(b);
    }
    return merged;
  }

  /** Keyset-paginated read of `columns` for the rows of one batch. */
  async function* readPages(db: SqlQueryable, cp: CollectionPlan, batch: Batch, columns: string[]): AsyncGenerator<Array<Record<string, unknown>>> {
    const pk = cp.collection.primary_key;
    const cols = [...new Set([...pk, ...columns])].map(q).join(', ');
    const order = pk.map(q).join(', ');
    let after: unknown[] | undefined;
    for (;;) {
      const cursor = after ? (pk.length === 1 ? ` and ${q(pk[0] ?? '')} > ?` : ` and (${order}) > (${pk.map(() => '?').join(', ')})`) : '';
      const { rows } = await db.query(`select ${cols} from ${table(cp)} where (${batch.where})${cursor} order by ${order} limit ${pageSize}`, [...batch.params, ...(after ?? [])]);
      if (rows.length > 0) yield rows;
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1] ?? {};
      after = pk.map((k) => last[k]);
    }
  }

  /** Reads every row of the person in one collection (deduplicated by primary key) and records the keys children need. */
  async function readCollection(db: SqlQueryable, cp: CollectionPlan, ids: Identities, keys: KeyValues, columns: string[]): Promise<Array<Record<string, unknown>>> {
    const seen = new Set<string>();
    const rows: Array<Record<string, unknown>> = [];
    const own = new Map<string, Set<string>>(cp.keysForChildren.map((f) => [f, new Set()]));
    const ownValues = new Map<string, unknown[]>(cp.keysForChildren.map((f) => [f, []]));
    const list = batches(cp, ids, keys);
    // With one statement the primary key already makes rows unique; only several statements need de-duplication.
    const dedupe = list.length > 1 || cp.selfVia.length > 0;
    const expanded = new Map<string, number>(cp.selfVia.map((v) => [v.parentField, 0]));
    const pending = [...list];
    for (;;) {
      const batch = pending.shift();
      if (!batch) {
        // A followed reference to itself: rows pointing at rows found so far, until no new value turns up.
        for (const v of cp.selfVia) {
          const values = ownValues.get(v.parentField) ?? [];
          const from = expanded.get(v.parentField) ?? 0;
          expanded.set(v.parentField, values.length);
          for (let i = from; i < values.length; i += chunkSize) {
            const chunk = values.slice(i, Math.min(i + chunkSize, values.length));
            pending.push({ where: `${q(v.field)} in (${chunk.map(() => '?').join(', ')})`, params: chunk });
          }
        }
        if (pending.length === 0) break;
        continue;
      }
      for await (const page of readPages(db, cp, batch, columns)) {
        for (const row of page) {
          if (dedupe) {
            const id = cp.collection.primary_key.map((k) => keyText(row[k])).join('\u0000');
            if (seen.has(id)) continue;
            seen.add(id);
          }
          rows.push(row);
          for (const f of cp.keysForChildren) {
            const v = row[f];
            if (v === null || v === undefined) continue;
            const t = keyText(v);
            if (!own.get(f)?.has(t)) {
              own.get(f)?.add(t);
              ownValues.get(f)?.push(v);
            }
          }
        }
      }
    }
    keys.set(cp.collection.name, ownValues);
    return rows;
  }

  const seeded = (cp: CollectionPlan, ids: Identities) => cp.seeds.some((s) => ids[s.identity] !== undefined);

  /**
   * Forward pass, level by level with bounded parallelism: keys for every collection (and rows, for access).
   * `erase` also reads the primary keys of the collections an identity matches directly (one read, usually one row),
   * so the erasure addresses those rows by key afterwards instead of matching the identity again (an e-mail compared
   * with `lower(…)` may have no index), and knows from that read whether anything was found at all.
   */
  async function traverse(db: SqlQueryable, ids: Identities, mode: 'access' | 'keys' | 'erase'): Promise<Traversal> {
    const full = mode === 'access';
    const keys: KeyValues = new Map();
    const rows = new Map<string, Array<Record<string, unknown>>>();
    for (const level of plan.levels) {
      const empty = full ? await emptyCollections(db, level, ids, keys) : new Set<string>();
      const work = level.map((cp) => async () => {
        if (empty.has(cp.collection.name)) {
          rows.set(cp.collection.name, []);
          keys.set(cp.collection.name, new Map(cp.keysForChildren.map((f) => [f, []])));
          return;
        }
        const columns = full ? cp.collection.fields.map((f) => f.name) : cp.keysForChildren;
        // Leaves without children need no read at all outside access: their rows are addressed by predicate.
        if (!full && columns.length === 0 && !(mode === 'erase' && (seeded(cp, ids) || cp.selfVia.length > 0))) return;
        // A collection reached only through a reference whose own values are what its children need (user.id found
        // from user_profile.userId) can pass the parent's values on: a value without a row matches nothing below.
        if (!full && cp.keysForChildren.length === 1 && !seeded(cp, ids)) {
          const only = cp.keysForChildren[0];
          const via = cp.via.filter((v) => v.field === only);
          if (via.length === cp.via.length && via.length === 1 && only) {
            const v = via[0];
            keys.set(cp.collection.name, new Map([[only, v ? (keys.get(v.parent)?.get(v.parentField) ?? []) : []]]));
            return;
          }
        }
        rows.set(cp.collection.name, await readCollection(db, cp, ids, keys, columns));
      });
      await runBounded(work, full ? concurrency : 1);
    }
    return { keys, rows };
  }

  /**
   * The WHERE clauses an erasure uses for a collection: by primary key when the traversal read its rows, they were
   * found by an identity match or a reference to itself (no second identity match, no second walk of a thread) and
   * they fit one statement; otherwise the predicates (`"userId" in (…)`, one statement for thousands of rows).
   */
  function erasureBatches(cp: CollectionPlan, ids: Identities, t: Traversal): Batch[] {
    const read = t.rows.get(cp.collection.name);
    // Past one statement's worth of keys the predicates are cheaper again (one statement instead of several).
    if (!read || read.length > chunkSize || !(seeded(cp, ids) || cp.selfVia.length > 0)) return batches(cp, ids, t.keys);
    const pk = cp.collection.primary_key;
    const cols = pk.length === 1 ? q(pk[0] ?? '') : `(${pk.map(q).join(', ')})`;
    const one = pk.length === 1 ? '?' : `(${pk.map(() => '?').join(', ')})`;
    const per = Math.max(1, Math.floor(chunkSize / pk.length));
    const out: Batch[] = [];
    for (let i = 0; i < read.length; i += per) {
      const chunk = read.slice(i, i + per);
      out.push({ where: `${cols} in (${chunk.map(() => one).join(', ')})`, params: chunk.flatMap((r) => pk.map((k) => r[k])) });
    }
    return out;
  }

  async function countRows(db: SqlQueryable, cp: CollectionPlan, ids: Identities, keys: KeyValues): Promise<number> {
    const list = batches(cp, ids, keys);
    if (list.length > 1) {
      // Several statements may match one row twice: count distinct primary keys instead.
      const seen = new Set<string>();
      for (const b of list) for await (const page of readPages(db, cp, b, [])) for (const row of page) seen.add(cp.collection.primary_key.map((k) => keyText(row[k])).join('\u0000'));
      return seen.size;
    }
    let n = 0;
    for (const b of list) {
      const { rows } = await db.query(`select count(*) as n from ${table(cp)} where ${b.where}`, b.params);
      n += Number(rows[0]?.n ?? 0);
    }
    return n;
  }

  /**
   * Which collections of one level have none of the person's rows, asked in one statement (`exists` per collection,
   * up to `chunkSize` parameters per statement), so an access reads only the tables that hold something: a schema
   * drafts many tables most people have no row in. Only collections one statement reads are asked (and only when
   * there are at least two, or the question would cost as much as the read).
   */
  async function emptyCollections(db: SqlQueryable, level: CollectionPlan[], ids: Identities, keys: KeyValues): Promise<Set<string>> {
    const asked: Array<{ name: string; batch: Batch }> = [];
    for (const cp of level) {
      const list = batches(cp, ids, keys);
      if (list.length === 1 && list[0] && cp.selfVia.length === 0) asked.push({ name: cp.collection.name, batch: list[0] });
    }
    return asked.length < 2 ? new Set() : withoutRows(db, asked);
  }

  /** Which of these tables have no row the batch selects, asked in as few statements as the parameters allow. */
  async function withoutRows(db: SqlQueryable, asked: Array<{ name: string; batch: Batch }>): Promise<Set<string>> {
    const out = new Set<string>();
    for (const group of byParameterBudget(asked, chunkSize)) {
      const cols = group.map((g, j) => `case when exists (select 1 from ${q(g.name)} where ${g.batch.where}) then 1 else 0 end as e${j}`).join(', ');
      const { rows } = await db.query(`select ${cols}`, group.flatMap((g) => g.batch.params));
      group.forEach((g, j) => {
        if (Number(rows[0]?.[`e${j}`] ?? 1) === 0) out.add(g.name);
      });
    }
    return out;
  }

  /**
   * Counts the person's rows of several collections at once: every collection whose rows one statement's predicate
   * selects is counted in one SELECT of scalar subqueries (up to `chunkSize` parameters each), so a dry run costs a
   * few round trips instead of one per table. A collection without keys (nothing of the person reaches it) is 0
   * without a statement; one that needs several statements is counted by `countRows`.
   */
  async function countAll(db: SqlQueryable, cps: CollectionPlan[], ids: Identities, keys: KeyValues): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const single: Array<{ name: string; batch: Batch }> = [];
    for (const cp of cps) {
      const list = batches(cp, ids, keys);
      if (list.length === 0) out.set(cp.collection.name, 0);
      else if (list.length > 1 || !list[0]) out.set(cp.collection.name, await countRows(db, cp, ids, keys));
      else single.push({ name: cp.collection.name, batch: list[0] });
    }
    for (const group of byParameterBudget(single, chunkSize)) {
      const cols = group.map((g, j) => `(select count(*) from ${q(g.name)} where ${g.batch.where}) as c${j}`).join(', ');
      const { rows } = await db.query(`select ${cols}`, group.flatMap((g) => g.batch.params));
      group.forEach((g, j) => out.set(g.name, Number(rows[0]?.[`c${j}`] ?? 0)));
    }
    return out;
  }

  /** Whether any row of the person exists: every reachable row hangs off a row an identity matches directly. */
  async function anyRowFound(db: SqlQueryable, ids: Identities): Promise<boolean> {
    for (const cp of plan.order) {
      if (!cp.seeds.some((s) => ids[s.identity] !== undefined)) continue;
      const seedBatch = batches(cp, ids, new Map())[0];
      if (!seedBatch) continue;
      const { rows } = await db.query(`select 1 as x from ${table(cp)} where ${seedBatch.where} limit 1`, seedBatch.params);
      if (rows.length > 0) return true;
    }
    return false;
  }

  return { batches, erasureBatches, readPages, traverse, countRows, countAll, anyRowFound, withoutRows };
}

/**
 * Consecutive groups of `items` whose batches' parameters fit in `budget` together (an item over the budget alone
 * makes a group of its own), for statements that ask about several tables at once.
 */
function* byParameterBudget<T extends { batch: { params: readonly unknown[] } }>(items: readonly T[], budget: number): Generator<T[]> {
  let group: T[] = [];
  let params = 0;
  for (const item of items) {
    if (group.length > 0 && params + item.batch.params.length > budget) {
      yield group;
      group = [];
      params = 0;
    }
    group.push(item);
    params += item.batch.params.length;
  }
  if (group.length > 0) yield group;
}
