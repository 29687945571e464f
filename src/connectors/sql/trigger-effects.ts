import { z } from 'zod';
import type { TriggerEffect } from '../step-outcome.ts';
import type { SqlQueryable } from './sql-connection.ts';
import type { ForeignKey } from './sql-catalog.ts';
import { analyseCascades } from './cascade-analysis.ts';

/**
 * The tables a trigger's code writes (INSERT INTO, UPDATE … SET, DELETE FROM, REPLACE INTO), read from its text, for
 * the plan on every engine. Dynamic SQL (PL/pgSQL `EXECUTE`, MySQL prepared statements) cannot be read this way.
 * @example triggerWrites('begin update reaction_tally set n = n + 1; end') // ['reaction_tally']
 */
export function triggerWrites(body: string): string[] {
  const code = body.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/'(?:[^']|'')*'/g, "''");
  const name = String.raw`((?:[\`"]?[A-Za-z_][A-Za-z0-9_$]*[\`"]?\.)?[\`"]?[A-Za-z_][A-Za-z0-9_$]*[\`"]?)`;
  const out: string[] = [];
  for (const re of [new RegExp(String.raw`\b(?:insert|replace)\s+(?:ignore\s+)?into\s+${name}`, 'gi'), new RegExp(String.raw`\bupdate\s+(?:only\s+)?${name}\s+(?:as\s+\w+\s+)?set\b`, 'gi'), new RegExp(String.raw`\bdelete\s+from\s+(?:only\s+)?${name}`, 'gi')]) {
    for (const m of code.matchAll(re)) {
      const t = (m[1] ?? '').replace(/[`"]/g, '').split('.').pop() ?? '';
      if (t && !out.includes(t)) out.push(t);
    }
  }
  return out;
}

interface Counts {
  ins: number;
  upd: number;
  del: number;
}

const statsRows = z.array(z.object({ name: z.coerce.string(), ins: z.coerce.number(), upd: z.coerce.number(), del: z.coerce.number() }));

/** PostgreSQL's per-table row counts of the current transaction (`pg_stat_xact_user_tables`), tables of other schemas qualified. */
async function xactCounts(db: SqlQueryable): Promise<Map<string, Counts>> {
  const { rows } = await db.query(`select case when schemaname = current_schema() then relname else schemaname || '.' || relname end as name, n_tup_ins as ins, n_tup_upd as upd, n_tup_del as del from pg_stat_xact_user_tables`);
  return new Map(statsRows.parse(rows).map((r) => [r.name, { ins: r.ins, upd: r.upd, del: r.del }]));
}

const write = /^\s*(?:\/\*[\s\S]*?\*\/\s*)*(delete\s+from|update)\s+"([A-Za-z_][A-Za-z0-9_]*)"(?:\s+where\s+([\s\S]*))?/i;

/**
 * A PostgreSQL connection (inside a transaction that will be rolled back) that measures, for every DELETE and UPDATE
 * the erasure sends, the rows the database changed beyond the statement's own rows and beyond its ON DELETE rules:
 * what the application's triggers did, per table, exactly. Before each DELETE the cascades of its rows are counted
 * at that moment; `pg_stat_xact_user_tables` is read before and after; the remainder is the triggers'.
 * @example const m = measuringConnection(tx, fks); await erase(m.db); m.effects.get('note_reaction')
 */
export function measuringConnection(tx: SqlQueryable, fks: ForeignKey[]): { db: SqlQueryable; effects: Map<string, TriggerEffect[]> } {
  const effects = new Map<string, TriggerEffect[]>();
  const db: SqlQueryable = {
    async query(sql, params = []) {
      const m = write.exec(sql);
      if (!m) return tx.query(sql, params);
      const table = m[2] ?? '';
      const isDelete = /^delete/i.test(m[1] ?? '');
      const cascades = isDelete && m[3] ? await analyseCascades(tx, 'postgres', fks, { table, where: m[3], params: [...params] }, () => undefined) : [];
      const before = await xactCounts(tx);
      const result = await tx.query(sql, params);
      const after = await xactCounts(tx);
      const delta = new Map<string, Counts>();
      for (const [name, a] of after) {
        const b = before.get(name) ?? { ins: 0, upd: 0, del: 0 };
        delta.set(name, { ins: a.ins - b.ins, upd: a.upd - b.upd, del: a.del - b.del });
      }
      const own = delta.get(table);
      if (own) {
        if (isDelete) own.del -= result.rowCount;
        else own.upd -= result.rowCount;
      }
      for (const c of cascades) {
        const d = delta.get(c.table);
        if (!d) continue;
        if (c.rule === 'cascade') d.del -= c.mine + c.others;
        else if (c.rule === 'set_null' || c.rule === 'set_default') d.upd -= c.mine + c.others;
      }
      const list = effects.get(table) ?? [];
      for (const [name, d] of delta) {
        const e = { table: name, inserted: Math.max(0, d.ins), updated: Math.max(0, d.upd), deleted: Math.max(0, d.del) };
        if (e.inserted + e.updated + e.deleted === 0) continue;
        const same = list.find((x) => x.table === name);
        if (same) {
          same.inserted += e.inserted;
          same.updated += e.updated;
          same.deleted += e.deleted;
        } else list.push(e);
      }
      if (list.length > 0) effects.set(table, list);
      return result;
    },
  };
  return { db, effects };
}
