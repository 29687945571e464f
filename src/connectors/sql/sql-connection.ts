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

function isRow(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/**
 * Driver rows checked at the edge. A structural check instead of a zod parse: a person's notes can be tens of
 * thousands of rows and a per-row copy would cost more than the query.
 */
export const rowsSchema = {
  parse(value: unknown): Array<Record<string, unknown>> {
    if (!Array.isArray(value)) throw new Error('the driver returned no row list');
    const out: Array<Record<string, unknown>> = [];
    for (const v of value) {
      if (!isRow(v)) throw new Error('the driver returned a row that is not an object');
      out.push(v);
    }
    return out;
  },
};

/** Quotes a validated identifier for the engine (identifiers are checked by the graph schema as plain names). */
export function quoteIdent(engine: SqlEngine, name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error('invalid identifier');
  return engine === 'mysql' ? `\`${name}\`` : `"${name}"`;
}

/** Values as they go into a disclosure package: JSON-safe, dates as ISO text, bytes as base64. */
export function toPlainValue(v: unknown): unknown {
  // MySQL's zero date ('0000-00-00 00:00:00', WordPress's default) comes back as an invalid Date.
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '0000-00-00T00:00:00.000Z' : v.toISOString();
  if (typeof v === 'bigint') return v.toString();
  if (Buffer.isBuffer(v)) return { base64: v.toString('base64') };
  return v;
}

/** Comparable key text for a value, so ids read back as numbers or strings on different engines still match. */
export function keyText(v: unknown): string {
  const p = toPlainValue(v);
  return typeof p === 'object' && p !== null ? JSON.stringify(p) : String(p);
}

/** Rows made JSON-safe in place (dates, bigints, bytes); plain values are left as they are. */
export function plainRows(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  for (const r of rows) {
    for (const k in r) {
      const v = r[k];
      if (v !== null && (typeof v === 'object' || typeof v === 'bigint')) r[k] = toPlainValue(v);
    }
  }
  return rows;
}
