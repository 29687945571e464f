// Connectors benchmark: access and erasure of one heavy user, and a batch of 1,000 erasures through the run ledger,
// against hand-written minimal SQL for the same result, in the same run on the same PostgreSQL fixture.
//   node --import tsx bench/connectors-bench.ts            full: 100k users, 1M notes, 1M reactions
//   node --import tsx bench/connectors-bench.ts --smoke    seconds: 2k users, 20k notes
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

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
const ADMIN = process.env.MAMORI_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const USERS = smoke ? 2_000 : 100_000;
const NOTES = smoke ? 20_000 : 1_000_000;
const REACTIONS = smoke ? 20_000 : 1_000_000;
const HEAVY_NOTES = smoke ? 2_000 : 20_000;
const HEAVY_REACTIONS = smoke ? 1_000 : 10_000;
const BATCH = smoke ? 100 : 1_000;
const KEY = Buffer.alloc(32, 3);

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
    const others = `5 + (i * 7919) % ${USERS - 4}`;
    await raw.query(`insert into "user" select 'u' || i, 'user' || i, 'user' || i, null, '利用者' || i, false, '2026-01-01' from generate_series(1, ${USERS}) i`);
    await raw.query(`insert into user_profile select 'u' || i, 'user' || i || '@example.jp', '1990-01-01', 'about ' || i, 'Tokyo' from generate_series(1, ${USERS}) i`);
    await raw.query(`insert into note select 'n' || i, 'u' || (case when i <= ${4 * HEAVY_NOTES} then 1 + (i - 1) / ${HEAVY_NOTES} else ${others} end), 'note ' || i, null, null, '2026-01-01' from generate_series(1, ${NOTES}) i`);
    await raw.query(`insert into note_reaction select 'r' || i, 'u' || (case when i <= ${4 * HEAVY_REACTIONS} then 1 + (i - 1) / ${HEAVY_REACTIONS} else ${others} end), 'n' || (1 + (i::bigint * 15485863) % ${NOTES}), '👍' from generate_series(1, ${REACTIONS}) i`);
    const anyone = `5 + i % ${USERS - 4}`;
    await raw.query(`insert into following select 'f' || i, 'u' || (${anyone}), 'u' || (1 + (i::bigint * 31) % ${USERS}) from generate_series(1, ${USERS * 2}) i`);
    await raw.query(`insert into muting select 'm' || i, 'u' || (${anyone}), 'u' || (1 + (i::bigint * 37) % ${USERS}) from generate_series(1, ${USERS / 2}) i`);
    await raw.query(`insert into drive_file select 'd' || i, 'u' || (${anyone}), 'photo' || i || '.jpg', 'https://files.example.jp/' || i from generate_series(1, ${USERS}) i`);
    await raw.query(`insert into signin select 's' || i, 'u' || (${anyone}), '192.0.2.' || (i % 250), '2026-01-01' from generate_series(1, ${USERS * 3}) i`);
    await raw.query(`insert into abuse_user_report select 'a' || i, 'u' || (${anyone}), 'u' || (1 + (i::bigint * 41) % ${USERS}), 'report' from generate_series(1, ${USERS / 10}) i`);
    // The four heavy users get the same follows, mutes, files, sign-ins and reports.
    for (const h of [1, 2, 3, 4]) {
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
      const id = (await c.query('select "userId" from user_profile where email = $1', [email])).rows[0]?.userId as string;
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
      const id = (await c.query('select "userId" from user_profile where email = $1', [email])).rows[0]?.userId as string;
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

  // Heavy users 1 and 3 go to the engine, 2 and 4 to the hand-written SQL, in alternating order against cache effects.
  const [ea1, acc] = await timed(() => exec.access({ email: 'user1@example.jp' }));
  const [ha1, handRows] = await timed(() => handAccess('user2@example.jp'));
  const [ha2] = await timed(() => handAccess('user4@example.jp'));
  const [ea2] = await timed(() => exec.access({ email: 'user3@example.jp' }));
  if (acc.count !== handRows) throw new Error(`access results differ: ${acc.count} vs ${handRows}`);
  const [ee1, er] = await timed(() => exec.erase({ email: 'user1@example.jp' }));
  const [he1] = await timed(() => handErase('user2@example.jp'));
  const [he2] = await timed(() => handErase('user4@example.jp'));
  const [ee2] = await timed(() => exec.erase({ email: 'user3@example.jp' }));
  const engineAccessMs = (ea1 + ea2) / 2;
  const handAccessMs = (ha1 + ha2) / 2;
  const engineEraseMs = (ee1 + ee2) / 2;
  const handEraseMs = (he1 + he2) / 2;

  // A batch of erasures: the engine through the run ledger (queue, claim, step record, audit) vs hand-written SQL,
  // in two interleaved halves.
  const store = await openStore(`sqlite:${join(storeDir, 'mamori.sqlite')}`);
  await migrateToLatest(store);
  const svc = createConnectorService({ store, clock: systemClock, graph: g.loaded.graph, secret: KEY, env: {}, baseUrl: 'http://localhost', connections: { [ds.id]: conn } });
  let engineBatchMs = 0;
  let handBatchMs = 0;
  for (const half of [0, 1]) {
    const from = 1000 + half * BATCH;
    const [e] = await timed(async () => {
      for (let i = 0; i < BATCH / 2; i++) await svc.queueRun({ kind: 'erase', identities: { email: `user${from + i * 2}@example.jp` } });
      await svc.workUntilIdle();
    });
    const [h] = await timed(async () => {
      for (let i = 0; i < BATCH / 2; i++) await handErase(`user${from + 1 + i * 2}@example.jp`);
    });
    engineBatchMs += e;
    handBatchMs += h;
  }
  await store.close();

  const row = (label: string, engine: number, hand: number) => console.log(`${label.padEnd(34)} engine ${engine.toFixed(1).padStart(9)} ms   hand-written ${hand.toFixed(1).padStart(9)} ms   ratio ${(engine / hand).toFixed(2)}×`);
  console.log(`\nheavy user: ${acc.count} rows read, ${er.count} rows erased or masked`);
  row('access, heavy user', engineAccessMs, handAccessMs);
  row('erasure, heavy user', engineEraseMs, handEraseMs);
  row(`${BATCH} erasures (with run ledger)`, engineBatchMs, handBatchMs);
  console.log(`peak memory: rss ${(peakRss / 1048576).toFixed(0)} MB, heap ${(peakHeap / 1048576).toFixed(0)} MB`);
  const worst = Math.max(engineAccessMs / handAccessMs, engineEraseMs / handEraseMs, engineBatchMs / handBatchMs);
  console.log(`goal ≤ 1.5×: ${worst <= 1.5 ? 'met' : 'NOT met'} (worst ${worst.toFixed(2)}×)`);
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
