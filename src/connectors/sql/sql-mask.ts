import type { MaskStrategy, SqlEngine } from '../graph-schema.ts';
import type { CollectionPlan } from '../graph-plan.ts';
import { keyText, quoteIdent, type SqlQueryable } from './sql-connection.ts';
import { isMaskedValue, keyedRandomMask, maskedValue, randomMaskSql } from './mask-values.ts';
import type { createTraversal } from './sql-traverse.ts';
import type { Batch, ErasureCatalog } from './sql-executor-types.ts';
import { MamoriError } from '../../errors.ts';
import '../connector-errors.ts';

export interface MaskContext {
  engine: SqlEngine;
  traversal: ReturnType<typeof createTraversal>;
  catalog: ErasureCatalog;
  hashKey?: Buffer | undefined;
}

/** A data-changing statement with its parameters (no RETURNING clause), as an erasure may combine several. */
export interface Write {
  sql: string;
  params: unknown[];
}

/** Whether a random mask of this column is made per row in Node (UNIQUE or shorter than 16 characters). */
const keyedMask = (catalog: ErasureCatalog, table: string, f: string, s: MaskStrategy) => s === 'random' && ((catalog.maxLength.get(`${table}.${f}`) ?? 16) < 16 || catalog.unique.has(`${table}.${f}`));

/**
 * The UPDATE statements that mask the person's rows when no value is made per row (NULL, fixed values, the
 * database's random text for long non-unique columns): one per batch, changing only rows not masked yet. Undefined
 * when a field needs a keyed hash or per-row random text.
 */
export function setBasedMask(ctx: Pick<MaskContext, 'engine' | 'catalog' | 'hashKey'>, cp: CollectionPlan, fields: Record<string, MaskStrategy>, batches: Batch[]): Write[] | undefined {
  const { engine, catalog } = ctx;
  const q = (name: string) => quoteIdent(engine, name);
  const entries = Object.entries(fields);
  if (entries.some(([f, s]) => s === 'hash' || keyedMask(catalog, cp.collection.name, f, s))) return undefined;
  const set = entries.map(([f, s]) => (s === 'random' ? `${q(f)} = ${randomMaskSql[engine]}` : `${q(f)} = ?`)).join(', ');
  const values = entries.flatMap(([, s]) => (s === 'random' ? [] : [maskedValue(s, null, ctx.hashKey)]));
  const pending = entries.map(([f, s]) => (typeof s === 'object' ? `(${q(f)} is null or ${q(f)} <> ?)` : s === 'random' ? `(${q(f)} is null or ${q(f)} not like '~_______________')` : `${q(f)} is not null`)).join(' or ');
  const pendingParams = entries.flatMap(([, s]) => (typeof s === 'object' ? [s.fixed] : []));
  return batches.map((b) => ({ sql: `update ${q(cp.collection.name)} set ${set} where (${b.where}) and (${pending})`, params: [...values, ...b.params, ...pendingParams] }));
}

/** How many other values a unique column's mask tries before giving up (each try is one SELECT for a whole page). */
const maxAttempts = 8;

/**
 * Masks the fields of the person's rows in `batches`, changing only rows not masked yet (a second erasure changes
 * and counts nothing). Fixed values, NULL and random text for long, non-unique columns are one UPDATE per batch (the
 * database makes the random text). A keyed hash, and random text for a column that is UNIQUE or shorter than 16
 * characters, are made per row in Node (the key never goes to the database) and written in one UPDATE per page with
 * CASE on the primary key; for a UNIQUE column, values already taken are replaced by the next attempt first.
 * @example const n = await maskCollection(ctx, tx, plan, { email: 'null', name: 'random' }, batches);
 */
export async function maskCollection(ctx: MaskContext, db: SqlQueryable, cp: CollectionPlan, fields: Record<string, MaskStrategy>, batches: Batch[]): Promise<number> {
  const { engine, catalog } = ctx;
  const q = (name: string) => quoteIdent(engine, name);
  const name = cp.collection.name;
  const table = q(name);
  const entries = Object.entries(fields);
  const col = (f: string) => `${name}.${f}`;
  const keyed = (f: string, s: MaskStrategy) => keyedMask(catalog, name, f, s);
  const isMasked = (s: MaskStrategy, v: unknown) => isMaskedValue(engine, s, v);
  let n = 0;
  const writes = setBasedMask(ctx, cp, fields, batches);
  if (writes) {
    for (const w of writes) n += (await db.query(w.sql, w.params)).rowCount;
    return n;
  }
  const pk = cp.collection.primary_key;
  const match = pk.map((k) => `${q(k)} = ?`).join(' and ');
  const rowKey = (row: Record<string, unknown>) => pk.map((k) => keyText(row[k])).join('\u0000');
  const key = ctx.hashKey ?? Buffer.alloc(32);
  for (const b of batches) {
    const pages: Array<Array<Record<string, unknown>>> = [];
    for await (const page of ctx.traversal.readPages(db, cp, b, entries.map(([f]) => f))) pages.push(page.filter((row) => entries.some(([f, s]) => !isMasked(s, row[f]))));
    for (const page of pages) {
      if (page.length === 0) continue;
      // The new value of each field of each row, made before the UPDATE so a unique column's collisions are avoided.
      const next = new Map<string, unknown[]>();
      for (const [f, s] of entries) {
        if (!keyed(f, s)) {
          next.set(f, page.map((row) => (isMasked(s, row[f]) ? row[f] : maskedValue(s, row[f], ctx.hashKey))));
          continue;
        }
        const len = catalog.maxLength.get(col(f)) ?? 16;
        const attempt = page.map(() => 0);
        const values = page.map((row) => (isMasked(s, row[f]) ? row[f] : keyedRandomMask(key, name, f, rowKey(row), 0, len)));
        if (catalog.unique.has(col(f))) {
          for (let round = 0; ; round++) {
            const fresh = values.map((v, i) => (isMasked(s, page[i]?.[f]) ? undefined : v)).filter((v): v is string => typeof v === 'string');
            if (fresh.length === 0) break;
            const { rows: taken } = await db.query(`select ${q(f)} as v from ${table} where ${q(f)} in (${fresh.map(() => '?').join(', ')})`, fresh);
            const used = new Set(taken.map((r) => keyText(r.v)));
            const seen = new Set<string>();
            let clashes = 0;
            values.forEach((v, i) => {
              if (isMasked(s, page[i]?.[f])) return;
              const t = keyText(v);
              if (used.has(t) || seen.has(t)) {
                clashes++;
                attempt[i] = (attempt[i] ?? 0) + 1;
                values[i] = keyedRandomMask(key, name, f, rowKey(page[i] ?? {}), attempt[i] ?? 0, len);
              } else seen.add(t);
            });
            if (clashes === 0) break;
            if (round + 1 >= maxAttempts) throw new MamoriError('MAMORI_MASK_UNIQUE', `no free masked value for ${name}.${f} after ${maxAttempts} attempts (the column is too short to mask uniquely)`);
          }
        }
        next.set(f, values);
      }
      const params: unknown[] = [];
      const sets = entries.map(([f]) => {
        const values = next.get(f) ?? [];
        const cases = page.map((row, i) => {
          params.push(...pk.map((k) => row[k]), values[i]);
          return `when ${match} then ?`;
        });
        return `${q(f)} = case ${cases.join(' ')} else ${q(f)} end`;
      });
      const keyList = page.map(() => (pk.length === 1 ? '?' : `(${pk.map(() => '?').join(', ')})`)).join(', ');
      const keyCols = pk.length === 1 ? q(pk[0] ?? '') : `(${pk.map(q).join(', ')})`;
      params.push(...page.flatMap((row) => pk.map((k) => row[k])));
      n += (await db.query(`update ${table} set ${sets.join(', ')} where ${keyCols} in (${keyList})`, params)).rowCount;
    }
  }
  return n;
}
