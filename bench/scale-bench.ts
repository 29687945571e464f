// Scale-out benchmark (issue 15), every figure beside a baseline measured in the same run:
// - decisions on PostgreSQL, two mamori instances on one database, two client groups, against two bare Node servers
//   loaded the same way; cross-instance staleness after a choice (choice on A, polled on B);
// - decisions on SQLite, one instance, against one bare Node server (Zipf and uniform subjects);
// - receipt writes on PostgreSQL with two instances, against a bare INSERT loop with the same concurrency.
// Server CPU per request (from each server process's own cpuUsage) is printed beside throughput: the machine is shared.
//   node --import tsx bench/scale-bench.ts            full: 10M receipts, 1M subjects (BENCH_RECEIPTS / BENCH_SUBJECTS / BENCH_SECONDS override)
//   node --import tsx bench/scale-bench.ts --smoke    seconds: 20k receipts, 10k subjects, 2 s runs
//   --only=pg | --only=pg-decisions | --only=writes | --only=sqlite   one part only (pg = decisions and writes)
//   BENCH_CPU_PROF=<dir>                               each server writes a V8 CPU profile on exit, in <dir>/bare and <dir>/mamori
//   BENCH_CACHE_SUBJECTS=<n>                           the PostgreSQL instances' MAMORI_PREFERENCE_CACHE_SUBJECTS (default: every subject
//                                                      fits, so each instance preloads the table and is complete; 100000 is mamori's default)
// (Filing CPU per request is printed by bench/requests-bench.ts; bench/filing-profile.ts says where it goes.)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { createPgDatabase } from './bench-database.ts';
import { checkPlansAtSize, seedPostgres } from './scale-seed.ts';
import { z } from 'zod';
import { parsePolicy } from '../src/policy/load-policy.ts';
import { startServer } from '../src/server.ts';
import { openStore, type Store } from '../src/store/store.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { createConsentApiKey } from '../src/consent/consent-api-keys.ts';
import { createApiKey } from '../src/staff/api-keys.ts';
import { systemClock } from '../src/clock.ts';

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
const here = fileURLToPath(import.meta.url);
const root = join(here, '../..');
const policyPath = join(root, 'test/consent/fixtures/policy.yaml');
const RECEIPTS = Number(process.env.BENCH_RECEIPTS ?? (smoke ? 20_000 : 10_000_000));
const SUBJECTS = Number(process.env.BENCH_SUBJECTS ?? (smoke ? 10_000 : 1_000_000));
const SECONDS = Number(process.env.BENCH_SECONDS ?? (smoke ? 2 : 10));
const CONNECTIONS = smoke ? 4 : 8; // per client group
const STALENESS_SAMPLES = smoke ? 10 : 50;
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const cpuProf = process.env.BENCH_CPU_PROF;
// An operator of this size sizes the cache to hold every subject (about 300 bytes of heap each): the table is
// preloaded and decisions never wait for the database. BENCH_CACHE_SUBJECTS=100000 measures mamori's default instead.
const CACHE_SUBJECTS = Number(process.env.BENCH_CACHE_SUBJECTS ?? Math.ceil(SUBJECTS * 1.2) + 1000);

// ---- child mode: one server per process ----
if (process.argv[2] === '--child') {
  // Statements sent to PostgreSQL by this process (every round trip, BEGIN and COMMIT included): a count the shared
  // machine's load cannot blur, printed per receipt beside the receipt writes.
  let statements = 0;
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    statements += 1;
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
  const side = createServer((_req, res) => res.end(JSON.stringify({ ...process.cpuUsage(), statements, rss: process.memoryUsage().rss })));
  const announce = (port: number) => side.listen(0, '127.0.0.1', () => console.log(`PORT ${port} ${(side.address() as AddressInfo).port}`));
  if (process.argv[3] === 'bare') {
    // The same headers as mamori's answer (a request id of the same length, made once: no work per request) and a body
    // of about the same size.
    const body = JSON.stringify({ allowed: true, basis: 'consent', policyVersion: 'abcdefghijkl' });
    const requestId = '00000000-0000-4000-8000-000000000000';
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId });
      res.end(body);
    });
    server.listen(0, '127.0.0.1', () => announce((server.address() as AddressInfo).port));
    process.on('SIGTERM', () => process.exit(0)); // an orderly exit, so --cpu-prof writes its profile
  } else if (process.argv[3] === 'bare-pg') {
    // A second baseline: bare Node that reads the subject's row from PostgreSQL on every request (one named statement
    // through a pool of 4, as mamori's reader), with no cache: what a decision costs with a database and nothing else.
    const pool = new pg.Pool({ connectionString: process.argv[4] ?? '', max: 4 });
    const server = createServer((req, res) => {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      pool
        .query({ name: 'bare_decision', text: 'select allowed from consent_preferences where subject = $1 and purpose = $2', values: [q.get('subject') ?? '', q.get('purpose') ?? ''] })
        .then((r) => {
          const row: unknown = r.rows[0];
          const allowed = typeof row === 'object' && row !== null && 'allowed' in row && Number(row.allowed) === 1;
          const body = JSON.stringify({ allowed, basis: allowed ? 'consent' : 'none', policyVersion: 'abcdefghijkl' });
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        })
        .catch(() => { res.writeHead(500); res.end(); });
    });
    server.listen(0, '127.0.0.1', () => announce((server.address() as AddressInfo).port));
    process.on('SIGTERM', () => void pool.end().finally(() => process.exit(0)));
  } else {
    const loaded = parsePolicy(readFileSync(policyPath, 'utf8'), 'policy.yaml');
    if (!loaded.ok) throw new Error('bench policy invalid');
    const dataDir = mkdtempSync(join(tmpdir(), 'mamori-scale-bench-'));
    const server = await startServer({ policy: loaded.loaded, env: {}, outboxIntervalMs: 0, config: { port: 0, host: '127.0.0.1', databaseUrl: process.argv[4] ?? '', secret: Buffer.alloc(32, 5), dataDir, preferenceCacheSubjects: Number(process.argv[5] ?? 100_000) } });
    announce(Number(new URL(server.url).port));
    process.on('SIGTERM', () => void server.close().finally(() => { rmSync(dataDir, { recursive: true, force: true }); process.exit(0); }));
  }
}

interface Child { proc: ChildProcess; port: number; sidePort: number }

async function startChild(kind: 'bare' | 'bare-pg' | 'mamori', url = '', cacheSubjects = 100_000): Promise<Child> {
  const prof = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(cpuProf, kind)}`] : [];
  const proc = spawn(process.execPath, [...prof, '--import', 'tsx', here, '--child', kind, url, String(cacheSubjects)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'silent' } });
  const [port, sidePort] = await new Promise<[number, number]>((resolve, reject) => {
    let buf = '';
    proc.stdout?.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /PORT (\d+) (\d+)/.exec(buf);
      if (m) resolve([Number(m[1]), Number(m[2])]);
    });
    proc.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
  return { proc, port, sidePort };
}

async function stopChild(c: Child): Promise<void> {
  await new Promise<void>((resolve) => {
    c.proc.once('exit', () => resolve());
    c.proc.kill('SIGTERM');
    setTimeout(() => c.proc.kill('SIGKILL'), 5000).unref();
  });
}

const usageOf = async (c: Child): Promise<{ cpuMs: number; statements: number; rssMb: number }> => {
  const u = z.object({ user: z.number(), system: z.number(), statements: z.number(), rss: z.number() }).parse(await (await fetch(`http://127.0.0.1:${c.sidePort}/`)).json());
  return { cpuMs: (u.user + u.system) / 1000, statements: u.statements, rssMb: u.rss / 1e6 };
};

/** The preference cache's figures from an instance's `/metrics` (staff key). */
async function cacheOf(c: Child, staffKey: string): Promise<{ complete: boolean; subjects: number; hits: number; misses: number }> {
  const text = await (await fetch(`http://127.0.0.1:${c.port}/metrics`, { headers: { authorization: `Bearer ${staffKey}` } })).text();
  const figure = (name: string) => Number(new RegExp(`^mamori_preference_cache_${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { complete: figure('complete') === 1, subjects: figure('subjects'), hits: figure('hits_total'), misses: figure('misses_total') };
}

interface Figures { perSecond: number; p50: number; p99: number; ok: number; failed: number; cpuMs: number; statements: number }

/** A closed loop of `CONNECTIONS` keep-alive connections for `SECONDS`; `next()` gives each request. */
async function load(target: Child, next: () => { method: string; path: string; body?: string; headers?: Record<string, string> }): Promise<Figures> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const u0 = await usageOf(target);
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  const end = performance.now() + SECONDS * 1000;
  const one = (r: ReturnType<typeof next>) =>
    new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port: target.port, path: r.path, method: r.method, agent, headers: { ...(r.body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(r.body) } : {}), ...r.headers } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end(r.body);
    });
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const status = await one(next());
      latencies.push(performance.now() - t);
      if (status >= 200 && status < 300) ok += 1;
      else failed += 1;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const u1 = await usageOf(target);
  const cpuMs = (u1.cpuMs - u0.cpuMs) / Math.max(1, ok + failed);
  const statements = (u1.statements - u0.statements) / Math.max(1, ok + failed);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0) * 100) / 100;
  return { perSecond: ok / seconds, p50: pct(50), p99: pct(99), ok, failed, cpuMs, statements };
}

const show = (label: string, f: Figures) =>
  console.log(`  ${label.padEnd(40)} ${f.perSecond.toFixed(0).padStart(6)}/s  p50 ${String(f.p50).padStart(6)} ms  p99 ${String(f.p99).padStart(6)} ms  server CPU ${f.cpuMs.toFixed(3)} ms/req  ${f.statements.toFixed(2)} statements/req  ok ${f.ok} failed ${f.failed}`);


async function seedSqlite(store: Store): Promise<void> {
  const n = Math.min(RECEIPTS, smoke ? RECEIPTS : 1_000_000);
  await sql`with recursive g(x) as (select 0 union all select x + 1 from g where x < ${SUBJECTS - 1})
    insert into consent_preferences (subject, purpose, allowed, policy_version, method, receipt_id, updated_at)
    select 'anon_s' || x, 'analytics', x % 2, 'v0', 'banner', 'rcp_' || x, '2026-01-01T00:00:00.000Z' from g`.execute(store.db);
  await sql`with recursive g(x) as (select 1 union all select x + 1 from g where x < ${n})
    insert into consent_receipts (id, subject, subject_kind, choices, policy_version, method, recorded_at, recorded_by, origin, proof)
    select 'rcp_' || x, 'anon_s' || (x % ${SUBJECTS}), 'browser', '{"analytics":true}', 'v0', 'banner', '2026-01-01T00:00:00.000Z', 'browser', null, 'x' from g`.execute(store.db);
}

/**
 * Which subjects the page views come from. `zipf`: a Zipf(1) law over subjects (the k-th most active member makes
 * views in proportion to 1/k, as page views concentrate on active users); `uniform`: every subject equally often,
 * the worst case for any cache. Both are printed, each labelled.
 */
type Distribution = 'zipf' | 'uniform';
const distributions: readonly Distribution[] = ['zipf', 'uniform'];
const describe = (d: Distribution) => (d === 'zipf' ? 'Zipf(1) subjects (page views from active members)' : 'uniform subjects (worst case for the cache)');
const lnSubjects = Math.log(SUBJECTS + 1);
function subjectOf(d: Distribution): number {
  // Continuous Zipf(1): P(rank ≤ k) ≈ ln(k + 1) / ln(N + 1), inverted.
  return d === 'uniform' ? Math.floor(Math.random() * SUBJECTS) : Math.min(SUBJECTS - 1, Math.floor(Math.exp(Math.random() * lnSubjects)) - 1);
}
const decisionFor = (key: string, d: Distribution = 'uniform') => () => ({ method: 'GET', path: `/api/v1/decisions?subject=anon_s${subjectOf(d)}&purpose=analytics`, headers: { authorization: `Bearer ${key}` } });
const bareFor = () => () => ({ method: 'GET', path: `/api/v1/decisions?subject=anon_s${subjectOf('uniform')}&purpose=analytics` });

/**
 * CPU time in ms of each PostgreSQL backend connected to `admin`'s database (but `admin`'s own), by pid, from Linux's
 * /proc (clock ticks of 10 ms); empty where /proc is not. PostgreSQL shares the machine's cores with the servers, so
 * its CPU per decision is printed beside theirs.
 */
async function backendCpuMs(admin: pg.Client): Promise<Map<number, number>> {
  const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); // fields 14 and 15: utime, stime
      out.set(pid, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // not Linux, or the backend just ended
    }
  }
  return out;
}

/** PostgreSQL CPU ms spent between two `backendCpuMs` readings (a backend that started between them counts from 0). */
const backendCpuSpent = (before: Map<number, number>, after: Map<number, number>): number => [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0);

async function both(a: Promise<Figures>, b: Promise<Figures>): Promise<[Figures, Figures]> {
  return Promise.all([a, b]);
}

/** Choice on A, then B asked every 2 ms until it answers the new choice: the time from A's 201 to B's first new answer. */
async function staleness(a: Child, b: Child, key: string): Promise<number[]> {
  const auth = { authorization: `Bearer ${key}` };
  const out: number[] = [];
  for (let i = 0; i < STALENESS_SAMPLES; i += 1) {
    const subject = `anon_stale${randomBytes(6).toString('hex')}`;
    const ask = async () => ((await (await fetch(`http://127.0.0.1:${b.port}/api/v1/decisions?subject=${subject}&purpose=analytics`, { headers: auth })).json()) as { allowed: boolean }).allowed;
    await ask(); // B now remembers "no consent"
    const res = await fetch(`http://127.0.0.1:${a.port}/api/v1/consents`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ subject, choices: { analytics: true }, method: 'api' }) });
    if (res.status !== 201) throw new Error(`choice refused: ${res.status}`);
    const t = performance.now();
    while (!(await ask())) {
      if (performance.now() - t > 10_000) throw new Error('B never saw the choice');
      await new Promise((r) => setTimeout(r, 2));
    }
    out.push(performance.now() - t);
  }
  return out.sort((x, y) => x - y);
}

async function postgresDecisionsAndWrites(): Promise<void> {
  const database = await createPgDatabase();
  try {
    const store = await openStore(database.url);
    await migrateToLatest(store);
    await seedPostgres(store, RECEIPTS, SUBJECTS);
    await checkPlansAtSize(store, SUBJECTS);
    const { key } = await createConsentApiKey(store.db, systemClock, { label: 'bench', actor: 'cli' });
    const staff = await createApiKey(store.db, systemClock, { name: 'bench metrics', role: 'auditor', actor: 'cli' });
    await store.close();
    if (only !== 'writes') await postgresDecisions(database.url, key, staff.key);
    if (only !== 'pg-decisions') await postgresWrites(database.url, key);
  } finally {
    await database.drop();
  }
}

/**
 * Two bare servers and two mamori instances, all started at once; per subject distribution the bare pair and then the
 * mamori pair are loaded back to back (each by its own two client groups), so both see the same machine load.
 */
async function postgresDecisions(url: string, key: string, staffKey: string): Promise<void> {
  const started = performance.now();
  const children = [await startChild('bare'), await startChild('bare'), await startChild('mamori', url, CACHE_SUBJECTS), await startChild('mamori', url, CACHE_SUBJECTS), await startChild('bare-pg', url), await startChild('bare-pg', url)];
  const [bareA, bareB, a, b, readA, readB] = children as [Child, Child, Child, Child, Child, Child];
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    // Each instance preloads the table when it fits its cache: wait for both, and say what it took.
    const fits = CACHE_SUBJECTS >= SUBJECTS;
    for (let i = 0; fits && i < 1200 && !((await cacheOf(a, staffKey)).complete && (await cacheOf(b, staffKey)).complete); i += 1) await new Promise((r) => setTimeout(r, 100));
    const [ca, cb] = [await cacheOf(a, staffKey), await cacheOf(b, staffKey)];
    const [ua, ub] = [await usageOf(a), await usageOf(b)];
    console.log(`mamori instances: MAMORI_PREFERENCE_CACHE_SUBJECTS=${CACHE_SUBJECTS}; caches ${ca.complete && cb.complete ? `complete (${ca.subjects} and ${cb.subjects} subjects) ${((performance.now() - started) / 1000).toFixed(1)} s after the first instance started` : `not complete (${ca.subjects} and ${cb.subjects} subjects held)`}; RSS ${ua.rssMb.toFixed(0)} and ${ub.rssMb.toFixed(0)} MB`);
    await both(load(bareA, bareFor()), load(bareB, bareFor())); // warm-up
    for (const d of distributions) {
      await both(load(a, decisionFor(key, d)), load(b, decisionFor(key, d))); // warm-up: JIT, pools, caches
      const [ba, bb] = await both(load(bareA, bareFor()), load(bareB, bareFor()));
      const pg0 = await backendCpuMs(admin);
      const c0 = [await cacheOf(a, staffKey), await cacheOf(b, staffKey)];
      const [ma, mb] = await both(load(a, decisionFor(key, d)), load(b, decisionFor(key, d)));
      const c1 = [await cacheOf(a, staffKey), await cacheOf(b, staffKey)];
      const pgMs = backendCpuSpent(pg0, await backendCpuMs(admin)) / Math.max(1, ma.ok + ma.failed + mb.ok + mb.failed); // before the next load
      const hits = c1.reduce((n, c, i) => n + c.hits - c0[i]!.hits, 0);
      const misses = c1.reduce((n, c, i) => n + c.misses - c0[i]!.misses, 0);
      const [ra, rb] = await both(load(readA, decisionFor(key, d)), load(readB, decisionFor(key, d)));
      console.log(`decisions on PostgreSQL, two instances, two client groups, ${describe(d)}`);
      show('bare Node A', ba);
      show('bare Node B', bb);
      show('mamori A', ma);
      show('mamori B', mb);
      show('bare Node + PostgreSQL read A', ra);
      show('bare Node + PostgreSQL read B', rb);
      const perBare = (ba.perSecond + bb.perSecond) / 2;
      const perMamori = (ma.perSecond + mb.perSecond) / 2;
      const cpuRatio = (ba.cpuMs + bb.cpuMs) / (ma.cpuMs + mb.cpuMs);
      console.log(`  per-instance ratio ${(perMamori / perBare).toFixed(3)} by wall clock (goal ≥ 0.6), ${cpuRatio.toFixed(3)} by server CPU per request; p99 ${Math.max(ma.p99, mb.p99)} ms (goal < 10; bare p99 ${Math.max(ba.p99, bb.p99)} ms)`);
      console.log(`  against bare Node reading each decision from PostgreSQL (no cache): ${(perMamori / ((ra.perSecond + rb.perSecond) / 2)).toFixed(3)} by wall clock, p99 ${Math.max(ra.p99, rb.p99)} ms`);
      console.log(`  PostgreSQL CPU ${pgMs.toFixed(3)} ms per decision (its backends for this database, beside the servers' own CPU above); mamori's caches answered ${((100 * hits) / Math.max(1, hits + misses)).toFixed(1)}% from memory`);
    }
    const stale = await staleness(a, b, key);
    const q = (p: number) => stale[Math.min(stale.length - 1, Math.floor(p * stale.length))]!.toFixed(1);
    console.log(`  cross-instance staleness over ${stale.length} choices: p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${stale[stale.length - 1]!.toFixed(1)} ms (goal ≤ 1000)`);
  } finally {
    await admin.end();
    for (const c of children) await stopChild(c);
  }
}

/** Receipt writes: two instances, against a bare INSERT loop of the same row with the same concurrency. */
async function postgresWrites(url: string, key: string): Promise<void> {
  const [a, b] = [await startChild('mamori', url), await startChild('mamori', url)];
  let wa: Figures;
  let wb: Figures;
  try {
    const write = () => ({ method: 'POST', path: '/api/v1/consents', body: JSON.stringify({ subject: `anon_w${randomBytes(6).toString('hex')}`, choices: { analytics: Math.random() < 0.5 }, method: 'api' }), headers: { authorization: `Bearer ${key}` } });
    await both(load(a, write), load(b, write)); // warm-up
    [wa, wb] = await both(load(a, write), load(b, write));
  } finally {
    await stopChild(a);
    await stopChild(b);
  }
  const pool = new pg.Pool({ connectionString: url, max: CONNECTIONS * 2 });
  // Dropping the database (with force) may still find a closing client of this pool: not an error of the bench.
  pool.on('error', () => undefined);
  let inserted = 0;
  const end = performance.now() + SECONDS * 1000;
  const started = performance.now();
  const month = new Date().toISOString();
  await Promise.all(Array.from({ length: CONNECTIONS * 2 }, async () => {
    while (performance.now() < end) {
      await pool.query(`insert into consent_receipts (id, subject, subject_kind, choices, policy_version, method, recorded_at, recorded_by, origin, proof) values ($1, $2, 'browser', '{"analytics":true}', 'v0', 'api', $3, 'bench', null, 'x')`, [`rcp_b${randomBytes(8).toString('hex')}`, `anon_b${randomBytes(6).toString('hex')}`, month]);
      inserted += 1;
    }
  }));
  const bare = inserted / ((performance.now() - started) / 1000);
  await pool.end();
  console.log('receipt writes on PostgreSQL, two instances (API key, so each receipt is also in the audit chain)');
  show('mamori A (POST /api/v1/consents)', wa);
  show('mamori B (POST /api/v1/consents)', wb);
  console.log(`  bare INSERT loop (${CONNECTIONS * 2} connections)          ${bare.toFixed(0).padStart(6)}/s`);
  console.log(`  receipts/s with two instances ${(wa.perSecond + wb.perSecond).toFixed(0)}, ratio to bare INSERT ${((wa.perSecond + wb.perSecond) / bare).toFixed(3)}`);
}

async function sqliteDecisions(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-scale-sqlite-'));
  const url = `sqlite:${join(dir, 'bench.sqlite')}`;
  const children: Child[] = [];
  try {
    const store = await openStore(url);
    await migrateToLatest(store);
    await seedSqlite(store);
    const { key } = await createConsentApiKey(store.db, systemClock, { label: 'bench', actor: 'cli' });
    await store.close();
    const bare = await startChild('bare');
    const m = await startChild('mamori', url);
    children.push(bare, m);
    await load(bare, bareFor());
    // Decisions are answered from a cache of subjects' rows (kept coherent by the change feed), so both laws are
    // printed: Zipf (page views) and uniform (the worst case for the cache), as for PostgreSQL.
    for (const d of distributions) {
      await load(m, decisionFor(key, d)); // warm-up: JIT and cache
      // Back to back, so both see the same machine load.
      const fb = await load(bare, bareFor());
      const fm = await load(m, decisionFor(key, d));
      console.log(`decisions on SQLite, one instance, ${SUBJECTS} subjects, ${describe(d)}`);
      show('bare Node', fb);
      show('mamori', fm);
      console.log(`  ratio ${(fm.perSecond / fb.perSecond).toFixed(3)} by wall clock (goal ≥ 0.8), ${(fb.cpuMs / fm.cpuMs).toFixed(3)} by server CPU per request`);
    }
  } finally {
    for (const c of children) await stopChild(c);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`scale bench (${smoke ? 'smoke' : 'full'}): ${RECEIPTS} receipts, ${SUBJECTS} subjects, ${SECONDS} s runs, ${CONNECTIONS} connections per group, ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  if (only === undefined || only === 'pg' || only === 'pg-decisions' || only === 'writes') await postgresDecisionsAndWrites();
  if (only === undefined || only === 'sqlite') await sqliteDecisions();
  console.log(`load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')} (a shared machine: compare ratios and CPU per request, not raw rates)`);
}

if (process.argv[2] !== '--child') await main();
