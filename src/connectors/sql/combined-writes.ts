import type { CollectionPlan } from '../graph-plan.ts';
import type { SqlEngine } from '../graph-schema.ts';
import type { SqlQueryable } from './sql-connection.ts';
import type { ErasureCatalog } from './sql-executor-types.ts';
import type { Write } from './sql-mask.ts';

/** At most this many parameters in one combined statement (PostgreSQL allows 65,535). */
const maxParams = 10_000;

/**
 * Whether an erasure's writes on a collection may share one statement with its neighbours' (PostgreSQL only, as
 * data-modifying WITH queries): a delete of a table no foreign key references, or whose references the cascade
 * analysis found no rows behind (`reachesNoRows`: nothing cascades or blocks; ON DELETE actions run at the end of the
 * statement either way), or a
 * set-based mask of columns no foreign key uses, on a table with no application trigger for that event and no
 * statement comment. Such writes change nothing any other write reads, so running them together in one snapshot is
 * the same as running them one after another.
 */
export function combinable(engine: SqlEngine, catalog: ErasureCatalog, cp: CollectionPlan, reachesNoRows: boolean): boolean {
  if (engine !== 'postgres' || cp.collection.statement_comment) return false;
  const name = cp.collection.name;
  const e = cp.collection.erase;
  if (e.action === 'retain') return false;
  const event = e.action === 'delete' ? 'delete' : 'update';
  if (catalog.triggers.some((t) => t.table === name && t.events.includes(event))) return false;
  if (e.action === 'delete') return reachesNoRows || !catalog.foreignKeys.some((fk) => fk.refTable === name);
  const masked = Object.keys(e.fields);
  return !catalog.foreignKeys.some((fk) => (fk.table === name && fk.columns.some((c) => masked.includes(c))) || (fk.refTable === name && fk.refColumns.some((c) => masked.includes(c))));
}

/**
 * Collects consecutive combinable writes and runs them as one statement when the next uncombinable write comes (or at
 * the end), so the order of writes relative to the others, and their triggers and cascades, is kept. Each write's
 * changed rows are counted (`returning 1`) and handed to its `done` callback.
 */
export function createWriteQueue(db: SqlQueryable) {
  let pending: Array<{ write: Write; done: (n: number) => void }> = [];
  const run = async (group: typeof pending): Promise<void> => {
    const first = group[0];
    if (!first) return;
    if (group.length === 1) {
      first.done((await db.query(first.write.sql, first.write.params)).rowCount);
      return;
    }
    const withs = group.map((g, i) => `w${i} as (${g.write.sql} returning 1)`).join(', ');
    const counts = group.map((_, i) => `(select count(*) from w${i}) as n${i}`).join(', ');
    const { rows } = await db.query(`with ${withs} select ${counts}`, group.flatMap((g) => g.write.params));
    group.forEach((g, i) => g.done(Number(rows[0]?.[`n${i}`] ?? 0)));
  };
  return {
    add(write: Write, done: (n: number) => void): void {
      pending.push({ write, done });
    },
    async flush(): Promise<void> {
      const all = pending;
      pending = [];
      let group: typeof all = [];
      let params = 0;
      for (const p of all) {
        if (group.length > 0 && params + p.write.params.length > maxParams) {
          await run(group);
          group = [];
          params = 0;
        }
        group.push(p);
        params += p.write.params.length;
      }
      await run(group);
    },
  };
}
