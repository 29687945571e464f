import { z } from 'zod';
import type { SqlEngine } from '../graph-schema.ts';
import { quoteIdent, toPlainValue, type SqlQueryable } from '../sql/sql-connection.ts';
import type { TaxonomyKey } from '../../policy/taxonomy.ts';
import { categoryFromName, classifyValues, valueKindCategory, type ValueKind } from './personal-data-detectors.ts';

export interface ScannedColumn {
  name: string;
  type: string;
  /** What the column holds, from its values (preferred) or its name. */
  category?: TaxonomyKey;
  evidence?: { by: 'values'; kind: ValueKind; matched: number; sampled: number } | { by: 'name' };
  references?: { table: string; column: string };
}

export interface ScannedTable {
  name: string;
  primaryKey: string[];
  columns: ScannedColumn[];
  rowEstimate: number;
}

const str = z.coerce.string();
const colRow = z.object({ table_name: str, column_name: str, data_type: str });
const keyRow = z.object({ table_name: str, column_name: str });
const fkRow = z.object({ table_name: str, column_name: str, ref_table: str, ref_column: str });

async function introspect(db: SqlQueryable, engine: SqlEngine): Promise<Array<Omit<ScannedTable, 'rowEstimate'>>> {
  let cols: Array<z.infer<typeof colRow>> = [];
  let pks: Array<z.infer<typeof keyRow>> = [];
  let fks: Array<z.infer<typeof fkRow>> = [];
  if (engine === 'postgres') {
    cols = z.array(colRow).parse((await db.query(`select table_name, column_name, data_type from information_schema.columns where table_schema = current_schema() order by table_name, ordinal_position`)).rows);
    pks = z.array(keyRow).parse((await db.query(`select tc.table_name, kcu.column_name from information_schema.table_constraints tc join information_schema.key_column_usage kcu on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema where tc.constraint_type = 'PRIMARY KEY' and tc.table_schema = current_schema() order by kcu.ordinal_position`)).rows);
    fks = z.array(fkRow).parse((await db.query(`select cl.relname as table_name, a.attname as column_name, rcl.relname as ref_table, ra.attname as ref_column
      from pg_constraint c join pg_class cl on cl.oid = c.conrelid join pg_namespace n on n.oid = cl.relnamespace join pg_class rcl on rcl.oid = c.confrelid
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1] join pg_attribute ra on ra.attrelid = c.confrelid and ra.attnum = c.confkey[1]
      where c.contype = 'f' and n.nspname = current_schema() and array_length(c.conkey, 1) = 1`)).rows);
  } else if (engine === 'mysql') {
    cols = z.array(colRow).parse((await db.query(`select table_name as table_name, column_name as column_name, data_type as data_type from information_schema.columns where table_schema = database() order by table_name, ordinal_position`)).rows);
    pks = z.array(keyRow).parse((await db.query(`select table_name as table_name, column_name as column_name from information_schema.key_column_usage where table_schema = database() and constraint_name = 'PRIMARY' order by ordinal_position`)).rows);
    fks = z.array(fkRow).parse((await db.query(`select table_name as table_name, column_name as column_name, referenced_table_name as ref_table, referenced_column_name as ref_column from information_schema.key_column_usage where table_schema = database() and referenced_table_name is not null`)).rows);
  } else {
    const tables = z.array(z.object({ name: str })).parse((await db.query(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`)).rows);
    for (const t of tables) {
      const info = z.array(z.object({ name: str, type: str, pk: z.coerce.number() })).parse((await db.query(`pragma table_info(${quoteIdent('sqlite', t.name)})`)).rows);
      for (const c of info) cols.push({ table_name: t.name, column_name: c.name, data_type: c.type });
      for (const c of info.filter((x) => x.pk > 0).sort((a, b) => a.pk - b.pk)) pks.push({ table_name: t.name, column_name: c.name });
      const fk = z.array(z.object({ table: str, from: str, to: str })).parse((await db.query(`pragma foreign_key_list(${quoteIdent('sqlite', t.name)})`)).rows);
      for (const f of fk) fks.push({ table_name: t.name, column_name: f.from, ref_table: f.table, ref_column: f.to });
    }
  }
  const names = [...new Set(cols.map((c) => c.table_name))];
  return names.map((name) => ({
    name,
    primaryKey: pks.filter((p) => p.table_name === name).map((p) => p.column_name),
    columns: cols.filter((c) => c.table_name === name).map((c) => {
      const fk = fks.find((f) => f.table_name === name && f.column_name === c.column_name);
      return { name: c.column_name, type: c.data_type, ...(fk ? { references: { table: fk.ref_table, column: fk.ref_column } } : {}) };
    }),
  }));
}

const plainIdent = /^[A-Za-z_][A-Za-z0-9_]*$/;
const textual = /char|text|string|clob|json|^$/i;

/**
 * Introspects a database and classifies every column by its name and by a sample of its values. Sampled values stay
 * in memory: only counts and column names leave this function.
 * @example const tables = await scanDatabase(conn, 'postgres', { sample: 200 });
 */
export async function scanDatabase(db: SqlQueryable, engine: SqlEngine, opts: { sample?: number } = {}): Promise<ScannedTable[]> {
  const sample = opts.sample ?? 200;
  const tables = await introspect(db, engine);
  const out: ScannedTable[] = [];
  for (const t of tables) {
    if (!plainIdent.test(t.name)) continue;
    const q = (n: string) => quoteIdent(engine, n);
    const countRow = (await db.query(`select count(*) as n from ${q(t.name)}`)).rows[0];
    const rowEstimate = Number(countRow?.n ?? 0);
    const columns: ScannedColumn[] = [];
    for (const c of t.columns) {
      if (!plainIdent.test(c.name)) continue;
      let col: ScannedColumn = { ...c };
      const byName = categoryFromName(c.name);
      if (textual.test(c.type) || /date/i.test(c.type)) {
        const { rows } = await db.query(`select ${q(c.name)} as v from ${q(t.name)} where ${q(c.name)} is not null limit ${sample}`);
        const values = rows.map((r) => toPlainValue(r.v)).map((v) => (typeof v === 'string' ? (/^\d{4}-\d\d-\d\dT00:00:00\.000Z$/.test(v) ? v.slice(0, 10) : v) : String(v)));
        const found = classifyValues(values);
        if (found) col = { ...col, category: valueKindCategory[found.kind], evidence: { by: 'values', ...found } };
      }
      if (!col.category && byName) col = { ...col, category: byName, evidence: { by: 'name' } };
      columns.push(col);
    }
    out.push({ name: t.name, primaryKey: t.primaryKey, columns, rowEstimate });
  }
  return out;
}

/**
 * A draft dataset graph from a scan: tables with personal data, and tables that point at them, with references from
 * foreign keys and identities on email columns and on the primary key of the table that holds them.
 */
export function draftGraph(tables: ScannedTable[], opts: { datasetId: string; engine: SqlEngine; urlEnv: string }): Record<string, unknown> {
  const personal = new Set(tables.filter((t) => t.columns.some((c) => c.category)).map((t) => t.name));
  const keep = new Set(personal);
  // Tables holding a foreign key to a kept table belong to the person too (their posts, sign-ins …).
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of tables) if (!keep.has(t.name) && t.columns.some((c) => c.references && keep.has(c.references.table))) {
      keep.add(t.name);
      changed = true;
    }
  }
  const identityTables = new Set(tables.filter((t) => t.columns.some((c) => c.category === 'email')).map((t) => t.name));
  const collections = tables
    .filter((t) => keep.has(t.name) && t.primaryKey.length > 0)
    .map((t) => ({
      name: t.name,
      primary_key: t.primaryKey,
      fields: t.columns
        .filter((c) => c.category || c.references || t.primaryKey.includes(c.name))
        .map((c) => ({
          name: c.name,
          ...(c.category === 'email' ? { identity: 'email' } : {}),
          ...(identityTables.has(t.name) && t.primaryKey.length === 1 && t.primaryKey[0] === c.name && !c.references ? { identity: 'account_id' } : {}),
          ...(c.category ? { category: c.category } : {}),
          ...(c.references && keep.has(c.references.table) ? { references: `${c.references.table}.${c.references.column}` } : {}),
        })),
    }));
  return { mamori_graph: 1, datasets: [{ id: opts.datasetId, connection: { kind: opts.engine, url_env: opts.urlEnv }, collections }] };
}
