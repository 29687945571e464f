import type { SqlEngine } from '../graph-schema.ts';
import type { CollectionPlan, DatasetPlan } from '../graph-plan.ts';
import type { CollectionOutcome, DatasetOutcome } from '../step-outcome.ts';
import { plainRows, quoteIdent, toPlainValue, type SqlConnection, type SqlQueryable } from './sql-connection.ts';
import { createTraversal } from './sql-traverse.ts';
import { eraseDataset, readErasureCatalog } from './sql-erase.ts';
import type { ErasureCatalog, Identities, SqlExecutorOptions } from './sql-executor-types.ts';

export type { ErasureCatalog, SqlExecutorOptions } from './sql-executor-types.ts';
export { readErasureCatalog } from './sql-erase.ts';

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

  const traversal = createTraversal(plan, engine, { chunkSize, pageSize, concurrency });
  const { batches, readPages, traverse, anyRowFound } = traversal;
  let catalog: Promise<ErasureCatalog> | undefined;
  /** Read once per executor (only when something is erased), unless the caller keeps it. */
  const catalogOf = (db: SqlQueryable) => {
    if (opts.catalog) return opts.catalog(db);
    catalog ??= readErasureCatalog(db, engine);
    catalog.catch(() => (catalog = undefined));
    return catalog;
  };

  return {
    /**
     * Everything reachable from the identities, grouped by collection. Fields marked `disclose: false` (secrets) are
     * left out of the rows; `found` says whether anything matched.
     */
    async access(ids: Identities): Promise<DatasetOutcome> {
      const { rows } = await traverse(conn, ids, 'access');
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
     * Erases in reverse dependency order in one transaction; with `dryRun`, only counts what would change. Deletes
     * that would change other people's rows through ON DELETE rules, or fire triggers the graph does not acknowledge,
     * are refused before anything changes (see `eraseDataset`).
     */
    erase(ids: Identities, dryRun = false): Promise<DatasetOutcome> {
      return eraseDataset({ plan, conn, traversal, catalog: catalogOf, ...(opts.hashKey ? { hashKey: opts.hashKey } : {}) }, ids, dryRun);
    },

    /**
     * Corrects fields (`collection.field` → new value). Only fields marked `correctable` change; the others are
     * reported as skipped. Values before and after are returned for the request's record.
     */
    async correct(ids: Identities, changes: Array<{ field: string; after: unknown }>): Promise<DatasetOutcome> {
      return conn.transaction(async (db) => {
        const { keys } = await traverse(db, ids, 'keys');
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
        const { keys } = await traverse(db, ids, 'keys');
        const cp = plan.order.find((p) => p.collection.name === s.collection);
        let n = 0;
        if (cp) for (const b of batches(cp, ids, keys)) n += (await db.query(`update ${table(cp)} set ${q(s.field)} = ? where ${b.where}`, [s.value, ...b.params])).rowCount;
        return { dataset, status: 'done', count: n, found: await anyRowFound(db, ids), collections: [{ collection: s.collection, status: 'done', count: n }] };
      });
    },
  };
}

export type SqlExecutor = ReturnType<typeof createSqlExecutor>;
