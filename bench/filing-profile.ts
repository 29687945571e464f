// Where a filing's server CPU goes: files N requests against an in-process server on SQLite or PostgreSQL under the
// V8 sampling profiler and prints self time by function and by source area. A diagnostic, not a benchmark (no ratio):
//   node --import tsx bench/filing-profile.ts [sqlite|postgres] [count]
import { Session } from 'node:inspector/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { loadPolicyFile } from '../src/policy/load-policy.ts';
import { startServer } from '../src/server.ts';
import { openStore } from '../src/store/store.ts';

const dialect = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
const count = Number(process.argv[3] ?? 400);
const PG_ADMIN_URL = process.env.MAMORI_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const root = join(import.meta.dirname, '..');
const loaded = loadPolicyFile(join(root, 'examples/misskey-server/policy.yaml'));
if (!loaded.ok) throw new Error('policy invalid');
// On PostgreSQL every statement is a round trip: count them per filing (a wrapper around pg's Client.query).
const statements = new Map<string, number>();
if (dialect === 'postgres') {
  const query = pg.Client.prototype.query;
  const counting = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0];
    const text = typeof q === 'string' ? q : typeof q === 'object' && q !== null && 'text' in q ? String(q.text) : '?';
    const key = text.replace(/\s+/g, ' ').slice(0, 100);
    statements.set(key, (statements.get(key) ?? 0) + 1);
    return Reflect.apply(query, this, args) as unknown;
  };
  Object.defineProperty(pg.Client.prototype, 'query', { value: counting });
}
const dir = mkdtempSync(join(tmpdir(), 'mamori-prof-'));
let url = `sqlite:${join(dir, 'p.sqlite')}`;
let dbName = '';
if (dialect === 'postgres') {
  dbName = `mamori_prof_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
}
process.env.MAMORI_REQUEST_LIMITS = JSON.stringify({ filingsPerIp: { limit: 1e9, windowMs: 3600_000 }, codeAttemptsPerIp: { limit: 1e9, windowMs: 3600_000 } });
const store = await openStore(url);
const server = await startServer({ policy: loaded.loaded, store, env: {}, outboxIntervalMs: 100, config: { port: 0, host: '127.0.0.1', secret: Buffer.alloc(32, 3), dataDir: dir, baseUrl: 'http://bench.test' }, transport: { async send() {} } });
// The client runs in a worker thread: the profiler samples only the main thread, so the figures are the server's
// alone (undici's fetch would otherwise take a third of the samples). The process CPU figure still includes it.
const client = (from: number, n: number) =>
  new Promise<void>((resolve, reject) => {
    const w = new Worker(
      `const { workerData: d, parentPort } = require('node:worker_threads');
      const file = (i) => fetch(d.url + '/api/v1/requests', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'correction', email: 'p' + i + '@example.jp', description: '登録メールアドレスの訂正をお願いします', lang: 'ja' }) }).then((r) => r.arrayBuffer());
      (async () => { for (let i = d.from; i < d.from + d.n; i += 4) await Promise.all([0, 1, 2, 3].map((k) => file(i + k))); parentPort.postMessage('done'); })();`,
      { eval: true, workerData: { url: server.url, from, n } },
    );
    w.once('message', () => void w.terminate().then(() => resolve()));
    w.once('error', reject);
  });
await client(-100000, 100);
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
const cpu0 = process.cpuUsage();
await client(0, count);
await new Promise((r) => setTimeout(r, 300)); // the outbox sends the code mails
const cpu = process.cpuUsage(cpu0);
const { profile } = await session.post('Profiler.stop');
console.log(`${dialect}: ${count} filings, process CPU ${((cpu.user + cpu.system) / 1000 / count).toFixed(2)} ms per filing (includes the in-process client)`);
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
const dt = profile.timeDeltas ?? [];
(profile.samples ?? []).forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFn = new Map<string, number>();
const byArea = new Map<string, number>();
for (const [id, us] of self) {
  const f = nodes.get(id)!.callFrame;
  const src = f.url.replace(/^file:\/\//, '').replace(root, '');
  const area = f.url === '' ? `(${f.functionName || 'native'})` : src.includes('node_modules') ? src.replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, '$1') : src.startsWith('/src') ? src.split('/').slice(0, 3).join('/') : src.startsWith('node:') ? 'node:internal' : src.split('/').slice(0, 3).join('/');
  byArea.set(area, (byArea.get(area) ?? 0) + us);
  const key = `${f.functionName || '(anon)'} ${src}:${f.lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + us);
}
const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `  ${((v / total) * 100).toFixed(1).padStart(5)}%  ${(v / 1000 / count).toFixed(3)} ms/filing  ${k}`).join('\n');
// Native self time (socket writes, SQLite's run, hashing) by the first two callers outside Node's internals: which
// driver or route a syscall serves. '(idle)' is waiting; 'dispatch <- …filing-profile' is the profiler itself.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const byCaller = new Map<string, number>();
for (const [id, us] of self) {
  const f = nodes.get(id)!.callFrame;
  if (f.url !== '') continue;
  const chain: string[] = [];
  let p = parent.get(id);
  for (let k = 0; k < 40 && p !== undefined && chain.length < 2; k++) { const pf = nodes.get(p)!.callFrame; if (!pf.url.startsWith('node:') && pf.url !== '') chain.push(`${pf.functionName || '(anon)'}@${pf.url.replace(/.*\//, '')}:${pf.lineNumber + 1}`); p = parent.get(p); }
  const key = `${f.functionName} <- ${chain.join(' <- ')}`;
  byCaller.set(key, (byCaller.get(key) ?? 0) + us);
}
console.log(`native time by caller:\n${top(byCaller, 12)}`);
// The sampler counts wall time: a syscall during which the thread is preempted (a socket write that wakes the
// PostgreSQL backend on a busy 2-core machine) collects those samples too. writev showed 0.4-0.7 ms per filing here
// while the server's system time was about 0.1 ms; `perf record` (on-CPU samples) with --perf-basic-prof settles it.
console.log(`(self times of syscalls such as writev include time preempted inside them; system CPU of the process, client included: ${(cpu.system / 1000 / count).toFixed(2)} ms per filing)`);
if (statements.size > 0) {
  const per = [...statements].sort((a, b) => b[1] - a[1]).map(([k, v]) => `  ${(v / (count + 100)).toFixed(2)}  ${k}`);
  console.log(`statements per filing: ${([...statements.values()].reduce((a, b) => a + b, 0) / (count + 100)).toFixed(1)}\n${per.slice(0, 40).join('\n')}`);
}
console.log(`by area:\n${top(byArea, 18)}\nby function:\n${top(byFn, Number(process.env.PROFILE_TOP ?? 30))}`);
await server.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
if (dbName) {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
}
