import type { SqlEngine } from '../graph-schema.ts';
import { keyText, quoteIdent, type SqlQueryable } from '../sql/sql-connection.ts';
import { runBounded } from '../sql/run-bounded.ts';
import type { ScannedColumn, ScannedTable } from './scan-types.ts';

/** Column names that point at a person's account without saying which table (`post_author`, `sender`, `user_name`…). */
const personish = /(^|_)(user|users|author|owner|creator|sender|person|account|member)(_?(id|name|login))?$|^(user|author|owner|creator|sender|person|account|member)_|_user_id$|(^|_)full_user_id$/;
const notALink = /agent|type|count|(_|^)ts$|_at$|_ts_|name_?space|_status$|_limit$|^account_(data|validity)$/;

/** A table name reduced to its singular stem without a shared prefix: `wp_comments` → `comment`, `users` → `user`. */
function stem(name: string, prefix: string): string {
  const n = name.toLowerCase().startsWith(prefix) ? name.slice(prefix.length) : name;
  return n.toLowerCase().replace(/ies$/, 'y').replace(/(ses|xes)$/, (m) => m.slice(0, -2)).replace(/s$/, '');
}

/** The prefix most tables share (`wp_`), if any. */
function sharedPrefix(tables: ScannedTable[]): string {
  const counts = new Map<string, number>();
  for (const t of tables) {
    const m = /^([a-z0-9]+_)/i.exec(t.name);
    if (m?.[1]) counts.set(m[1].toLowerCase(), (counts.get(m[1].toLowerCase()) ?? 0) + 1);
  }
  const best = [...counts].sort((a, b) => b[1] - a[1])[0];
  return best && best[1] >= Math.max(3, tables.length * 0.6) ? best[0] : '';
}

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** Whether a column's name says it holds a person's account (`user_id`, `post_author`, `sender`…). */
export function looksLikePersonColumn(name: string): boolean {
  const n = snake(name);
  return personish.test(n) && !notALink.test(n);
}
const compatible = (a: ScannedColumn, b: ScannedColumn) => (a.shape === 'integer' && b.shape === 'integer') || (a.shape === 'text' && b.shape === 'text');

interface Candidate {
  table: ScannedTable;
  column: ScannedColumn;
  /** Accepted on its name alone when the column has no values to check. */
  byNameAlone: boolean;
}

/**
 * Finds links that exist only by naming convention (no foreign key): `user_id` → `users`, `post_author` → the account
 * table, `comment_post_ID` → `wp_posts.ID`, a text `user_id` holding a Matrix ID → `users.name`. A candidate is kept
 * when most sampled values of the column exist in the target key (or, in an empty table, when its name is
 * unambiguous). Found links are set on the columns with `byConvention: true`, to be reviewed.
 */
export async function findConventionLinks(db: SqlQueryable, engine: SqlEngine, tables: ScannedTable[], samples: Map<string, Map<string, unknown[]>>, concurrency = 1): Promise<void> {
  const prefix = sharedPrefix(tables);
  const q = (n: string) => quoteIdent(engine, n);
  const keysOf = (t: ScannedTable) => {
    const single = [t.primaryKey, ...t.uniqueKeys].filter((k) => k.length === 1).map((k) => k[0] ?? '');
    return t.columns.filter((c) => single.includes(c.name));
  };
  const byStem = new Map<string, ScannedTable[]>();
  for (const t of tables) byStem.set(stem(t.name, prefix), [...(byStem.get(stem(t.name, prefix)) ?? []), t]);
  const accounts = tables.filter((t) => /^(user|person|account|member|profile)$/.test(stem(t.name, prefix)) || /^(users?|persons?|people|accounts?|members?)$/i.test(t.name));
  const keyOwners = new Map<string, Array<{ table: ScannedTable; column: ScannedColumn }>>();
  for (const t of tables) for (const k of keysOf(t)) keyOwners.set(k.name.toLowerCase(), [...(keyOwners.get(k.name.toLowerCase()) ?? []), { table: t, column: k }]);

  const checks: Array<() => Promise<void>> = [];
  for (const t of tables) {
    const tStem = stem(t.name, prefix);
    for (const c of t.columns) {
      if (c.references || (c.shape !== 'integer' && c.shape !== 'text') || /^id$/i.test(c.name)) continue;
      const name = snake(c.name);
      if (notALink.test(name)) continue;
      const candidates: Candidate[] = [];
      // 1. `<stem>_id`, `<stem>Id`, or the table's own prefix then a stem (`comment_post_ID` in wp_comments → post).
      const base = name.replace(/_?id$/, '');
      if (base !== name) {
        for (const s of [base, base.startsWith(`${tStem}_`) ? base.slice(tStem.length + 1) : '']) {
          for (const target of byStem.get(s) ?? []) {
            // The target's primary key, or without one a unique key named like the column (`event_id` → events.event_id).
            const key = keysOf(target).find((k) => (target.primaryKey.length === 1 ? k.name === target.primaryKey[0] : k.name.toLowerCase() === c.name.toLowerCase()));
            if (key && compatible(c, key) && (target !== t || s !== tStem || c.name !== key.name)) candidates.push({ table: target, column: key, byNameAlone: true });
          }
        }
      }
      // 2. A column named after a person's account (`user_id`, `post_author`, `sender`, `user_name`) → the account table's keys.
      if (personish.test(name)) {
        for (const target of accounts) {
          if (target === t) continue;
          const keys = keysOf(target).filter((k) => compatible(c, k));
          // Without values to compare, a person-like name alone is too weak: `oauth_user_id` is the provider's id.
          for (const key of keys) candidates.push({ table: target, column: key, byNameAlone: false });
        }
      }
      // 3. The same name as another table's single-column text key (`event_id` → events.event_id). Integer serials are
      // left out: two tables' own counters (`meta_id`) overlap by value without meaning anything.
      const ownKey = keysOf(t).some((k) => k.name === c.name);
      if (c.shape === 'text' && !ownKey) for (const owner of keyOwners.get(c.name.toLowerCase()) ?? []) if (owner.table !== t && compatible(c, owner.column)) candidates.push({ ...owner, byNameAlone: false });
      if (candidates.length === 0) continue;

      const values = [...new Map((samples.get(t.name)?.get(c.name) ?? []).map((v) => [keyText(v), v])).values()].slice(0, 50);
      checks.push(async () => {
        // A column's candidates are tried in order (the first confirmed wins); columns are checked side by side.
        for (const cand of candidates) {
          let ok: boolean;
          if (values.length === 0) ok = cand.byNameAlone;
          else {
            const { rows } = await db.query(`select count(*) as n from ${q(cand.table.name)} where ${q(cand.column.name)} in (${values.map(() => '?').join(', ')})`, values);
            const n = Number(rows[0]?.n ?? 0);
            ok = n >= 1 && n >= values.length * 0.5;
          }
          if (ok) {
            c.references = { table: cand.table.name, column: cand.column.name, byConvention: true };
            break;
          }
        }
      });
    }
  }
  await runBounded(checks, concurrency);
}
