import type { SqlEngine, MaskStrategy } from '../graph-schema.ts';
import type { CollectionPlan, DatasetPlan } from '../graph-plan.ts';
import type { CascadeEffect, CollectionOutcome, DatasetOutcome } from '../step-outcome.ts';
import { keyText, plainRows, quoteIdent, toPlainValue, type SqlConnection, type SqlQueryable } from './sql-connection.ts';
import { readCatalog, type ForeignKey } from './sql-catalog.ts';
import { analyseCascades, cascadeRefusal } from './cascade-analysis.ts';
import { isMaskedValue, maskedValue, randomMaskSql } from './mask-values.ts';
import { runBounded } from './run-bounded.ts';
import type { Batch, Identities, KeyValues, SqlExecutorOptions } from './sql-executor-types.ts';

export type { SqlExecutorOptions } from './sql-executor-types.ts';

/**
 * Runs the person's work on one SQL dataset. Every statement is set-based: one SELECT page, DELETE or UPDATE per
 * collection per batch of keys, never one per row. Erasure, correction and suspension run in one transaction.
 * @example const out = await createSqlExecutor(plan, conn).access({ email: 'a@example.jp' });
 */
export function createSqlExecutor(plan: DatasetPlan, conn: SqlConnection, opts: SqlExecutorOptions = {}) {
  const engine: SqlEngine = conn.engine;
  const chunkSize = opts.chunkSize ?? 500;
  const pageSize = opts.pageSize ?? 5000;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const q = (name: string) => quoteIdent(engine, name);
  const table = (cp: CollectionPlan) => q(cp.collection.name);
  const dataset = plan.dataset.id;

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

  /** Forward pass, level by level with bounded parallelism: keys for every collection (and rows, for access). */
  async function traverse(db: SqlQueryable, ids: Identities, full: boolean, parallel: boolean): Promise<{ keys: KeyValues; rows: Map<string, Array<Record<string, unknown>>> }> {
    const keys: KeyValues = new Map();
    const rows = new Map<string, Array<Record<string, unknown>>>();
    for (const level of plan.levels) {
      const work = level.map((cp) => async () => {
        const columns = full ? cp.collection.fields.map((f) => f.name) : cp.keysForChildren;
        // Leaves without children need no read at all outside access: their rows are addressed by predicate.
        if (!full && columns.length === 0) return;
        // A collection reached only through a reference whose own values are what its children need (user.id found
        // from user_profile.userId) can pass the parent's values on: a value without a row matches nothing below.
        if (!full && cp.keysForChildren.length === 1 && !cp.seeds.some((s) => ids[s.identity] !== undefined)) {
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
      await runBounded(work, parallel ? concurrency : 1);
    }
    return { keys, rows };
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

  const maskValue = (strategy: MaskStrategy, before: unknown) => maskedValue(strategy, before, opts.hashKey);
  const isMasked = (strategy: MaskStrategy, v: unknown) => isMaskedValue(engine, strategy, v);

  async function maskCollection(db: SqlQueryable, cp: CollectionPlan, fields: Record<string, MaskStrategy>, ids: Identities, keys: KeyValues): Promise<number> {
    const entries = Object.entries(fields);
    // Only a keyed hash needs each row's value in Node (the key never goes to the database); everything else is one
    // UPDATE per batch, random text included (made by the database, in the same `~` + 15 characters shape).
    const perRow = entries.some(([, s]) => s === 'hash');
    let n = 0;
    if (!perRow) {
      const sqlRandom = randomMaskSql[engine];
      const set = entries.map(([f, s]) => (s === 'random' ? `${q(f)} = ${sqlRandom}` : `${q(f)} = ?`)).join(', ');
      const values = entries.flatMap(([, s]) => (s === 'random' ? [] : [maskValue(s, null)]));
      // Only rows not masked yet: a second erasure changes (and counts) nothing.
      const pending = entries.map(([f, s]) => (typeof s === 'object' ? `(${q(f)} is null or ${q(f)} <> ?)` : s === 'random' ? `(${q(f)} is null or ${q(f)} not like '~_______________')` : `${q(f)} is not null`)).join(' or ');
      const pendingParams = entries.flatMap(([, s]) => (typeof s === 'object' ? [s.fixed] : []));
      for (const b of batches(cp, ids, keys)) n += (await db.query(`update ${table(cp)} set ${set} where (${b.where}) and (${pending})`, [...values, ...b.params, ...pendingParams])).rowCount;
      return n;
    }
    // Per-row values (keyed hash, random) still go in one UPDATE per page: CASE on the primary key.
    const pk = cp.collection.primary_key;
    const match = pk.map((k) => `${q(k)} = ?`).join(' and ');
    for (const b of batches(cp, ids, keys)) {
      const pages: Array<Array<Record<string, unknown>>> = [];
      for await (const page of readPages(db, cp, b, entries.map(([f]) => f))) pages.push(page.filter((row) => entries.some(([f, s]) => !isMasked(s, row[f]))));
      for (const page of pages) {
        if (page.length === 0) continue;
        const params: unknown[] = [];
        const sets = entries.map(([f, s]) => {
          const cases = page.map((row) => {
            params.push(...pk.map((k) => row[k]), isMasked(s, row[f]) ? row[f] : maskValue(s, row[f]));
            return `when ${match} then ?`;
          });
          return `${q(f)} = case ${cases.join(' ')} else ${q(f)} end`;
        });
        const keyList = page.map(() => (pk.length === 1 ? '?' : `(${pk.map(() => '?').join(', ')})`)).join(', ');
        const keyCols = pk.length === 1 ? q(pk[0] ?? '') : `(${pk.map(q).join(', ')})`;
        params.push(...page.flatMap((row) => pk.map((k) => row[k])));
        n += (await db.query(`update ${table(cp)} set ${sets.join(', ')} where ${keyCols} in (${keyList})`, params)).rowCount;
      }
    }
    return n;
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

  let catalog: Promise<ForeignKey[]> | undefined;
  /** Foreign keys with their ON DELETE rules, read once per executor (only when something is deleted). */
  const foreignKeys = (db: SqlQueryable) => (catalog ??= opts.foreignKeys ? opts.foreignKeys(db) : readCatalog(db, engine).then((c) => c.foreignKeys));

  /** What each delete of the person's rows would change elsewhere through the database's own ON DELETE rules. */
  async function cascadesOf(db: SqlQueryable, ids: Identities, keys: KeyValues): Promise<Map<string, CascadeEffect[]>> {
    const out = new Map<string, CascadeEffect[]>();
    const deleting = plan.order.filter((cp) => cp.collection.erase.action === 'delete');
    if (deleting.length === 0) return out;
    const fks = await foreignKeys(db);
    if (fks.length === 0) return out;
    const byName = new Map(plan.order.map((cp) => [cp.collection.name, cp]));
    const ownRows = (tableName: string) => {
      const cp = byName.get(tableName);
      if (!cp) return undefined;
      const list = batches(cp, ids, keys);
      return list.length === 0 ? { where: '1 = 0', params: [] } : { where: list.map((b) => `(${b.where})`).join(' or '), params: list.flatMap((b) => b.params) };
    };
    for (const cp of deleting) {
      const effects: CascadeEffect[] = [];
      for (const b of batches(cp, ids, keys)) {
        for (const e of await analyseCascades(db, engine, fks, { table: cp.collection.name, where: b.where, params: b.params }, ownRows)) {
          const same = effects.find((x) => x.path === e.path);
          if (same) {
            same.mine += e.mine;
            same.others += e.others;
          } else effects.push(e);
        }
      }
      if (effects.length > 0) out.set(cp.collection.name, effects);
    }
    return out;
  }

  return {
    /**
     * Everything reachable from the identities, grouped by collection. Fields marked `disclose: false` (secrets) are
     * left out of the rows; `found` says whether anything matched.
     */
    async access(ids: Identities): Promise<DatasetOutcome> {
      const { rows } = await traverse(conn, ids, true, true);
      const groups = plan.order.map((cp) => {
        const hidden = cp.collection.fields.filter((f) => !f.disclose).map((f) => f.name);
        const list = plainRows(rows.get(cp.collection.name) ?? []);
        for (const r of list) {
          for (const w of cp.collection.withhold) if (w.values.includes(String(r[w.field]))) for (const h of w.hide) delete r[h];
          for (const h of hidden) delete r[h];
        }
        return { name: `${dataset}.${cp.collection.name}`, rows: list };
      });
      const collections = groups.map((g, i) => ({ collection: plan.order[i]?.collection.name ?? '', status: 'done' as const, count: g.rows.length }));
      const count = collections.reduce((a, c) => a + c.count, 0);
      return { dataset, status: 'done', count, found: count > 0, collections, groups };
    },

    /**
     * Erases in reverse dependency order in one transaction; with `dryRun`, only counts what would change. Before
     * anything changes, every delete's effect through the database's ON DELETE rules is counted; a delete that would
     * change other people's rows (or that their rows would block) is refused unless the collection acknowledges it
     * with `allow_cascade: { reason }`. Cascaded counts are reported per collection.
     */
    async erase(ids: Identities, dryRun = false): Promise<DatasetOutcome> {
      const work = async (db: SqlQueryable): Promise<DatasetOutcome> => {
        const found = await anyRowFound(db, ids);
        if (!found) return { dataset, status: 'done', count: 0, found: false, collections: plan.order.map((cp) => ({ collection: cp.collection.name, status: 'done' as const, count: 0 })) };
        const { keys } = await traverse(db, ids, false, false);
        const cascades = await cascadesOf(db, ids, keys);
        const refusals = plan.order.flatMap((cp) => {
          const why = cascadeRefusal(cp.collection.name, cascades.get(cp.collection.name) ?? [], cp.collection.allow_cascade !== undefined);
          return why ? [why] : [];
        });
        if (refusals.length > 0 && !dryRun) {
          const collections = plan.order.flatMap((cp) => {
            const c = cascades.get(cp.collection.name);
            return c ? [{ collection: cp.collection.name, status: 'skipped' as const, count: 0, note: 'refused: other people\'s rows', cascaded: c }] : [];
          });
          return { dataset, status: 'failed', count: 0, found, collections, error: { code: 'MAMORI_ERASE_CASCADE', message: `nothing was changed: ${refusals.join(' | ')}`.slice(0, 2000) } };
        }
        const out: CollectionOutcome[] = [];
        for (const cp of [...plan.order].reverse()) {
          const e = cp.collection.erase;
          const name = cp.collection.name;
          const cascaded = cascades.get(name);
          const ack = cp.collection.allow_cascade;
          const extra = { ...(cascaded ? { cascaded } : {}) };
          const ackNote = ack && cascaded?.some((x) => x.others > 0) ? `; cascade acknowledged: ${ack.reason}` : '';
          if (dryRun) {
            const count = await countRows(db, cp, ids, keys);
            const refused = cascadeRefusal(name, cascaded ?? [], ack !== undefined);
            out.push(e.action === 'retain' ? { collection: name, status: 'skipped', count, note: 'retained' } : { collection: name, status: 'done', count, note: `dry run: ${e.action}${refused ? ' (would be refused: other people\'s rows)' : ackNote}`, ...extra });
            continue;
          }
          switch (e.action) {
            case 'retain': {
              // Nothing is read here (a dry run shows how many rows are kept): the erasure costs no extra round trip.
              const basis = typeof e.legal_basis === 'string' ? e.legal_basis : e.legal_basis.en;
              const period = typeof e.period === 'string' ? e.period : e.period.en;
              out.push({ collection: name, status: 'skipped', count: 0, note: `retained: ${basis}; ${period}` });
              break;
            }
            case 'delete': {
              let n = 0;
              // `/**/` first: some applications let only statements marked this way delete (Lemmy's require_uplete
              // trigger refuses other DELETEs on its *_actions tables); an erasure is such a deliberate delete.
              for (const b of batches(cp, ids, keys)) n += (await db.query(`/**/ delete from ${table(cp)} where ${b.where}`, b.params)).rowCount;
              out.push({ collection: name, status: 'done', count: n, ...(ackNote ? { note: ackNote.slice(2) } : {}), ...extra });
              break;
            }
            case 'mask':
              out.push({ collection: name, status: 'done', count: await maskCollection(db, cp, e.fields, ids, keys), note: 'masked' });
              break;
            default: {
              const never: never = e;
              throw new Error(`unhandled erase action ${String(never)}`);
            }
          }
        }
        const collections = out.reverse();
        return { dataset, status: 'done', count: collections.filter((c) => c.status === 'done').reduce((a, c) => a + c.count, 0), found, collections };
      };
      return dryRun ? work(conn) : conn.transaction(work);
    },

    /**
     * Corrects fields (`collection.field` → new value). Only fields marked `correctable` change; the others are
     * reported as skipped. Values before and after are returned for the request's record.
     */
    async correct(ids: Identities, changes: Array<{ field: string; after: unknown }>): Promise<DatasetOutcome> {
      return conn.transaction(async (db) => {
        const { keys } = await traverse(db, ids, false, false);
        const collections: CollectionOutcome[] = [];
        const corrections: NonNullable<DatasetOutcome['corrections']> = [];
        for (const change of changes) {
          const [cname, fname] = change.field.split('.');
          const cp = plan.order.find((p) => p.collection.name === cname);
          const field = cp?.collection.fields.find((f) => f.name === fname);
          if (!cp || !field) continue;
          if (!field.correctable) {
            collections.push({ collection: cp.collection.name, status: 'skipped', count: 0, note: `${fname} is not correctable` });
            continue;
          }
          const before: unknown[] = [];
          let n = 0;
          for (const b of batches(cp, ids, keys)) {
            for await (const page of readPages(db, cp, b, [field.name])) for (const row of page) before.push(toPlainValue(row[field.name]));
            n += (await db.query(`update ${table(cp)} set ${q(field.name)} = ? where ${b.where}`, [change.after, ...b.params])).rowCount;
          }
          collections.push({ collection: cp.collection.name, status: 'done', count: n });
          corrections.push({ field: `${dataset}.${change.field}`, before: [...new Set(before.map((v) => JSON.stringify(v)))].map((s) => JSON.parse(s) as unknown), after: change.after, count: n });
        }
        return { dataset, status: collections.length === 0 ? 'skipped' : 'done', count: corrections.reduce((a, c) => a + c.count, 0), found: await anyRowFound(db, ids), collections, corrections };
      });
    },

    /** Stops use / provision by setting the dataset's configured flag column on the person's rows. */
    async suspend(ids: Identities): Promise<DatasetOutcome> {
      const s = plan.dataset.suspension;
      if (!s) return { dataset, status: 'skipped', count: 0, collections: [], error: { code: 'MAMORI_CONNECTOR_NO_SUSPENSION', message: 'no suspension flag configured for this dataset' } };
      return conn.transaction(async (db) => {
        const { keys } = await traverse(db, ids, false, false);
        const cp = plan.order.find((p) => p.collection.name === s.collection);
        let n = 0;
        if (cp) for (const b of batches(cp, ids, keys)) n += (await db.query(`update ${table(cp)} set ${q(s.field)} = ? where ${b.where}`, [s.value, ...b.params])).rowCount;
        return { dataset, status: 'done', count: n, found: await anyRowFound(db, ids), collections: [{ collection: s.collection, status: 'done', count: n }] };
      });
    },
  };
}

export type SqlExecutor = ReturnType<typeof createSqlExecutor>;
