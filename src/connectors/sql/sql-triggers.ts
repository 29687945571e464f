import { z } from 'zod';
import type { SqlEngine } from '../graph-schema.ts';
import type { ForeignKey } from './sql-catalog.ts';
import type { SqlQueryable } from './sql-connection.ts';
import { triggerWrites } from './trigger-effects.ts';

export type TriggerEvent = 'insert' | 'update' | 'delete' | 'truncate';

/** A trigger the application defined on a table (never the engine's own foreign-key triggers). */
export interface TableTrigger {
  table: string;
  name: string;
  timing: 'before' | 'after' | 'instead_of';
  events: TriggerEvent[];
  level: 'row' | 'statement';
  /**
   * A guard that lets a statement through only when its text starts with this SQL comment (Lemmy's `require_uplete`
   * checks that the statement starts with an empty comment, slash-star-star-slash): found in the trigger's code, never
   * guessed.
   */
  guardComment?: string;
  /** The tables the trigger's code writes (read from its text; see `triggerWrites`). */
  writes: string[];
}

const str = z.coerce.string();

/**
 * The SQL comment a trigger's code requires at the start of the statement, when it inspects the statement's text
 * (`starts_with(current_query(), '<comment>')` or `current_query() like '<comment>%'`), e.g. Lemmy's empty comment.
 * @example guardCommentOf(requireUpleteSource) // Lemmy's empty comment
 */
export function guardCommentOf(body: string): string | undefined {
  const m = /starts_with\s*\(\s*current_query\s*\(\s*\)\s*,\s*'(\/\*(?:[^*']|\*(?!\/))*\*\/)'\s*\)/i.exec(body) ?? /current_query\s*\(\s*\)\s+i?like\s+'(\/\*(?:[^*'%]|\*(?!\/))*\*\/)%'/i.exec(body);
  return m?.[1];
}

/**
 * The SQL comment a MySQL/MariaDB trigger requires at the start of the statement. A MySQL trigger has no
 * `current_query()`, but it can read its own statement's text from `information_schema.PROCESSLIST` (`INFO` of
 * `connection_id()`) or `performance_schema.events_statements_current` (`SQL_TEXT`) and compare its start with
 * `LIKE '<comment>%'`, `LEFT(…) = '<comment>'`, `LOCATE('<comment>', …) = 1` or `INSTR(…, '<comment>') = 1`.
 * (SQLite gives a trigger no way to read the statement's text, so no such guard can exist there; it is not checked.)
 * @example mysqlGuardCommentOf("if (select info from information_schema.processlist where id = connection_id()) not like '/**\/%' then signal …") // the empty comment
 */
export function mysqlGuardCommentOf(body: string): string | undefined {
  if (!/information_schema\s*\.\s*processlist|events_statements_current/i.test(body)) return undefined;
  const c = String.raw`(\/\*(?:[^*'%]|\*(?!\/))*\*\/)`;
  const m = new RegExp(String.raw`\blike\s+'${c}%'`, 'i').exec(body) ?? new RegExp(String.raw`\bleft\s*\([^)]*\)\s*<?>?!?=\s*'${c}'`, 'i').exec(body) ?? new RegExp(String.raw`\blocate\s*\(\s*'${c}'`, 'i').exec(body) ?? new RegExp(String.raw`\binstr\s*\([^,]*,\s*'${c}'\s*\)`, 'i').exec(body);
  return m?.[1];
}

/**
 * Reads the application's triggers of the connection's current schema: PostgreSQL `pg_trigger` (internal and
 * disabled ones left out), MySQL/MariaDB `information_schema.TRIGGERS`, SQLite `sqlite_master`. Only names, timing,
 * events and (for guards) the comment a statement must start with; never values.
 * @example const triggers = await readTriggers(conn, 'postgres');
 */
export async function readTriggers(db: SqlQueryable, engine: SqlEngine): Promise<TableTrigger[]> {
  switch (engine) {
    case 'postgres': {
      const rows = z.array(z.object({ table_name: str, name: str, type: z.coerce.number(), body: str })).parse((await db.query(`select c.relname as table_name, t.tgname as name, t.tgtype::int as type, coalesce(p.prosrc, '') as body
        from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace join pg_proc p on p.oid = t.tgfoid
        where not t.tgisinternal and t.tgenabled <> 'D' and n.nspname = current_schema() order by c.relname, t.tgname`)).rows);
      // pg_trigger.tgtype bits: 1 row, 2 before, 4 insert, 8 delete, 16 update, 32 truncate, 64 instead of.
      return rows.map((r) => {
        const events: TriggerEvent[] = [];
        if (r.type & 4) events.push('insert');
        if (r.type & 16) events.push('update');
        if (r.type & 8) events.push('delete');
        if (r.type & 32) events.push('truncate');
        const guard = guardCommentOf(r.body);
        return { table: r.table_name, name: r.name, timing: r.type & 64 ? 'instead_of' : r.type & 2 ? 'before' : 'after', events, level: r.type & 1 ? 'row' : 'statement', ...(guard ? { guardComment: guard } : {}), writes: triggerWrites(r.body) };
      });
    }
    case 'mysql': {
      const rows = z.array(z.object({ table_name: str, name: str, timing: str, event: str, body: str })).parse((await db.query(`select event_object_table as table_name, trigger_name as name, action_timing as timing, event_manipulation as event, action_statement as body
        from information_schema.triggers where trigger_schema = database() order by event_object_table, trigger_name`)).rows);
      return rows.map((r) => {
        const guard = mysqlGuardCommentOf(r.body);
        return { table: r.table_name, name: r.name, timing: r.timing.toLowerCase() === 'before' ? 'before' : 'after', events: [eventOf(r.event)], level: 'row', ...(guard ? { guardComment: guard } : {}), writes: triggerWrites(r.body) };
      });
    }
    case 'sqlite': {
      const rows = z.array(z.object({ name: str, tbl_name: str, sql: str })).parse((await db.query(`select name, tbl_name, coalesce(sql, '') as sql from sqlite_master where type = 'trigger' order by tbl_name, name`)).rows);
      return rows.map((r) => {
        const m = /\b(before|after|instead\s+of)\s+(delete|insert|update)\b/i.exec(r.sql);
        const timing = (m?.[1] ?? 'after').toLowerCase().replace(/\s+/g, '_');
        // Only the body (after BEGIN) is read for writes: the header names the trigger's own table after ON.
        const body = r.sql.replace(/^[\s\S]*?\bbegin\b/i, '');
        return { table: r.tbl_name, name: r.name, timing: timing === 'before' ? 'before' : timing === 'instead_of' ? 'instead_of' : 'after', events: [eventOf(m?.[2] ?? 'insert')], level: 'row', writes: triggerWrites(body) };
      });
    }
    default: {
      const never: never = engine;
      return never;
    }
  }
}

function eventOf(v: string): TriggerEvent {
  const e = v.trim().toLowerCase();
  return e === 'delete' ? 'delete' : e === 'update' ? 'update' : e === 'truncate' ? 'truncate' : 'insert';
}

/** `table.name`, how a graph acknowledges a trigger (`allow_triggers.names`). */
export const triggerId = (t: Pick<TableTrigger, 'table' | 'name'>) => `${t.table}.${t.name}`;

/**
 * The triggers an erasure fires: DELETE triggers of a deleted table, UPDATE triggers of a masked one, and those of
 * the tables the delete reaches through ON DELETE rules (DELETE triggers under CASCADE, UPDATE triggers under SET
 * NULL / SET DEFAULT), following cascades as deep as `reached` says (tables with rows that will change).
 */
export function triggersFired(triggers: TableTrigger[], table: string, action: 'delete' | 'mask', reached: Array<{ table: string; rule: ForeignKey['onDelete'] }>): TableTrigger[] {
  const out: TableTrigger[] = [];
  const add = (t: string, ev: TriggerEvent) => {
    for (const tr of triggers) if (tr.table === t && tr.events.includes(ev) && !out.includes(tr)) out.push(tr);
  };
  add(table, action === 'delete' ? 'delete' : 'update');
  if (action === 'delete') for (const r of reached) if (r.rule === 'cascade' || r.rule === 'set_null' || r.rule === 'set_default') add(r.table, r.rule === 'cascade' ? 'delete' : 'update');
  return out;
}
