import { z } from 'zod';
import type { SqlEngine } from '../graph-schema.ts';
import type { SqlQueryable } from '../sql/sql-connection.ts';
import { readCatalog, type Catalog, type DeleteRule } from '../sql/sql-catalog.ts';

/**
 * The catalog a scan reads, in one round of concurrent queries. On PostgreSQL the columns come from
 * `information_schema.columns` filtered by `pg_class.relkind` instead of joined to `information_schema.tables`: the
 * same rows, but the join of the two views is planned as a nested loop that takes over a second on a 170-table schema
 * (Synapse), which was most of a scan. Other engines use `readCatalog` as it is.
 * (`readCatalog` in sql/sql-catalog.ts has the slow join too; once it takes this query, this reader can go.)
 * @example const catalog = await readScanCatalog(conn, 'postgres');
 */
export async function readScanCatalog(db: SqlQueryable, engine: SqlEngine): Promise<Catalog> {
  return engine === 'postgres' ? readPostgres(db) : readCatalog(db, engine);
}

const str = z.coerce.string();
const names = z.union([z.array(z.string()), z.string().transform((s) => s.replace(/^\{|\}$/g, '').split(',').filter((x) => x.length > 0).map((x) => x.replace(/^"|"$/g, '')))]);
const colRow = z.object({ table_name: str, column_name: str, data_type: str, is_nullable: str, max_length: z.coerce.number().nullable() });
const keyRow = z.object({ table_name: str, name: str, kind: str, cols: names });
const fkRow = z.object({ table_name: str, ref_table: str, rule: str, cols: names, ref_cols: names });
/** `a` no action, `r` restrict, `c` cascade, `n` set null, `d` set default (pg_constraint.confdeltype). */
const pgRules: Record<string, DeleteRule> = { a: 'no_action', r: 'restrict', c: 'cascade', n: 'set_null', d: 'set_default' };
const attnames = (rel: string, keys: string) => `array(select a.attname::text from unnest(${keys}) with ordinality k(n, o) join pg_attribute a on a.attrelid = ${rel} and a.attnum = k.n order by k.o)`;

async function readPostgres(db: SqlQueryable): Promise<Catalog> {
  const [cols, keys, fks] = await Promise.all([
    db.query(`select c.table_name, c.column_name, case when c.data_type = 'USER-DEFINED' then c.udt_name else c.data_type end as data_type, c.is_nullable, c.character_maximum_length as max_length
      from information_schema.columns c
      where c.table_schema = current_schema()
        and c.table_name::name in (select cl.relname from pg_class cl join pg_namespace n on n.oid = cl.relnamespace where n.nspname = current_schema() and cl.relkind in ('r', 'p'))
      order by c.table_name, c.ordinal_position`),
    db.query(`select cl.relname as table_name, ic.relname as name, case when i.indisprimary then 'p' else 'u' end as kind, ${attnames('i.indrelid', 'i.indkey')} as cols
      from pg_index i join pg_class cl on cl.oid = i.indrelid join pg_namespace n on n.oid = cl.relnamespace join pg_class ic on ic.oid = i.indexrelid
      where n.nspname = current_schema() and i.indisunique and i.indexprs is null and i.indpred is null order by cl.relname, i.indisprimary desc, ic.relname`),
    db.query(`select cl.relname as table_name, rcl.relname as ref_table, c.confdeltype::text as rule, ${attnames('c.conrelid', 'c.conkey')} as cols, ${attnames('c.confrelid', 'c.confkey')} as ref_cols
      from pg_constraint c join pg_class cl on cl.oid = c.conrelid join pg_namespace n on n.oid = cl.relnamespace join pg_class rcl on rcl.oid = c.confrelid join pg_namespace rn on rn.oid = rcl.relnamespace
      where c.contype = 'f' and n.nspname = current_schema() and rn.nspname = current_schema() order by cl.relname, c.conname`),
  ]);
  const keyRows = z.array(keyRow).parse(keys.rows);
  const uniqueKeys = new Map<string, string[][]>();
  for (const k of keyRows) if (k.kind === 'u') uniqueKeys.set(k.table_name, [...(uniqueKeys.get(k.table_name) ?? []), k.cols]);
  return {
    columns: z
      .array(colRow)
      .parse(cols.rows)
      .map((c) => ({ table: c.table_name, name: c.column_name, type: c.data_type, nullable: c.is_nullable.toUpperCase() === 'YES', ...(c.max_length !== null && c.max_length > 0 ? { maxLength: c.max_length } : {}) })),
    primaryKeys: new Map(keyRows.filter((k) => k.kind === 'p').map((k) => [k.table_name, k.cols])),
    uniqueKeys,
    foreignKeys: z
      .array(fkRow)
      .parse(fks.rows)
      .map((f) => ({ table: f.table_name, columns: f.cols, refTable: f.ref_table, refColumns: f.ref_cols, onDelete: pgRules[f.rule] ?? 'no_action' })),
  };
}
