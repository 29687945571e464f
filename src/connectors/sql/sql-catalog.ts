import { z } from 'zod';
import type { SqlEngine } from '../graph-schema.ts';
import { quoteIdent, type SqlQueryable } from './sql-connection.ts';

/** What a database does to a referencing row when the referenced row is deleted. */
export type DeleteRule = 'cascade' | 'set_null' | 'set_default' | 'restrict' | 'no_action';

/** One foreign key, possibly over several columns (columns[i] references refColumns[i]). */
export interface ForeignKey {
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: DeleteRule;
}

export interface CatalogColumn {
  table: string;
  name: string;
  type: string;
  nullable: boolean;
  /** Character length limit, when the type has one. */
  maxLength?: number;
}

export interface Catalog {
  columns: CatalogColumn[];
  primaryKeys: Map<string, string[]>;
  /** Unique constraints and unique indexes (without expressions), in declaration order. */
  uniqueKeys: Map<string, string[][]>;
  foreignKeys: ForeignKey[];
}

const str = z.coerce.string();
const names = z.union([z.array(z.string()), z.string().transform((s) => s.replace(/^\{|\}$/g, '').split(',').filter((x) => x.length > 0).map((x) => x.replace(/^"|"$/g, '')))]);

/** `a` no action, `r` restrict, `c` cascade, `n` set null, `d` set default (pg_constraint.confdeltype). */
const pgRules: Record<string, DeleteRule> = { a: 'no_action', r: 'restrict', c: 'cascade', n: 'set_null', d: 'set_default' };
function ruleFromText(v: string): DeleteRule {
  const k = v.trim().toUpperCase().replace(/\s+/g, '_');
  if (k === 'CASCADE') return 'cascade';
  if (k === 'SET_NULL') return 'set_null';
  if (k === 'SET_DEFAULT') return 'set_default';
  if (k === 'RESTRICT') return 'restrict';
  return 'no_action';
}

function group<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/**
 * Reads the tables of the connection's current schema: columns (type, nullability, length), primary and unique keys
 * and foreign keys with their ON DELETE rules, on PostgreSQL, MySQL/MariaDB and SQLite. Only names, never values.
 * @example const { foreignKeys } = await readCatalog(conn, 'postgres');
 */
export async function readCatalog(db: SqlQueryable, engine: SqlEngine): Promise<Catalog> {
  switch (engine) {
    case 'postgres':
      return readPostgres(db);
    case 'mysql':
      return readMysql(db);
    case 'sqlite':
      return readSqlite(db);
    default: {
      const never: never = engine;
      return never;
    }
  }
}

const colRow = z.object({ table_name: str, column_name: str, data_type: str, is_nullable: str, max_length: z.coerce.number().nullable() });
const keyRow = z.object({ table_name: str, name: str, cols: names });
const fkRowPg = z.object({ table_name: str, ref_table: str, rule: str, cols: names, ref_cols: names });

/**
 * On PostgreSQL the columns come from `information_schema.columns` filtered by `pg_class.relkind`, not joined to
 * `information_schema.tables`: the same rows, but the join of the two views is planned as a nested loop that takes
 * over a second on a 170-table schema (Synapse), paid by every scan and every erasure. The three reads run together.
 */
async function readPostgres(db: SqlQueryable): Promise<Catalog> {
  const [colRows, keyRows, fkRows] = await Promise.all([
    db.query(`select c.table_name, c.column_name, case when c.data_type = 'USER-DEFINED' then c.udt_name else c.data_type end as data_type, c.is_nullable, c.character_maximum_length as max_length
      from information_schema.columns c
      where c.table_schema = current_schema()
        and c.table_name::name in (select cl.relname from pg_class cl join pg_namespace n on n.oid = cl.relnamespace where n.nspname = current_schema() and cl.relkind in ('r', 'p'))
      order by c.table_name, c.ordinal_position`),
    db.query(`select cl.relname as table_name, ic.relname as name, case when i.indisprimary then 'p' else 'u' end as kind, ${pgAttnames('i.indrelid', 'i.indkey')} as cols
      from pg_index i join pg_class cl on cl.oid = i.indrelid join pg_namespace n on n.oid = cl.relnamespace join pg_class ic on ic.oid = i.indexrelid
      where n.nspname = current_schema() and i.indisunique and i.indexprs is null and i.indpred is null order by cl.relname, i.indisprimary desc, ic.relname`),
    db.query(`select cl.relname as table_name, rcl.relname as ref_table, c.confdeltype::text as rule, ${pgAttnames('c.conrelid', 'c.conkey')} as cols, ${pgAttnames('c.confrelid', 'c.confkey')} as ref_cols
      from pg_constraint c join pg_class cl on cl.oid = c.conrelid join pg_namespace n on n.oid = cl.relnamespace join pg_class rcl on rcl.oid = c.confrelid join pg_namespace rn on rn.oid = rcl.relnamespace
      where c.contype = 'f' and n.nspname = current_schema() and rn.nspname = current_schema() order by cl.relname, c.conname`),
  ]);
  const cols = z.array(colRow).parse(colRows.rows);
  const keys = z.array(keyRow.extend({ kind: str })).parse(keyRows.rows);
  const fks = z.array(fkRowPg).parse(fkRows.rows);
  return {
    columns: cols.map(toColumn),
    primaryKeys: new Map(keys.filter((k) => k.kind === 'p').map((k) => [k.table_name, k.cols])),
    uniqueKeys: new Map([...group(keys.filter((k) => k.kind === 'u'), (k) => k.table_name)].map(([t, ks]) => [t, ks.map((k) => k.cols)])),
    foreignKeys: fks.map((f) => ({ table: f.table_name, columns: f.cols, refTable: f.ref_table, refColumns: f.ref_cols, onDelete: pgRules[f.rule] ?? 'no_action' })),
  };
}

/** A key's column names in key order (`indkey` / `conkey` are attribute numbers). */
const pgAttnames = (rel: string, keys: string) => `array(select a.attname::text from unnest(${keys}) with ordinality k(n, o) join pg_attribute a on a.attrelid = ${rel} and a.attnum = k.n order by k.o)`;

function toColumn(c: z.infer<typeof colRow>): CatalogColumn {
  return { table: c.table_name, name: c.column_name, type: c.data_type, nullable: c.is_nullable.toUpperCase() === 'YES', ...(c.max_length !== null && c.max_length > 0 ? { maxLength: c.max_length } : {}) };
}

async function readMysql(db: SqlQueryable): Promise<Catalog> {
  const cols = z.array(colRow).parse((await db.query(`select c.table_name as table_name, c.column_name as column_name, c.column_type as data_type, c.is_nullable as is_nullable, c.character_maximum_length as max_length
    from information_schema.columns c join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = database() and t.table_type = 'BASE TABLE' order by c.table_name, c.ordinal_position`)).rows);
  const idx = z.array(z.object({ table_name: str, index_name: str, column_name: str })).parse((await db.query(`select table_name as table_name, index_name as index_name, column_name as column_name from information_schema.statistics
    where table_schema = database() and non_unique = 0 and column_name is not null order by table_name, index_name = 'PRIMARY' desc, index_name, seq_in_index`)).rows);
  const fk = z.array(z.object({ constraint_name: str, table_name: str, column_name: str, ref_table: str, ref_column: str, rule: str })).parse((await db.query(`select k.constraint_name as constraint_name, k.table_name as table_name, k.column_name as column_name, k.referenced_table_name as ref_table, k.referenced_column_name as ref_column, r.delete_rule as rule
    from information_schema.key_column_usage k join information_schema.referential_constraints r on r.constraint_schema = k.constraint_schema and r.constraint_name = k.constraint_name and r.table_name = k.table_name
    where k.table_schema = database() and k.referenced_table_name is not null order by k.table_name, k.constraint_name, k.ordinal_position`)).rows);
  const byIndex = group(idx, (r) => `${r.table_name}\u0000${r.index_name}`);
  const primaryKeys = new Map<string, string[]>();
  const uniqueKeys = new Map<string, string[][]>();
  for (const rows of byIndex.values()) {
    const first = rows[0];
    if (!first) continue;
    const list = rows.map((r) => r.column_name);
    if (first.index_name === 'PRIMARY') primaryKeys.set(first.table_name, list);
    else uniqueKeys.set(first.table_name, [...(uniqueKeys.get(first.table_name) ?? []), list]);
  }
  return {
    columns: cols.map(toColumn),
    primaryKeys,
    uniqueKeys,
    foreignKeys: [...group(fk, (r) => `${r.table_name}\u0000${r.constraint_name}`).values()].flatMap((rows) => {
      const first = rows[0];
      return first ? [{ table: first.table_name, columns: rows.map((r) => r.column_name), refTable: first.ref_table, refColumns: rows.map((r) => r.ref_column), onDelete: ruleFromText(first.rule) }] : [];
    }),
  };
}

async function readSqlite(db: SqlQueryable): Promise<Catalog> {
  const tables = z.array(z.object({ name: str })).parse((await db.query(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`)).rows);
  const columns: CatalogColumn[] = [];
  const primaryKeys = new Map<string, string[]>();
  const uniqueKeys = new Map<string, string[][]>();
  const foreignKeys: ForeignKey[] = [];
  for (const t of tables) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(t.name)) continue;
    const q = quoteIdent('sqlite', t.name);
    const info = z.array(z.object({ name: str, type: str, notnull: z.coerce.number(), pk: z.coerce.number() })).parse((await db.query(`pragma table_info(${q})`)).rows);
    for (const c of info) {
      const len = /\((\d+)\)/.exec(c.type)?.[1];
      columns.push({ table: t.name, name: c.name, type: c.type, nullable: c.notnull === 0 && c.pk === 0, ...(len ? { maxLength: Number(len) } : {}) });
    }
    const pk = info.filter((x) => x.pk > 0).sort((a, b) => a.pk - b.pk).map((x) => x.name);
    if (pk.length > 0) primaryKeys.set(t.name, pk);
    const indexes = z.array(z.object({ name: str, unique: z.coerce.number(), origin: str, partial: z.coerce.number() })).parse((await db.query(`pragma index_list(${q})`)).rows);
    for (const ix of indexes.filter((x) => x.unique === 1 && x.origin !== 'pk' && x.partial === 0)) {
      const cols = z.array(z.object({ name: z.string().nullable() })).parse((await db.query(`pragma index_info(${quoteIdent('sqlite', ix.name)})`)).rows);
      if (cols.every((c) => c.name !== null)) uniqueKeys.set(t.name, [...(uniqueKeys.get(t.name) ?? []), cols.map((c) => c.name ?? '')]);
    }
    const fk = z.array(z.object({ id: z.coerce.number(), table: str, from: str, to: z.string().nullable(), on_delete: str })).parse((await db.query(`pragma foreign_key_list(${q})`)).rows);
    for (const rows of group(fk, (r) => String(r.id)).values()) {
      const first = rows[0];
      if (!first) continue;
      const refPk = rows.some((r) => r.to === null) ? (primaryKeys.get(first.table) ?? []) : [];
      foreignKeys.push({ table: t.name, columns: rows.map((r) => r.from), refTable: first.table, refColumns: rows.map((r, i) => r.to ?? refPk[i] ?? ''), onDelete: ruleFromText(first.on_delete) });
    }
  }
  // A foreign key naming only the parent table references its primary key, which may be read after the child.
  for (const f of foreignKeys) if (f.refColumns.some((c) => c === '')) f.refColumns = primaryKeys.get(f.refTable) ?? f.refColumns;
  return { columns, primaryKeys, uniqueKeys, foreignKeys };
}
