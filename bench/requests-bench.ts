// Request workflow benchmark: filing (POST /api/v1/requests) and verification by the mailed 6-digit code
// (POST /api/v1/requests/:id/verify) on SQLite and PostgreSQL, against a bare Fastify server that parses the same
// JSON body with the same schema and answers 201 (measured in the same run). Goal: ≥ 200 filings/s on 2 cores.
//   node --import tsx bench/requests-bench.ts            full: 3000 filings and 3000 verifications per store
//   node --import tsx bench/requests-bench.ts --smoke    seconds: 150 of each
//   node --import tsx bench/requests-bench.ts --count 1000   another number of each
//   node --import tsx bench/requests-bench.ts --warmup 4000  more unmeasured requests first (V8 done compiling)
// Each server runs in its own process so the load generator does not share its event loop.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { z } from 'zod';
import { createPgDatabase } from './bench-database.ts';
import { requestToken } from '../src/requests/request-secrets.ts';

/** The server's secret in this benchmark, so the load generator can give each verification its request token. */
const BENCH_SECRET = Buffer.alloc(32, 3);
import { fileRequestBody } from '../src/requests/request-service.ts';
import { loadPolicyFile } from '../src/policy/load-policy.ts';
import { startServer } from '../src/server.ts';
import { openStore } from '../src/store/store.ts';

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
const here = fileURLToPath(import.meta.url);
const root = join(here, '../..');
const POLICY = join(root, 'examples/misskey-server/policy.yaml');
const countArg = process.argv.indexOf('--count');
const COUNT = countArg > 0 ? Math.max(10, Number(process.argv[countArg + 1]) || 0) : smoke ? 150 : 3000;
const CONNECTIONS = smoke ? 4 : 16;
// Filings before the measured ones (each store; bare Fastify gets as many). 300 leave V8 compiling mamori's
// per-filing functions through the measured run (a function run once per filing reaches TurboFan after hundreds to
// thousands of calls; the compiler threads then took about a third of the process CPU of an 800-filing run on
// PostgreSQL): `--warmup 4000` measures the steady state a long-running server is in.
const warmupArg = process.argv.indexOf('--warmup');
const WARMUP = warmupArg > 0 ? Math.max(0, Number(process.argv[warmupArg + 1]) || 0) : smoke ? 30 : 300;

// ---- child mode: one server per process ----
if (process.argv[2] === '--child') {
  const kind = process.argv[3];
  if (kind === 'bare') {
    const app = Fastify({ logger: false });
    app.post('/api/v1/requests', async (request, reply) => {
      const body = fileRequestBody.parse(request.body);
      return reply.status(201).send({ id: `req_${randomBytes(10).toString('hex')}`, token: randomBytes(32).toString('base64url'), state: 'awaiting_verification', codeSent: body.email.length > 0 });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const a = app.server.address();
    const side = createServer((_req, res) => res.end(JSON.stringify(process.cpuUsage())));
    side.listen(0, '127.0.0.1', () => console.log(`PORT ${typeof a === 'object' && a ? a.port : 0} ${(side.address() as AddressInfo).port}`));
  } else {
    const loaded = loadPolicyFile(POLICY);
    if (!loaded.ok) throw new Error('bench policy invalid');
    const store = await openStore(process.argv[4] ?? '');
    // Codes reach the bench through a capturing transport served on a side port (bench only).
    const codes = new Map<string, string>();
    const dataDir = mkdtempSync(join(tmpdir(), 'mamori-bench-'));
    process.env.MAMORI_REQUEST_LIMITS = JSON.stringify({ filingsPerIp: { limit: 1e9, windowMs: 3600_000 }, codeAttemptsPerIp: { limit: 1e9, windowMs: 3600_000 } });
    const server = await startServer({
      policy: loaded.loaded,
      store,
      env: {},
      outboxIntervalMs: 100,
      config: { port: 0, host: '127.0.0.1', secret: BENCH_SECRET, dataDir, baseUrl: 'http://bench.test' },
      transport: {
        async send(mail) {
          const m = /(\d{6})/.exec(mail.subject);
          if (m?.[1]) codes.set(mail.to, m[1]);
        },
      },
    });
    const side = createServer((req, res) => {
      if (req.url === '/cpu') return void res.end(JSON.stringify(process.cpuUsage()));
      const email = new URL(req.url ?? '/', 'http://x').searchParams.get('email') ?? '';
      const code = codes.get(email);
      res.writeHead(code ? 200 : 404, { 'content-type': 'text/plain' });
      res.end(code ?? '');
    });
    side.listen(0, '127.0.0.1', () => console.log(`PORT ${new URL(server.url).port} ${(side.address() as AddressInfo).port}`));
    process.on('SIGTERM', () => {
      void server.close().then(() => store.close()).finally(() => {
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
    });
  }
}

interface Child {
  proc: ChildProcess;
  port: number;
  sidePort: number;
}

async function startChild(kind: string, url = ''): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', here, '--child', kind, url], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'silent' } });
  const ports = await new Promise<[number, number]>((resolve, reject) => {
    let buf = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const m = /PORT (\d+) (\d+)/.exec(buf);
      if (m) resolve([Number(m[1]), Number(m[2])]);
    });
    proc.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return { proc, port: ports[0], sidePort: ports[1] };
}

async function stopChild(c: Child): Promise<void> {
  await new Promise<void>((resolve) => {
    c.proc.once('exit', () => resolve());
    c.proc.kill('SIGTERM');
    setTimeout(() => { c.proc.kill('SIGKILL'); }, 5000).unref();
  });
}

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  cpuMsPerRequest: number;
}

/**
 * A small closed-loop load generator: `CONNECTIONS` keep-alive connections each send the next request as soon as the
 * previous answer arrives, until `amount` requests are done. (autocannon's `amount` mode ends on its 1-second ticker,
 * which swamps runs this short; this measures wall time and every latency exactly.)
 */
async function serverCpuMs(sidePort: number): Promise<number> {
  const usage = z.object({ user: z.number(), system: z.number() }).parse(await (await fetch(`http://127.0.0.1:${sidePort}/cpu`)).json());
  return (usage.user + usage.system) / 1000;
}

async function load(target: { port: number; sidePort: number }, label: string, build: (i: number) => { path: string; body: string; headers?: Record<string, string> }, amount = COUNT): Promise<Figures> {
  const port = target.port;
  const cpuBefore = await serverCpuMs(target.sidePort);
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let next = 0;
  let ok = 0;
  let failed = 0;
  const one = (path: string, body: string, extra: Record<string, string> = {}) =>
    new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...extra } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      for (;;) {
        const i = next++;
        if (i >= amount) return;
        const { path, body, headers } = build(i);
        const t = performance.now();
        const status = await one(path, body, headers);
        latencies.push(performance.now() - t);
        if (status >= 200 && status < 300) ok += 1;
        else failed += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = (await serverCpuMs(target.sidePort)) - cpuBefore;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0) * 10) / 10;
  // CPU time of the server process per request: independent of how busy the shared machine is (for PostgreSQL the
  // database server's own CPU is not included).
  const figures = { perSecond: ok / seconds, p50: pct(50), p99: pct(99), ok, failed, cpuMsPerRequest: cpuMs / Math.max(1, ok + failed) };
  if (label.startsWith('warm-up')) return figures;
  console.log(`${label.padEnd(34)} ${figures.perSecond.toFixed(0).padStart(6)}/s   p50 ${String(figures.p50).padStart(6)} ms   p99 ${String(figures.p99).padStart(6)} ms   server CPU ${figures.cpuMsPerRequest.toFixed(2)} ms/req (= ${(1000 / figures.cpuMsPerRequest).toFixed(0)}/s per core)   ok ${figures.ok}   failed ${figures.failed}`);
  return figures;
}

const filingBody = (email: string) => JSON.stringify({ kind: 'correction', email, description: '登録メールアドレスの訂正をお願いします', lang: 'ja' });


async function benchStore(label: 'sqlite' | 'postgres', baseline: Figures): Promise<{ filing: Figures; verify: Figures }> {
  let url: string;
  let cleanup: () => Promise<void>;
  if (label === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-db-'));
    url = `sqlite:${join(dir, 'bench.sqlite')}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const db = await createPgDatabase();
    url = db.url;
    cleanup = db.drop;
  }
  const child = await startChild('mamori', url);
  try {
    const run = randomBytes(3).toString('hex');
    const ids: string[] = [];
    const emails: string[] = [];
    // Filing: answers carry ids; collect them for the verification run through a tiny wrapper request.
    // Warm-up (JIT, connection pools, SQLite page cache): not measured.
    await load(child, 'warm-up', (i) => ({ path: '/api/v1/requests', body: filingBody(`w${run}-${i}@example.jp`) }), WARMUP);
    await load(child, 'warm-up', () => ({ path: '/api/v1/requests/req_missing/verify', body: JSON.stringify({ code: '000000' }) }), WARMUP);
    const filing = await load(child, `filing (${label})`, (i) => {
      emails[i] = `b${run}-${i}@example.jp`;
      return { path: '/api/v1/requests', body: filingBody(emails[i] ?? '') };
    });
    // The load generator drops answers; read the ids from the store.
    const store = await openStore(url);
    const rows = await store.db.selectFrom('requests').select(['id', 'email']).where('state', '=', 'awaiting_verification').execute();
    await store.close();
    const byEmail = new Map(rows.map((r) => [r.email ?? '', r.id]));
    // Keep the emails that were filed (a failed filing has no request).
    const filed = emails.filter((e) => byEmail.has(e));
    emails.length = 0;
    emails.push(...filed);
    for (const e of emails) ids.push(byEmail.get(e) ?? '');
    // Wait until every code mail left the outbox (the server drains every 100 ms).
    const codes: string[] = [];
    for (const [n, e] of emails.entries()) {
      for (let tries = 0; ; tries++) {
        const res = await fetch(`http://127.0.0.1:${child.sidePort}/?email=${encodeURIComponent(e)}`);
        if (res.ok) {
          codes[n] = await res.text();
          break;
        }
        if (tries > 200) throw new Error('code mails did not go out');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const verify = await load(child, `verification by code (${label})`, (i) => {
      const email = emails[i] ?? '';
      const id = byEmail.get(email) ?? 'missing';
      // The requester's token, as the status link carries it (verify needs it since the hardening work).
      return { path: `/api/v1/requests/${id}/verify`, body: JSON.stringify({ code: codes[i] ?? '000000' }), headers: { 'x-request-token': requestToken(BENCH_SECRET, id) } };
    });
    const perCore = 1000 / filing.cpuMsPerRequest;
    console.log(`  ${label}: filings at ${((filing.perSecond / baseline.perSecond) * 100).toFixed(1)}% of bare Fastify by wall clock, ${((baseline.cpuMsPerRequest / filing.cpuMsPerRequest) * 100).toFixed(1)}% by server CPU; goal ≥ 200/s: ${filing.perSecond >= 200 ? 'met' : 'not met'} by wall clock on this run, ${perCore >= 200 ? 'met' : 'not met'} per core of server CPU`);
    return { filing, verify };
  } finally {
    await stopChild(child);
    await cleanup();
  }
}

async function main(): Promise<void> {
  // The machine is shared: the load average says how much of the 2 cores this run really had.
  console.log(`requests bench (${smoke ? 'smoke' : 'full'}): ${COUNT} requests per run after ${WARMUP} unmeasured, ${CONNECTIONS} connections, ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const bare = await startChild('bare');
  let baseline: Figures;
  try {
    await load(bare, 'warm-up', (i) => ({ path: '/api/v1/requests', body: filingBody(`warm${i}@example.jp`) }), WARMUP);
    baseline = await load(bare, 'bare Fastify baseline (same body)', (i) => ({ path: '/api/v1/requests', body: filingBody(`bare${i}@example.jp`) }));
  } finally {
    await stopChild(bare);
  }
  const results: Record<string, { filing: Figures; verify: Figures }> = {};
  for (const label of ['sqlite', 'postgres'] as const) results[label] = await benchStore(label, baseline);
  console.log(`\nsummary (load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  console.log(`  baseline          ${baseline.perSecond.toFixed(0)}/s p99 ${baseline.p99} ms, server CPU ${baseline.cpuMsPerRequest.toFixed(2)} ms/req`);
  for (const [label, r] of Object.entries(results)) {
    console.log(`  ${label.padEnd(9)} filing ${r.filing.perSecond.toFixed(0)}/s p99 ${r.filing.p99} ms (ratio ${(r.filing.perSecond / baseline.perSecond).toFixed(3)}; CPU ${r.filing.cpuMsPerRequest.toFixed(2)} ms/req = ${(1000 / r.filing.cpuMsPerRequest).toFixed(0)}/s per core)   verify ${r.verify.perSecond.toFixed(0)}/s p99 ${r.verify.p99} ms (ratio ${(r.verify.perSecond / baseline.perSecond).toFixed(3)}; CPU ${r.verify.cpuMsPerRequest.toFixed(2)} ms/req)`);
    // Issue 15's goals, ≤ 1 ms (SQLite) and ≤ 2 ms (PostgreSQL), were set when bare Fastify took 0.22 ms: the same
    // goals as multiples of bare Fastify's CPU in this run hold whatever the shared machine's speed at the moment.
    const goalMs = label === 'sqlite' ? 1 : 2;
    const times = r.filing.cpuMsPerRequest / baseline.cpuMsPerRequest;
    const goalTimes = goalMs / 0.22;
    console.log(`            filing CPU ${times.toFixed(1)}× bare Fastify's (goal ≤ ${goalTimes.toFixed(1)}×, i.e. ${goalMs} ms at 0.22 ms bare): ${times <= goalTimes ? 'met' : 'NOT met'}; ${r.filing.cpuMsPerRequest.toFixed(2)} ms against ${goalMs} ms as measured: ${r.filing.cpuMsPerRequest <= goalMs ? 'met' : 'NOT met'}`);
    if (r.filing.failed > 0 || r.verify.failed > 0) {
      console.error(`  ${label}: ${r.filing.failed + r.verify.failed} requests failed`);
      process.exitCode = 1;
    }
  }
}

if (process.argv[2] !== '--child') await main();
