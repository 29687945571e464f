// Real-schema part of the connectors benchmark: Lemmy and Synapse (PostgreSQL) and WordPress (MariaDB) from
// ../shared/schemas, generated at `users` users with SQL; scan + draft + lint time, then access and erasure of one
// ordinary user through the unedited draft against hand-written SQL for the same result, in the same run.
import { stringify } from 'yaml';
import { loadRealSchema, schemasPresent, SCHEMAS_DIR, type RealDb, type RealSchema } from '../test/support/real-schemas.ts';
import { scanSchema } from '../src/connectors/scan/scan-database.ts';
import { draftGraph } from '../src/connectors/scan/draft-graph.ts';
import { parseGraph } from '../src/connectors/load-graph.ts';
import { lintGraph } from '../src/connectors/graph-lint.ts';
import { planDataset } from '../src/connectors/graph-plan.ts';
import { createSqlExecutor } from '../src/connectors/sql/sql-executor.ts';
import type { SqlConnection, SqlQueryable } from '../src/connectors/sql/sql-connection.ts';
import { runBounded } from '../src/connectors/sql/run-bounded.ts';
import { loadPolicyFile } from '../src/policy/load-policy.ts';

interface Spec {
  /** Generates `n` users and their rows with set-based SQL. */
  generate: string[];
  /** The person's key from the address (`?` = the address). */
  resolve: string;
  /** Per table of the draft, the person's rows (`:id` = the key, `:email` = the address). */
  where: Record<string, string>;
  email(i: number): string;
  /** Columns the application's own triggers recompute (counters, ranks), left out when other people's rows are compared. */
  derived?: RegExp;
}

const lemmy = (n: number): Spec => ({
  generate: [
    `insert into instance (id, domain) values (1, 'lemmy.example.jp')`,
    `insert into language (id, code, name) values (0, 'und', 'Undetermined')`,
    `insert into person (id, name, public_key, instance_id, ap_id, inbox_url) values (1, 'system', 'k', 1, 'https://l/u/system', 'https://l/u/system/inbox')`,
    `insert into site (id, name, instance_id, public_key, ap_id, inbox_url) values (1, 's', 1, 'k', 'https://l/', 'https://l/inbox')`,
    `insert into local_site (id, site_id, system_account) values (1, 1, 1)`,
    `insert into community (id, name, public_key, instance_id, ap_id, inbox_url) select c, 'community' || c, 'k', 1, 'https://l/c/' || c, 'https://l/c/' || c || '/inbox' from generate_series(1, 3) c`,
    `insert into person (id, name, display_name, bio, public_key, private_key, instance_id, ap_id, inbox_url) select i + 1, 'user' || i, '利用者 ' || i, '自己紹介 ' || i, 'PUB' || i, '-----BEGIN PRIVATE KEY-----' || i, 1, 'https://l/u/user' || i, 'https://l/u/user' || i || '/inbox' from generate_series(1, ${n}) i`,
    `insert into local_user (id, person_id, email, password_encrypted) select i, i + 1, 'user' || i || '@example.jp', '$2b$12$' || i from generate_series(1, ${n}) i`,
    `insert into post (id, name, body, creator_id, community_id, ap_id) select p, '題名 ' || p, '本文 ' || p, (p - 1) / 2 + 2, p % 3 + 1, 'https://l/post/' || p from generate_series(1, ${2 * n}) p`,
    `insert into comment (id, creator_id, post_id, content, ap_id, community_id) select c, c + 1, (c % ${n} + 1) * 2, 'コメント ' || c, 'https://l/comment/' || c, 1 from generate_series(1, ${n}) c`,
    `insert into post_actions (person_id, post_id, voted_at, vote_is_upvote) select i + 1, (i % ${n} + 1) * 2 - 1, now(), true from generate_series(1, ${n}) i`,
    `insert into comment_actions (person_id, comment_id, voted_at, vote_is_upvote) select i + 1, i % ${n} + 1, now(), true from generate_series(1, ${n}) i`,
    `insert into person_actions (person_id, target_id, followed_at, follow_pending) select i + 1, i % ${n} + 2, now(), false from generate_series(1, ${n}) i`,
    `insert into private_message (id, creator_id, recipient_id, content, ap_id) select i, i + 1, i % ${n} + 2, 'こんにちは ' || i, 'https://l/pm/' || i from generate_series(1, ${n}) i`,
    `insert into login_token (token, user_id, ip, user_agent) select 'tok-' || i, i, '192.0.2.1', 'UA' from generate_series(1, ${n}) i`,
  ],
  resolve: `select person_id as k from local_user where lower(email) = lower(?)`,
  where: {
    person: 'id = :id',
    local_user: 'person_id = :id',
    post: 'creator_id = :id',
    comment: 'creator_id = :id',
    post_actions: 'person_id = :id',
    comment_actions: 'person_id = :id',
    person_actions: 'person_id = :id',
    community_actions: 'person_id = :id',
    private_message: 'creator_id = :id',
    login_token: 'user_id in (select id from local_user where person_id = :id)',
    person_content_combined: 'creator_id = :id',
    person_liked_combined: 'person_id = :id',
    person_saved_combined: 'person_id = :id',
  },
  email: (i) => `user${i}@example.jp`,
  // As in test/connectors/real-schemas.test.ts: Lemmy's triggers keep these counters and ranks on other rows.
  derived: /^(score|upvotes|downvotes|comments|child_count|hot_rank(_active)?|controversy_rank|scaled_rank|report_count|unresolved_report_count|subscribers(_local)?|posts|users(_active_.*)?|interactions_month|post_count|post_score|comment_count|comment_score|newest_comment_time(_necro)?_at)$/,
});

const synapse = (n: number): Spec => ({
  generate: [
    `insert into rooms (room_id, is_public, creator, room_version) select '!room' || r || ':example.org', true, '@user' || r || ':example.org', '10' from generate_series(1, 5) r`,
    `insert into users (name, password_hash, creation_ts) select '@user' || i || ':example.org', '$2b$12$' || i, 1767225600 from generate_series(1, ${n}) i`,
    `insert into user_threepids (user_id, medium, address, validated_at, added_at) select '@user' || i || ':example.org', 'email', 'user' || i || '@example.jp', 0, 0 from generate_series(1, ${n}) i`,
    `insert into profiles (user_id, full_user_id, displayname) select 'user' || i, '@user' || i || ':example.org', '表示名 ' || i from generate_series(1, ${n}) i`,
    `insert into devices (user_id, device_id, display_name, ip, user_agent) select '@user' || i || ':example.org', 'DEV' || i, 'phone', '192.0.2.1', 'Element' from generate_series(1, ${n}) i`,
    `insert into access_tokens (id, user_id, device_id, token) select i, '@user' || i || ':example.org', 'DEV' || i, 'syt_' || i from generate_series(1, ${n}) i`,
    `insert into events (topological_ordering, event_id, type, room_id, content, processed, outlier, depth, sender, stream_ordering) select e, '$msg' || e, 'm.room.message', '!room' || (e % 5 + 1) || ':example.org', '{"body":"メッセージ ' || e || '"}', true, false, e, '@user' || ((e - 1) / 2 + 1) || ':example.org', e from generate_series(1, ${2 * n}) e`,
    `insert into event_json (event_id, room_id, internal_metadata, json, format_version) select '$msg' || e, '!room' || (e % 5 + 1) || ':example.org', '{}', '{"content":{"body":"メッセージ ' || e || '"}}', 3 from generate_series(1, ${2 * n}) e`,
    `insert into account_data (user_id, account_data_type, stream_id, content) select '@user' || i || ':example.org', 'm.push_rules', i, '{}' from generate_series(1, ${n}) i`,
  ],
  resolve: `select user_id as k from user_threepids where medium = 'email' and lower(address) = lower(?)`,
  where: {
    users: 'name = :id',
    user_threepids: 'user_id = :id',
    profiles: 'full_user_id = :id',
    devices: 'user_id = :id',
    access_tokens: 'user_id = :id',
    events: 'sender = :id',
    event_json: 'event_id in (select event_id from events where sender = :id)',
    account_data: 'user_id = :id',
  },
  email: (i) => `user${i}@example.jp`,
});

const wordpress = (n: number): Spec => {
  const seq = `seq_1_to_${n}`;
  return {
    generate: [
      `insert into wp_users (ID, user_login, user_pass, user_nicename, user_email, user_registered, display_name) select seq, concat('user', seq), concat('$P$B', seq), concat('user', seq), concat('user', seq, '@example.jp'), '2026-01-01', concat('利用者 ', seq) from ${seq}`,
      `insert into wp_usermeta (user_id, meta_key, meta_value) select seq, k.k, concat(k.k, ' ', seq) from ${seq} join (select 'first_name' as k union all select 'description' union all select 'nickname') k`,
      `insert into wp_posts (ID, post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt, post_status, post_name, to_ping, pinged, post_modified, post_modified_gmt, post_content_filtered, guid, post_type) select seq, (seq + 1) div 2, '2026-01-01', '2026-01-01', concat('本文 ', seq), concat('題名 ', seq), '', 'publish', concat('p', seq), '', '', '2026-01-01', '2026-01-01', '', concat('https://example.jp/?p=', seq), 'post' from seq_1_to_${2 * n}`,
      `insert into wp_postmeta (post_id, meta_key, meta_value) select seq, '_edit_last', '1' from seq_1_to_${2 * n}`,
      `insert into wp_comments (comment_ID, comment_post_ID, comment_author, comment_author_email, comment_author_IP, comment_date, comment_date_gmt, comment_content, comment_agent, user_id) select seq, (seq % ${n} + 1) * 2, concat('利用者 ', seq), concat('user', seq, '@example.jp'), '192.0.2.1', '2026-01-01', '2026-01-01', concat('コメント ', seq), 'UA', seq from ${seq}`,
    ],
    resolve: `select ID as k from wp_users where user_email = ?`,
    where: {
      wp_users: 'ID = :id',
      wp_usermeta: 'user_id = :id',
      wp_posts: 'post_author = :id',
      wp_postmeta: 'post_id in (select ID from wp_posts where post_author = :id)',
      wp_comments: 'user_id = :id or comment_author_email = :email',
      wp_commentmeta: 'comment_id in (select comment_ID from wp_comments where user_id = :id or comment_author_email = :email)',
      wp_links: 'link_owner = :id',
    },
    email: (i) => `user${i}@example.jp`,
  };
};

export const specs: Record<RealSchema, (n: number) => Spec> = { lemmy, synapse, wordpress };

/**
 * Runs the generation without the schema's plain secondary indexes (PostgreSQL) and rebuilds them after: the same rows,
 * far fewer index writes (Lemmy's post table alone has 40 indexes, rewritten again by its counting triggers). Unique
 * and constraint indexes stay, as triggers' ON CONFLICT and foreign keys need them.
 */
export async function withIndexesAfterLoad(conn: SqlQueryable, engine: string, load: () => Promise<void>): Promise<void> {
  if (engine !== 'postgres') return load();
  const { rows } = await conn.query(`select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and not i.indisunique and not i.indisprimary and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)`);
  const defs = rows.map((r) => ({ name: String(r.name), def: String(r.def) }));
  for (const d of defs) await conn.query(`drop index ${d.name}`);
  await load();
  await runBounded(defs.map((d) => async () => void (await conn.query(d.def))), 2);
}

function bind(where: string, id: unknown, email: string): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const sql = where.replace(/:(id|email)/g, (_m, k: string) => {
    params.push(k === 'id' ? id : email);
    return '?';
  });
  return { sql, params };
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const out = await fn();
  return [performance.now() - t0, out];
}
/**
 * The connection with every statement counted (transactions included; `begin`/`commit` are not). BENCH_SQL_LOG=1
 * prints each statement's first line, to see where statements go.
 */
function counting(conn: SqlConnection): { conn: SqlConnection; n: () => number } {
  let n = 0;
  const log = process.env.BENCH_SQL_LOG === '1';
  const wrap = (db: SqlQueryable): SqlQueryable => ({
    query: async (sql, params) => {
      n++;
      const t0 = performance.now();
      const out = await db.query(sql, params);
      if (log) console.log(`    sql ${(performance.now() - t0).toFixed(1).padStart(6)} ms ${String(out.rowCount).padStart(5)}: ${sql.replace(/\s+/g, ' ').slice(0, 160)}`);
      return out;
    },
  });
  const counted: SqlConnection = { ...wrap(conn), engine: conn.engine, transaction: (fn) => conn.transaction((tx) => fn(wrap(tx))), close: () => conn.close() };
  return { conn: counted, n: () => n };
}
async function statements(c: { n: () => number }, fn: () => Promise<unknown>): Promise<number> {
  const before = c.n();
  await fn();
  return c.n() - before;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Runs the real-schema benchmark; returns the worst engine/hand-written ratio (NaN when skipped). */
export async function benchRealSchemas(users: number, rounds: number): Promise<number> {
  if (!schemasPresent) {
    console.log(`real schemas: skipped (${SCHEMAS_DIR} is absent)`);
    return Number.NaN;
  }
  const policy = loadPolicyFile('test/fixtures/real-schemas/policy.yaml');
  if (!policy.ok) throw new Error('policy');
  let worst = 0;
  // BENCH_SCHEMAS=lemmy,wordpress runs only those.
  const only = process.env.BENCH_SCHEMAS?.split(',');
  for (const schema of (['lemmy', 'synapse', 'wordpress'] as const).filter((x) => !only || only.includes(x))) {
    const spec = specs[schema](users);
    let db: RealDb | undefined;
    try {
      db = await loadRealSchema(schema, 'mamori_bench');
      const counted = counting(db.conn);
      const conn = counted.conn;
      const [genMs] = await timed(async () => {
        await withIndexesAfterLoad(conn, conn.engine, async () => {
          for (const s of spec.generate) await conn.query(s);
        });
        await conn.query(db?.engine === 'postgres' ? 'analyze' : `analyze table ${Object.keys(spec.where).map((t) => `\`${t}\``).join(', ')}`);
      });
      // Queries and this process's CPU as well as wall time: the wall time moves with the machine's load.
      let scanQueries = 0;
      const scanCounting: SqlQueryable = { query: (sql, params) => (scanQueries++, conn.query(sql, params)) };
      const cpu0 = process.cpuUsage();
      const [scanMs, scan] = await timed(() => scanSchema(scanCounting, conn.engine));
      const scanCpu = process.cpuUsage(cpu0);
      const [draftMs, draft] = await timed(async () => draftGraph(scan, { datasetId: 'app', engine: conn.engine, urlEnv: 'APP_DATABASE_URL' }));
      const parsed = parseGraph(stringify(draft.graph), 'draft.yaml');
      if (!parsed.ok) throw new Error(`${schema}: the draft does not load`);
      const errors = lintGraph(parsed.loaded, policy.loaded.policy).filter((i) => i.severity === 'error').length;
      const ds = parsed.loaded.graph.datasets[0];
      if (!ds) throw new Error('no dataset');
      const plan = planDataset(ds);
      const exec = createSqlExecutor(plan, conn, { hashKey: Buffer.alloc(32, 3) });
      const tables = plan.order.map((p) => p.collection.name).filter((t) => spec.where[t]);
      const q = (t: string) => (conn.engine === 'mysql' ? `\`${t}\`` : `"${t}"`);

      const handAccess = async (email: string) => {
        const id = (await conn.query(spec.resolve, [email])).rows[0]?.k;
        let n = 0;
        for (const t of tables) {
          const b = bind(spec.where[t] ?? '', id, email);
          n += (await conn.query(`select * from ${q(t)} where ${b.sql}`, b.params)).rows.length;
        }
        return n;
      };
      const random = conn.engine === 'mysql' ? `concat('~', substr(md5(rand()), 1, 15))` : `'~' || substr(md5(random()::text), 1, 15)`;
      const handErase = async (email: string) =>
        conn.transaction(async (tx: SqlQueryable) => {
          const id = (await tx.query(spec.resolve, [email])).rows[0]?.k;
          for (const cp of [...plan.order].reverse()) {
            const where = spec.where[cp.collection.name];
            if (!where) continue;
            const b = bind(where, id, email);
            const e = cp.collection.erase;
            if (e.action === 'delete') await tx.query(`/**/ delete from ${q(cp.collection.name)} where ${b.sql}`, b.params);
            else if (e.action === 'mask') {
              const sets: string[] = [];
              const values: unknown[] = [];
              for (const [f, s] of Object.entries(e.fields)) {
                if (s === 'null') sets.push(`${q(f)} = null`);
                else if (s === 'random' || s === 'hash') sets.push(`${q(f)} = ${random}`);
                else {
                  sets.push(`${q(f)} = ?`);
                  values.push(s.fixed);
                }
              }
              await tx.query(`update ${q(cp.collection.name)} set ${sets.join(', ')} where ${b.sql}`, [...values, ...b.params]);
            }
          }
        });

      // Warm both paths, check exactness, then alternate engine and hand-written SQL on users of the same shape.
      const engineRows = (await exec.access({ email: spec.email(10) })).count;
      const handRows = await handAccess(spec.email(10));
      // Statements per run (machine load does not change these): access, dry run, erasure, each side.
      const accessStmts = [await statements(counted, () => exec.access({ email: spec.email(10) })), await statements(counted, () => handAccess(spec.email(10)))];
      const ea: number[] = [];
      const ha: number[] = [];
      for (let r = 0; r < 15; r++) {
        if (r % 2 === 0) ea.push((await timed(() => exec.access({ email: spec.email(10) })))[0]);
        ha.push((await timed(() => handAccess(spec.email(10))))[0]);
        if (r % 2 === 1) ea.push((await timed(() => exec.access({ email: spec.email(10) })))[0]);
      }
      // Both sides must reach the same end state: per table, the same number of rows gone, and the address no longer
      // finds anyone. (Counted outside the timed part.)
      const counts = async () => new Map(await Promise.all(plan.order.map(async (p) => [p.collection.name, Number((await conn.query(`select count(*) as n from ${q(p.collection.name)}`)).rows[0]?.n ?? 0)] as const)));
      const delta = (a: Map<string, number>, b: Map<string, number>) => [...a].map(([t, n]) => `${t}:${n - (b.get(t) ?? 0)}`).join(' ');
      let sameEnd = true;
      // The engine reads the catalog (foreign keys, triggers) once per dataset, as the connector service does: warm it.
      await exec.erase({ email: spec.email(12) }, true);
      const ee: number[] = [];
      const he: number[] = [];
      const dryStmts = await statements(counted, () => exec.erase({ email: spec.email(14) }, true));
      const eraseStmts = [await statements(counted, () => exec.erase({ email: spec.email(16) })), await statements(counted, () => handErase(spec.email(17)))];
      // Other people's rows, hashed before and after one erasure by the engine (outside the timed runs).
      const victim = spec.email(18);
      const others = await otherPeoplesRows(conn, conn.engine === 'mysql' ? 'mysql' : 'postgres', spec, (await conn.query(spec.resolve, [victim])).rows[0]?.k, victim);
      const othersOut = await exec.erase({ email: victim });
      if (othersOut.status !== 'done') throw new Error(`${schema}: the engine's erasure ${othersOut.status}`);
      const othersChanged = await others.changed();
      for (let r = 0; r < rounds; r++) {
        const mine = spec.email(20 + 2 * r);
        const hand = spec.email(21 + 2 * r);
        const engine = async () => {
          const before = await counts();
          const [ms, out] = await timed(() => exec.erase({ email: mine }));
          if (out.status !== 'done') throw new Error(`${schema}: the engine's erasure ${out.status}: ${out.error?.message ?? ''}`);
          ee.push(ms);
          return delta(before, await counts());
        };
        const handSide = async () => {
          const before = await counts();
          he.push((await timed(() => handErase(hand)))[0]);
          return delta(before, await counts());
        };
        // Alternate which side goes first, so a busy machine slows both alike.
        const [de, dh] = r % 2 === 0 ? [await engine(), await handSide()] : await handSide().then(async (h) => [await engine(), h]);
        const gone = (await conn.query(spec.resolve, [mine])).rows.length === 0 && (await conn.query(spec.resolve, [hand])).rows.length === 0;
        if (de !== dh || !gone) {
          sameEnd = false;
          console.log(`  end states differ: engine ${de}; hand-written ${dh}; addresses gone: ${gone}`);
        }
      }
      const line = (label: string, engine: number, hand: number) => console.log(`  ${label.padEnd(22)} engine ${engine.toFixed(1).padStart(8)} ms   hand-written ${hand.toFixed(1).padStart(8)} ms   ratio ${(engine / hand).toFixed(2)}×`);
      console.log(`\n${schema} (${scan.tables.length} tables, ${users} users, generated in ${(genMs / 1000).toFixed(1)} s)`);
      console.log(`  scan ${scanMs.toFixed(0)} ms (${scanQueries} queries, ${((scanCpu.user + scanCpu.system) / 1000).toFixed(0)} ms CPU here) + draft ${draftMs.toFixed(0)} ms: ${ds.collections.length} collections drafted, ${draft.leftOut.length} tables left out; lint: ${errors} error(s)`);
      console.log(`  access exact: ${engineRows === handRows ? 'yes' : 'NO'} (${engineRows} rows, hand-written ${handRows})`);
      line('access, one user', median(ea), median(ha));
      line('erasure, one user', median(ee), median(he));
      console.log(`  statements: access engine ${accessStmts[0]} / hand-written ${accessStmts[1]}; erasure engine ${eraseStmts[0]} / hand-written ${eraseStmts[1]}; dry run ${dryStmts}`);
      console.log(`  other people's rows changed by the engine's erasure: ${othersChanged} (goal 0; ${others.rows} rows of others in ${others.tables} tables compared by hash${spec.derived ? ', trigger-kept counters left out' : ''})`);
      console.log(`  same end state (rows gone per table, address gone): ${sameEnd ? 'yes' : 'NO'}; the hand-written erasure knows the schema and does no safety work (no cascade counting, trigger listing or already-masked checks)`);
      worst = Math.max(worst, median(ea) / median(ha), median(ee) / median(he));
      if (othersChanged > 0) worst = Infinity; // another person's row changed: the goal is missed whatever the speed
    } finally {
      await db?.drop();
    }
  }
  return worst;
}

/**
 * Other people's rows, as row hashes per table kept in the database (`mamori_snap_<n>`): every row not matched by the
 * person's `where` (evaluated now, before the erasure), with the columns the app's triggers recompute left out.
 * `changed()` then counts those rows no longer present unchanged (EXCEPT ALL: a multiset difference).
 */
async function otherPeoplesRows(conn: SqlQueryable, engine: 'postgres' | 'mysql', spec: Spec, id: unknown, email: string): Promise<{ rows: number; tables: number; changed(): Promise<number> }> {
  const names =
    engine === 'postgres'
      ? (await conn.query(`select table_name as t, column_name as c from information_schema.columns where table_schema = current_schema() and table_name::name in (select relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = current_schema() and c.relkind in ('r', 'p')) order by table_name, ordinal_position`)).rows
      : (await conn.query(`select c.table_name as t, c.column_name as c from information_schema.columns c join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name where c.table_schema = database() and t.table_type = 'BASE TABLE' order by c.table_name, c.ordinal_position`)).rows;
  const columns = new Map<string, string[]>();
  for (const r of names) columns.set(String(r.t), [...(columns.get(String(r.t)) ?? []), String(r.c)]);
  const q = (t: string) => (engine === 'mysql' ? `\`${t}\`` : `"${t}"`);
  const hash = (t: string) => {
    const kept = (columns.get(t) ?? []).filter((c) => !spec.derived?.test(c));
    return engine === 'postgres'
      ? `md5(jsonb_build_array(${kept.map((c) => `x.${q(c)}`).join(', ')})::text)`
      : `md5(concat_ws('|', ${kept.map((c) => `coalesce(cast(x.${q(c)} as char), '\\N')`).join(', ')}))`;
  };
  const snaps: Array<{ table: string; snap: string }> = [];
  let rows = 0;
  let i = 0;
  for (const t of [...columns.keys()].filter((t) => !t.startsWith('mamori_snap_'))) {
    const snap = `mamori_snap_${i++}`;
    const where = spec.where[t];
    const b = where ? bind(where, id, email) : { sql: '', params: [] as unknown[] };
    await conn.query(`create table ${q(snap)} (h varchar(32))`);
    await conn.query(`insert into ${q(snap)} select ${hash(t)} from ${q(t)} x${where ? ` where not coalesce((${b.sql}), false)` : ''}`, b.params);
    rows += Number((await conn.query(`select count(*) as n from ${q(snap)}`)).rows[0]?.n ?? 0);
    snaps.push({ table: t, snap });
  }
  return {
    rows,
    tables: snaps.length,
    async changed() {
      let n = 0;
      for (const { table, snap } of snaps) {
        n += Number((await conn.query(`select count(*) as n from (select h from ${q(snap)} except all select ${hash(table)} from ${q(table)} x) d`)).rows[0]?.n ?? 0);
        await conn.query(`drop table ${q(snap)}`);
      }
      return n;
    },
  };
}
