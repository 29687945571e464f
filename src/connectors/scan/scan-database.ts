import type { SqlEngine } from '../graph-schema.ts';
import { quoteIdent, toPlainValue, type SqlQueryable } from '../sql/sql-connection.ts';
import { readCatalog, type CatalogColumn } from '../sql/sql-catalog.ts';
import { runBounded } from '../sql/run-bounded.ts';
import { readTriggers } from '../sql/sql-triggers.ts';
import { categoryFromName, classifyValues, isSecretColumn, looksLikeSecretValues, valueKindCategory } from './personal-data-detectors.ts';
import { findConventionLinks } from './convention-links.ts';
import type { ColumnShape, ScannedColumn, ScannedTable, ScanResult } from './scan-types.ts';

export type { ColumnShape, ScannedColumn, ScannedTable, ScanResult } from './scan-types.ts';

const plainIdent = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Queries in flight at once: the connection pools hold 4 (a transaction's single client just queues them). */
const concurrency = 4;

export function shapeOf(type: string): ColumnShape {
  const t = type.toLowerCase();
  if (/json/.test(t)) return 'json';
  if (/^(bool|boolean|tinyint\(1\))/.test(t)) return 'boolean';
  if (/inet|cidr/.test(t)) return 'ip';
  if (/char|text|string|clob|citext|^$/.test(t)) return 'text';
  if (/int|serial|numeric|decimal/.test(t)) return 'integer';
  if (/date|time/.test(t)) return 'date';
  return 'other';
}

/**
 * Row counts from the catalog's statistics where the engine keeps them (a count(*) of every table is slow at scale).
 * A never-analysed table reports -1/0: when its sample came back short, the sample is the count; otherwise it is
 * counted, up to 100,000 rows.
 */
async function catalogRowEstimates(db: SqlQueryable, engine: SqlEngine): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (engine === 'postgres') {
    const { rows } = await db.query(`select c.relname as name, c.reltuples as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = current_schema() and c.relkind in ('r', 'p')`);
    for (const r of rows) out.set(String(r.name), Math.max(0, Number(r.n ?? 0)));
  } else if (engine === 'mysql') {
    const { rows } = await db.query(`select table_name as name, table_rows as n from information_schema.tables where table_schema = database()`);
    for (const r of rows) out.set(String(r.name), Number(r.n ?? 0));
  }
  return out;
}

async function rowEstimate(db: SqlQueryable, engine: SqlEngine, table: string, fromCatalog: number, sampled: number | undefined, sample: number): Promise<number> {
  if (fromCatalog > 0) return fromCatalog;
  if (sampled !== undefined && sampled < sample) return sampled;
  const { rows } = await db.query(`select count(*) as n from (select 1 as x from ${quoteIdent(engine, table)} limit 100000) s`);
  return Number(rows[0]?.n ?? 0);
}

/** Every string inside a JSON value (keys' values, array items), at most `limit`. */
function jsonStrings(v: unknown, limit = 50, out: string[] = []): string[] {
  if (out.length >= limit) return out;
  let value = v;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return out;
    }
  }
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const x of value) jsonStrings(typeof x === 'string' ? JSON.stringify(x) : x, limit, out);
  else if (typeof value === 'object' && value !== null) for (const x of Object.values(value)) jsonStrings(typeof x === 'string' ? JSON.stringify(x) : x, limit, out);
  return out;
}

/**
 * Introspects a database and classifies every column by its name, its type and a sample of its values (JSON values are
 * opened and their strings classified too); finds links without a foreign key by naming convention, confirmed by
 * values. Sampled values stay in memory: only counts and column names leave this function.
 * @example const { tables } = await scanSchema(conn, 'postgres', { sample: 200 });
 */
export async function scanSchema(db: SqlQueryable, engine: SqlEngine, opts: { sample?: number } = {}): Promise<ScanResult> {
  const sample = opts.sample ?? 200;
  const [catalog, estimates, triggers] = await Promise.all([readCatalog(db, engine), catalogRowEstimates(db, engine), readTriggers(db, engine)]);
  const names = [...new Set(catalog.columns.map((c) => c.table))].filter((n) => plainIdent.test(n)).sort();
  const q = (n: string) => quoteIdent(engine, n);
  const columnsOf = new Map<string, CatalogColumn[]>();
  for (const c of catalog.columns) {
    if (!plainIdent.test(c.name)) continue;
    const list = columnsOf.get(c.table);
    if (list) list.push(c);
    else columnsOf.set(c.table, [c]);
  }
  // One query per table, a few at a time over the connection's pool: the first rows, every column (values are
  // classified in memory, never printed). `limit` on a plain scan reads a few pages whatever the table's size.
  const read = new Map<string, { rows: Array<Record<string, unknown>>; rowEstimate: number }>();
  await runBounded(
    names.map((name) => async () => {
      const cols = columnsOf.get(name) ?? [];
      const { rows } = cols.length === 0 ? { rows: [] } : await db.query(`select ${cols.map((c) => q(c.name)).join(', ')} from ${q(name)} limit ${sample}`);
      read.set(name, { rows, rowEstimate: await rowEstimate(db, engine, name, estimates.get(name) ?? 0, cols.length === 0 ? undefined : rows.length, sample) });
    }),
    concurrency,
  );
  const tables: ScannedTable[] = [];
  const samples = new Map<string, Map<string, unknown[]>>();
  for (const name of names) {
    const cols = columnsOf.get(name) ?? [];
    const { rows, rowEstimate: estimate } = read.get(name) ?? { rows: [], rowEstimate: 0 };
    const byColumn = new Map<string, unknown[]>(cols.map((c) => [c.name, rows.map((r) => r[c.name]).filter((v) => v !== null && v !== undefined)]));
    samples.set(name, byColumn);
    const columns = cols.map((c): ScannedColumn => {
      const shape = shapeOf(c.type);
      const col: ScannedColumn = { name: c.name, type: c.type, shape, nullable: c.nullable, ...(c.maxLength !== undefined ? { maxLength: c.maxLength } : {}) };
      const raw = byColumn.get(c.name) ?? [];
      const values = raw.map((v) => toPlainValue(v)).map((v) => (typeof v === 'string' ? (/^\d{4}-\d\d-\d\dT00:00:00\.000Z$/.test(v) ? v.slice(0, 10) : v) : typeof v === 'object' ? JSON.stringify(v) : String(v)));
      if ((shape === 'text' || shape === 'other') && (isSecretColumn(c.name) || looksLikeSecretValues(values))) return { ...col, category: 'credentials', evidence: { by: 'name' }, secret: true };
      if (shape === 'text' || shape === 'date') {
        const found = classifyValues(values);
        if (found) return { ...col, category: valueKindCategory[found.kind], evidence: { by: 'values', ...found } };
      }
      if (shape === 'json') {
        const found = classifyValues(raw.flatMap((v) => jsonStrings(v)));
        if (found) return { ...col, category: valueKindCategory[found.kind], evidence: { by: 'json', kind: found.kind } };
        return { ...col, category: 'user_content', evidence: { by: 'name' }, freeText: true };
      }
      if (shape === 'ip') return { ...col, category: 'ip_address', evidence: { by: 'name' } };
      // Names only say something about text: `emailVerified` (a boolean) or `email_notification_types` (JSON) hold no address.
      const byName = shape === 'text' ? categoryFromName(c.name) : undefined;
      if (byName) return { ...col, category: byName, evidence: { by: 'name' } };
      const long = shape === 'text' && (c.maxLength === undefined || c.maxLength >= 255) && !/(^|_)(id|uuid|type|kind|status|state|url|uri|hash|mime|lang|locale)$|_id$|Id$/i.test(c.name);
      return long ? { ...col, category: 'user_content', evidence: { by: 'name' }, freeText: true } : col;
    });
    const fk1 = catalog.foreignKeys.filter((f) => f.table === name && f.columns.length === 1);
    for (const col of columns) {
      const fk = fk1.find((f) => f.columns[0] === col.name);
      if (fk) col.references = { table: fk.refTable, column: fk.refColumns[0] ?? '', onDelete: fk.onDelete };
    }
    const keyCol = columns.find((c) => c.shape === 'text' && /^(meta_?key|option_?name|key|setting_?name)$/i.test(c.name));
    const valueCol = columns.find((c) => /^(meta_?value|option_?value|value|setting_?value)$/i.test(c.name));
    const secretKeys = keyCol && valueCol ? [...new Set((byColumn.get(keyCol.name) ?? []).map(String))].filter((k) => isSecretColumn(k)).sort() : [];
    const secretRows = keyCol && valueCol && secretKeys.length > 0 ? { secretRows: { keyColumn: keyCol.name, valueColumn: valueCol.name, keys: secretKeys } } : {};
    tables.push({ name, primaryKey: catalog.primaryKeys.get(name) ?? [], uniqueKeys: catalog.uniqueKeys.get(name) ?? [], columns, rowEstimate: estimate, sampled: rows.length, ...secretRows });
  }
  await findConventionLinks(db, engine, tables, samples, concurrency);
  return { tables, foreignKeys: catalog.foreignKeys, triggers };
}

/** The scanned tables only (kept for callers that only classify columns). */
export async function scanDatabase(db: SqlQueryable, engine: SqlEngine, opts: { sample?: number } = {}): Promise<ScannedTable[]> {
  return (await scanSchema(db, engine, opts)).tables;
}
