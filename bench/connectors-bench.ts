// Connectors benchmark: access and erasure of one heavy user, and a batch of 1,000 erasures through the run ledger,
// against hand-written minimal SQL for the same result, in the same run on the same PostgreSQL fixture. Then the real
// schemas (Lemmy, Synapse, WordPress from ../shared/schemas): scan + draft + lint time, and access/erasure of one user
// through the unedited draft against hand-written SQL (bench/real-schemas.ts).
//   node --import tsx bench/connectors-bench.ts            full: 100k users, 1M notes, 1M reactions; real schemas at 100k users
//   node --import tsx bench/connectors-bench.ts --smoke    seconds: 2k users, 20k notes; real schemas at 2k users
//   … --real-only                                          only the real schemas
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, createHmac } from 'node:crypto';
import pg from 'pg';
import { systemClock } from '../src/clock.ts';
import { openStore } from '../src/store/store.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { loadGraphFile } from '../src/connectors/load-graph.ts';
import { planDataset } from '../src/connectors/graph-plan.ts';
import { createSqlExecutor } from '../src/connectors/sql/sql-executor.ts';
import { createPostgresConnection } from '../src/connectors/sql/postgres-connection.ts';
import { createConnectorService } from '../src/connectors/connector-service.ts';
import { isSqlDataset } from '../src/connectors/graph-schema.ts';
import { fediverseDdl } from '../test/fixtures/fediverse/fediverse-fixture.ts';
import { benchRealSchemas } from './real-schemas.ts';

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
const ADMIN = process.env.MAMORI_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const USERS = smoke ? 2_000 : 100_000;
const NOTES = smoke ? 20_000 : 1_000_000;
const REACTIONS = smoke ? 20_000 : 1_000_000;
const HEAVY_NOTES = smoke ? 2_000 : 20_000;
const HEAVY_REACTIONS = smoke ? 1_000 : 10_000;
const BATCH = smoke ? 100 : 1_000;
/** Heavy users per side: erasure rounds alternate engine and hand-written SQL; the median is reported. */
const ROUNDS = smoke ? 3 : 3;
const HEAVY = 2 * ROUNDS;
const KEY = Buffer.alloc(32, 3);
const REAL_USERS = smoke ? 2_000 : 100_000;

if (process.argv.includes('--real-only')) {
  const worst = await benchRealSchemas(REAL_USERS, smoke ? 3 : 7); // more rounds than the fixture: one erasure is quick here
  if (!Number.isNaN(worst)) console.log(`\nreal schemas, goal ≤ 1.5×: ${worst <= 1.5 ? 'met' : 'NOT met'} (worst ${worst.toFixed(2)}×)`);
  process.exit(0);
}

let peakRss = 0;
let peakHeap = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 20);

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const out = await fn();
  return [performance.now() - t0, out];
}

const name = `mamori_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`create database ${name}`);
await admin.end();
const url = ADMIN.replace(/\/[^/]*$/, `/${name}`);
const storeDir = mkdtempSync(join(tmpdir(), 'mamori-bench-'));
const conn = createPostgresConnection(url);
const raw = new pg.Pool({ connectionString: url, max: 2 });

try {
  // Heavy users 1 and 2 have the same shape: the engine works on one, the hand-written SQL on the other.
  console.log(`generating: ${USERS} users, ${NOTES} notes, ${REACTIONS} reactions (heavy users: ${HEAVY_NOTES} notes each)`);
  const [genMs] = await timed(async () => {
    for (const stmt of fediverseDdl('postgres')) await raw.query(stmt);
    // Email identities match case-insensitively (as an operator would index them for that): both sides use it.
    await raw.query('create index user_profile_email_lower on user_profile (lower(email))');
    const others = `${HEAVY + 1} + (i::bigint * 7919) % ${USERS - HEAVY}`;
    await raw.query(`insert into "user" select 'u' || i, 'user' || i, 'user' || i, null, '利用者' || i, false, '2026-01-01' from generate_series(1, ${USERS}) i`);
    await raw.query(`insert into user_profile select 'u' || i, 'user' || i || '@example.jp', '1990-01-01', 'about ' || i, 'Tokyo' from generate_series(1, ${USERS}) i`);
    await raw.query(`insert into note select 'n' || i, 'u' || (case when i <= ${HEAVY * HEAVY_NOTES} then 1 + (i - 1) / ${HEAVY_NOTES} else ${others} end), 'note ' || i, null, null, '2026-01-01' from generate_series(1, ${NOTES}) i`);
    await raw.query(`insert into note_reaction select 'r' || i, 'u' || (case when i <= ${HEAVY * HEAVY_REACTIONS} then 1 + (i - 1) / ${HEAVY_REACTIONS} else ${others} end), 'n' || (1 + (i::bigint * 15485863) % ${NOTES}), '👍' from generate_series(1, ${REACTIONS}) i`);
    const anyone = `${HEAVY + 1} + i % ${USERS - HEAVY}`;
    await raw.query(`insert into following select 'f' || i, 'u' || (${anyone}), 'u' || (1 + (i::bigint * 31) % ${USERS}) from generate_series(1, ${USERS * 2}) i`);
    await raw.query(`insert into muting select 'm' || i, 'u' || (${anyone}), 'u' || (1 + (i::bigint * 37) % ${USERS}) from generate_series(1, ${USERS / 2}) i`);
    await raw.query(`insert into drive_file select 'd' || i, 'u' || (${anyone}), 'photo' || i || '.jpg', 'https://files.example.jp/' || i from generate_series(1, ${USERS}) i`);
    await raw.query(`insert into signin select 's' || i, 'u' || (${anyone}), '192.0.2.' || (i % 250), '2026-01-01' from generate_series(1, ${USERS * 3}) i`);
    await raw.query(`insert into abuse_user_report select 'a' || i, 'u' || (${anyone}), 'u' || (1 + (i::bigint * 41) % ${USERS}), 'report' from generate_series(1, ${USERS / 10}) i`);
    // The heavy users all get the same follows, mutes, files, sign-ins and reports.
    for (let h = 1; h <= HEAVY; h++) {
      await raw.query(`insert into following select 'fh${h}_' || i, 'u${h}', 'u' || (10 + i) from generate_series(1, 50) i`);
      await raw.query(`insert into muting select 'mh${h}_' || i, 'u${h}', 'u' || (10 + i) from generate_series(1, 5) i`);
      await raw.query(`insert into drive_file select 'dh${h}_' || i, 'u${h}', 'p.jpg', 'https://files.example.jp/h' from generate_series(1, 30) i`);
      await raw.query(`insert into signin select 'sh${h}_' || i, 'u${h}', '198.51.100.1', '2026-01-01' from generate_series(1, 100) i`);
      await raw.query(`insert into abuse_user_report select 'ah${h}_' || i, 'u${h}', 'u' || (10 + i), 'report' from generate_series(1, 3) i`);
    }
    await raw.query('analyze');
  });
  console.log(`generated in ${(genMs / 1000).toFixed(1)} s`);

  const g = loadGraphFile('examples/misskey-server/datasets.yaml');
  if (!g.ok) throw new Error('graph');
  const ds = g.loaded.graph.datasets.find(isSqlDataset);
  if (!ds) throw new Error('no SQL dataset');
  const exec = createSqlExecutor(planDataset(ds), conn, { hashKey: KEY });

  // Hand-written minimal SQL: what an engineer would write for this schema knowing the person's id.
  const handAccess = async (email: string) => {
    const c = await raw.connect();
    try {
      const id = (await c.query('select "userId" from user_profile where lower(email) = lower($1)', [email])).rows[0]?.userId as string;
      const out: unknown[][] = [];
      out.push((await c.query('select * from user_profile where "userId" = $1', [id])).rows);
      out.push((await c.query('select * from "user" where id = $1', [id])).rows);
      for (const [t, col] of [['note', 'userId'], ['note_reaction', 'userId'], ['following', 'followerId'], ['drive_file', 'userId'], ['signin', 'userId'], ['muting', 'muterId'], ['abuse_user_report', 'reporterId']]) out.push((await c.query(`select * from ${t} where "${col}" = $1`, [id])).rows);
      return out.reduce((n, r) => n + r.length, 0);
    } finally {
      c.release();
    }
  };
  const handErase = async (email: string) => {
    const c = await raw.connect();
    try {
      await c.query('begin');
      const id = (await c.query('select "userId" from user_profile where lower(email) = lower($1)', [email])).rows[0]?.userId as string;
      const u = (await c.query('select username, "usernameLower" from "user" where id = $1', [id])).rows[0] as { username: string; usernameLower: string };
      const h = (v: string) => createHmac('sha256', KEY).update(v).digest('hex');
      await c.query('delete from note_reaction where "userId" = $1', [id]);
      await c.query('delete from following where "followerId" = $1', [id]);
      await c.query('delete from drive_file where "userId" = $1', [id]);
      await c.query('delete from signin where "userId" = $1', [id]);
      await c.query('delete from muting where "muterId" = $1', [id]);
      await c.query('update note set text = null, cw = null where "userId" = $1', [id]);
      await c.query('update "user" set name = null, username = $2, "usernameLower" = $3 where id = $1', [id, h(u.username), h(u.usernameLower)]);
      await c.query('update user_profile set email = null, birthday = null, description = null, location = null where "userId" = $1', [id]);
      await c.query('commit');
    } finally {
      c.release();
    }
  };

  // Warm both paths once on ordinary users.
  await exec.access({ email: 'user10@example.jp' });
  await handAccess('user11@example.jp');

  // Odd heavy users go to the engine, even ones to the hand-written SQL, alternating which goes first; medians.
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  const ea: number[] = [];
  const ha: number[] = [];
  const ee: number[] = [];
  const he: number[] = [];
  let acc = await exec.access({ email: 'user1@example.jp' });
  const handRows = await handAccess('user2@example.jp');
  if (acc.count !== handRows) throw new Error(`access results differ: ${acc.count} vs ${handRows}`);
  for (let r = 0; r < 5; r++) {
    const engineFirst = r % 2 === 0;
    if (engineFirst) ea.push((await timed(() => exec.access({ email: 'user1@example.jp' })))[0]);
    ha.push((await timed(() => handAccess('user2@example.jp')))[0]);
    if (!engineFirst) ea.push((await timed(() => exec.access({ email: 'user1@example.jp' })))[0]);
  }
  let erased = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const e = `user${2 * r + 1}@example.jp`;
    const h = `user${2 * r + 2}@example.jp`;
    if (r % 2 === 0) {
      const [ms, out] = await timed(() => exec.erase({ email: e }));
      ee.push(ms);
      erased = out.count;
    }
    he.push((await timed(() => handErase(h)))[0]);
    if (r % 2 === 1) ee.push((await timed(() => exec.erase({ email: e })))[0]);
  }
  const er = { count: erased };
  acc = { ...acc };
  const engineAccessMs = median(ea);
  const handAccessMs = median(ha);
  const engineEraseMs = median(ee);
  const handEraseMs = median(he);

  // A batch of erasures: the engine through the run ledger (queue, claim, step record, audit) vs hand-written SQL,
  // in two interleaved halves.
  const store = await openStore(`sqlite:${join(storeDir, 'mamori.sqlite')}`);
  await migrateToLatest(store);
  const svc = createConnectorService({ store, clock: systemClock, graph: g.loaded.graph, secret: KEY, env: {}, baseUrl: 'http://localhost', connections: { [ds.id]: conn } });
  // Engine and hand-written runs alternate one by one, so a busy machine slows both alike.
  let engineBatchMs = 0;
  let handBatchMs = 0;
  let queueMs = 0;
  for (let i = 0; i < BATCH; i++) {
    const [q] = await timed(() => svc.queueRun({ kind: 'erase', identities: { email: `user${1000 + 2 * i}@example.jp` } }));
    const [w, worked] = await timed(() => svc.workOnce());
    if (!worked) throw new Error('nothing claimed');
    queueMs += q;
    engineBatchMs += q + w;
    handBatchMs += (await timed(() => handErase(`user${1001 + 2 * i}@example.jp`)))[0];
  }
  const failed = await store.db.selectFrom('connector_runs').select('id').where('status', '!=', 'done').execute();
  if (failed.length > 0) throw new Error(`${failed.length} runs did not finish`);
  await store.close();

  const row = (label: string, engine: number, hand: number) => console.log(`${label.padEnd(34)} engine ${engine.toFixed(1).padStart(9)} ms   hand-written ${hand.toFixed(1).padStart(9)} ms   ratio ${(engine / hand).toFixed(2)}×`);
  console.log(`\nheavy user: ${acc.count} rows read, ${er.count} rows erased or masked`);
  row('access, heavy user', engineAccessMs, handAccessMs);
  row('erasure, heavy user', engineEraseMs, handEraseMs);
  row(`${BATCH} erasures (with run ledger)`, engineBatchMs, handBatchMs);
  console.log(`  of which queueing ${BATCH} runs: ${queueMs.toFixed(1)} ms`);
  console.log(`peak memory: rss ${(peakRss / 1048576).toFixed(0)} MB, heap ${(peakHeap / 1048576).toFixed(0)} MB`);
  const worst = Math.max(engineAccessMs / handAccessMs, engineEraseMs / handEraseMs, engineBatchMs / handBatchMs);
  console.log(`goal ≤ 1.5×: ${worst <= 1.5 ? 'met' : 'NOT met'} (worst ${worst.toFixed(2)}×)`);
  const realWorst = await benchRealSchemas(REAL_USERS, ROUNDS);
  if (!Number.isNaN(realWorst)) console.log(`\nreal schemas, goal ≤ 1.5×: ${realWorst <= 1.5 ? 'met' : 'NOT met'} (worst ${realWorst.toFixed(2)}×)`);
} finally {
  clearInterval(sampler);
  await conn.close();
  await raw.end();
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  await c.query(`drop database if exists ${name} with (force)`);
  await c.end();
  rmSync(storeDir, { recursive: true, force: true });
}
