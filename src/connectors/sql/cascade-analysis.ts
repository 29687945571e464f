import type { SqlEngine } from '../graph-schema.ts';
import type { CascadeEffect } from '../step-outcome.ts';
import { quoteIdent, type SqlQueryable } from './sql-connection.ts';
import type { ForeignKey } from './sql-catalog.ts';

/** A set of rows of one table, as a predicate (no values in the SQL text, only `?` parameters). */
export interface RowSet {
  table: string;
  where: string;
  params: unknown[];
}

/** How deep cascades are followed (a delete that cascades through more tables than this is reported at this depth). */
const maxDepth = 6;

/**
 * Counts, before anything changes, the rows a DELETE of `rows` changes through the database's ON DELETE rules, table by
 * table and foreign key by foreign key, following CASCADE further down. Each count is split into the person's rows
 * (`ownRows(table)` is the predicate of the person's rows of a table the graph declares) and other people's rows.
 * Rows under RESTRICT / NO ACTION are counted too: other people's rows there would make the delete fail.
 * @example const effects = await analyseCascades(db, 'postgres', fks, { table: 'person', where: 'id = ?', params: [7] }, own);
 */
export async function analyseCascades(db: SqlQueryable, engine: SqlEngine, fks: ForeignKey[], rows: RowSet, ownRows: (table: string) => { where: string; params: unknown[] } | undefined): Promise<CascadeEffect[]> {
  const q = (n: string) => quoteIdent(engine, n);
  const list = (cols: string[]) => (cols.length === 1 ? q(cols[0] ?? '') : `(${cols.map(q).join(', ')})`);
  const effects: CascadeEffect[] = [];
  const visit = async (set: RowSet, path: string, seen: Set<ForeignKey>, depth: number): Promise<void> => {
    for (const fk of fks) {
      if (fk.refTable !== set.table || seen.has(fk)) continue;
      const childWhere = `${list(fk.columns)} in (select ${fk.refColumns.map(q).join(', ')} from ${q(set.table)} where ${set.where})`;
      const own = ownRows(fk.table);
      const mineExpr = own ? `coalesce(sum(case when (${own.where}) then 1 else 0 end), 0)` : '0';
      const { rows: counted } = await db.query(`select count(*) as n, ${mineExpr} as mine from ${q(fk.table)} where ${childWhere}`, [...(own?.params ?? []), ...set.params]);
      const n = Number(counted[0]?.n ?? 0);
      if (n === 0) continue;
      const mine = Number(counted[0]?.mine ?? 0);
      const here = `${path} → ${fk.table}.${fk.columns.join('+')} (${fk.onDelete.replace('_', ' ')})`;
      effects.push({ path: here, table: fk.table, rule: fk.onDelete, mine, others: n - mine });
      if (fk.onDelete === 'cascade' && depth < maxDepth) await visit({ table: fk.table, where: childWhere, params: set.params }, here, new Set([...seen, fk]), depth + 1);
    }
  };
  await visit(rows, rows.table, new Set(), 1);
  return effects;
}

/**
 * Why an erasure of a collection is refused, or undefined when it may go ahead: a delete that would change other
 * people's rows through a cascade (unless the graph acknowledges it with a reason), or that their rows would block.
 */
export function cascadeRefusal(collection: string, effects: CascadeEffect[], acknowledged: boolean): string | undefined {
  const blocking = effects.filter((e) => e.others > 0 && (e.rule === 'restrict' || e.rule === 'no_action'));
  const changing = effects.filter((e) => e.others > 0 && e.rule !== 'restrict' && e.rule !== 'no_action');
  const describe = (xs: CascadeEffect[]) => xs.map((e) => `${e.path}: ${e.others} other people's row(s), ${e.mine} of the person's`).join('; ');
  if (blocking.length > 0) return `deleting "${collection}" would be blocked by foreign keys from other people's rows (${describe(blocking)}): use \`erase: { action: mask, … }\` for "${collection}"`;
  if (changing.length > 0 && !acknowledged) return `deleting "${collection}" would change other people's rows through ON DELETE rules (${describe(changing)}): use \`erase: { action: mask, … }\` for "${collection}", or acknowledge it with \`allow_cascade: { reason: … }\``;
  return undefined;
}
