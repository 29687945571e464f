import { z } from 'zod';
import type { SqlEngine } from '../graph-schema.ts';

/** What the executors need of a database: one method. Placeholders are `?` on every engine. */
export interface SqlQueryable {
  query(sql: string, params?: readonly unknown[]): Promise<SqlResult>;
}

export interface SqlResult {
  rows: Array<Record<string, unknown>>;
  /** Rows changed by INSERT/UPDATE/DELETE (0 for SELECT on some engines). */
  rowCount: number;
}

/** A connection (pool) to one of the operator's databases. Vendor types never leave the adapter. */
export interface SqlConnection extends SqlQueryable {
  readonly engine: SqlEngine;
  /** Runs `fn` in one transaction on one connection; rolls back when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const rowSchema = z.record(z.string(), z.unknown());
export const rowsSchema = z.array(rowSchema);

/** Quotes a validated identifier for the engine (identifiers are checked by the graph schema as plain names). */
export function quoteIdent(engine: SqlEngine, name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error('invalid identifier');
  return engine === 'mysql' ? `\`${name}\`` : `"${name}"`;
}

/** Values as they go into a disclosure package: JSON-safe, dates as ISO text, bytes as base64. */
export function toPlainValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return v.toString();
  if (Buffer.isBuffer(v)) return { base64: v.toString('base64') };
  return v;
}

/** Comparable key text for a value, so ids read back as numbers or strings on different engines still match. */
export function keyText(v: unknown): string {
  const p = toPlainValue(v);
  return typeof p === 'object' && p !== null ? JSON.stringify(p) : String(p);
}
