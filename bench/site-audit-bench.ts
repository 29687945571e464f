// Site audit benchmark: `mamori audit-site` over a 20-page loopback site (mamori's consent.js, an analytics and an ad
// tag held back) in all four passes, against a bare Chromium loop that only loads the same pages once each, measured
// in the same run. Prints time, pages per second, peak memory (this process and Chromium's) and the reports' sizes.
//   node --import tsx bench/site-audit-bench.ts            full: 20 pages × 4 passes
//   node --import tsx bench/site-audit-bench.ts --smoke    seconds: 3 pages × 4 passes
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { loadPolicyFile } from '../src/policy/load-policy.ts';
import { runSiteAudit } from '../src/site-audit/run-site-audit.ts';
import { siteAuditHtml } from '../src/site-audit/site-audit-report.ts';
import { startLoopbackSite } from '../test/site-audit/loopback-site.ts';

// The server's request log would drown the figures.
process.env.LOG_LEVEL ??= 'warn';
const { startServer } = await import('../src/server.ts');

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
const PAGES = smoke ? 3 : 20;

/** Proportional resident memory (PSS: shared pages split between sharers) of this process's descendants, from /proc. */
function descendantsRss(): number {
  const parents = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(d), ppid);
    } catch {
      continue;
    }
  }
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parents) if (!mine.has(pid) && mine.has(ppid)) { mine.add(pid); grew = true; }
  }
  let total = 0;
  for (const pid of mine) {
    if (pid === process.pid) continue;
    try {
      const m = /Pss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      total += Number(m?.[1] ?? 0) * 1024;
    } catch {
      continue;
    }
  }
  return total;
}

function sampler(): { stop(): { node: number; chromium: number } } {
  let node = process.memoryUsage().rss;
  let browser = 0;
  const timer = setInterval(() => {
    node = Math.max(node, process.memoryUsage().rss);
    browser = Math.max(browser, descendantsRss());
  }, 100);
  return { stop: () => { clearInterval(timer); return { node, chromium: browser }; } };
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

const loaded = loadPolicyFile(fileURLToPath(new URL('../test/fixtures/site-audit/policy.yaml', import.meta.url)));
if (!loaded.ok) throw new Error('bench policy does not load');
const dataDir = mkdtempSync(join(tmpdir(), 'mamori-bench-audit-'));
let mamoriPort = 0;
const site = await startLoopbackSite(() => mamoriPort);
const server = await startServer({ policy: loaded.loaded, env: { DATABASE_URL: `sqlite:${join(dataDir, 'm.sqlite')}` }, outboxIntervalMs: 0, config: { port: 0, host: '127.0.0.1', dataDir, corsOrigins: [site.origin], databaseUrl: `sqlite:${join(dataDir, 'm.sqlite')}` } });
mamoriPort = Number(new URL(server.url).port);
const args = [`--host-resolver-rules=${site.hostRules}`];
try {
  // Baseline: the same pages loaded once each in a bare Chromium, waiting for the load event only.
  const urls = Array.from({ length: PAGES }, (_, i) => `${site.origin}/bench/${i + 1}`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...args] });
  const t0 = performance.now();
  const page = await (await browser.newContext()).newPage();
  for (const u of urls) await page.goto(u, { waitUntil: 'load' });
  const bareMs = performance.now() - t0;
  await browser.close();

  const mem = sampler();
  const t1 = performance.now();
  const result = await runSiteAudit({ urls: [urls[0]!], policy: loaded.loaded.policy, maxPages: PAGES, chromiumArgs: args });
  const auditMs = performance.now() - t1;
  const peak = mem.stop();
  const visits = result.passes.reduce((n, p) => n + p.pages.length, 0);
  const json = Buffer.byteLength(JSON.stringify(result));
  const htmlReport = Buffer.byteLength(siteAuditHtml(result));

  console.log(`site audit: ${result.pages.length} pages × ${result.passes.length} passes = ${visits} page visits in ${(auditMs / 1000).toFixed(1)} s (${(visits / (auditMs / 1000)).toFixed(2)} pages/s), ${result.findings.length} findings`);
  console.log(`baseline (bare Chromium, load event only, one pass): ${PAGES} pages in ${(bareMs / 1000).toFixed(1)} s (${(PAGES / (bareMs / 1000)).toFixed(2)} pages/s)`);
  console.log(`ratio: ${((auditMs / visits) / (bareMs / PAGES)).toFixed(1)}× the bare time per page visit (the audit waits for each page's network to settle and records every request)`);
  console.log(`peak memory: mamori process ${mb(peak.node)}, Chromium ${mb(peak.chromium)} (PSS of all its processes)`);
  console.log(`report size: JSON ${(json / 1024).toFixed(1)} KB, HTML ${(htmlReport / 1024).toFixed(1)} KB`);
  if (result.findings.length > 0) {
    console.error(`unexpected findings on the compliant bench site: ${result.findings.map((f) => f.kind).join(', ')}`);
    process.exitCode = 1;
  }
} finally {
  await server.close();
  await site.close();
  rmSync(dataDir, { recursive: true, force: true });
}
