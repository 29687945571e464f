// Server memory while anonymous agent filings upload their proofs at the full per-filing size (20 MB: two 10 MB
// files). Runs `mamori serve` in its own process (SQLite) and reads its resident memory from /proc: the growth for
// one filing (the baseline) and the peak growth for 6 filings in parallel. Uploads are streamed to the spool and
// loaded one filing at a time to be stored, so the second stays near the first whatever the number of filings
// (measured before the spool: 6 → 1.7×, 12 → 2.6×; with it: 6 → 1.5×, 12 → 1.5×).
// Usage: node --import tsx bench/upload-memory-bench.ts [--smoke] [--parallel=N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentFilingPolicy, serveProcess } from '../test/support/served-process.ts';
import { fileStreamed } from '../test/hardening/upload-kit.ts';

const MB = 1024 * 1024;
const smoke = process.argv.includes('--smoke');
const parallel = Number(process.argv.find((a) => a.startsWith('--parallel='))?.split('=')[1] ?? (smoke ? 2 : 6));
const fileBytes = smoke ? 2 * MB : 10 * MB - 4096;

const dir = mkdtempSync(join(tmpdir(), 'mamori-upload-bench-'));
const server = await serveProcess(['--policy', agentFilingPolicy(dir)], {
  MAMORI_DATA_DIR: dir,
  MAMORI_SECRET: '11'.repeat(32),
  MAMORI_UPLOAD_QUOTAS: JSON.stringify({ perIpBytes: 10_000 * MB, perEmailBytes: 10_000 * MB }),
});
try {
  const must = (r: { status: number; json: unknown }) => {
    if (r.status !== 201) throw new Error(`filing refused: ${r.status} ${JSON.stringify(r.json)}`);
  };
  must(await fileStreamed(server.url, 'warm@example.jp', 1, 64 * 1024));
  const base = server.memory().rss;
  must(await fileStreamed(server.url, 'one@example.jp', 2, fileBytes));
  const one = server.memory().peak - base;
  const results = await Promise.all(Array.from({ length: parallel }, (_, i) => fileStreamed(server.url, `p${i}@example.jp`, 2, fileBytes)));
  results.forEach(must);
  const many = server.memory().peak - base;
  const mb = (n: number) => (n / MB).toFixed(0);
  console.log(`upload memory: ${(2 * fileBytes / MB).toFixed(0)} MB per filing; server rss before ${mb(base)} MB`);
  console.log(`  1 filing:            peak rss growth ${mb(one)} MB`);
  console.log(`  ${parallel} parallel filings:  peak rss growth ${mb(many)} MB  (${(many / Math.max(one, 1)).toFixed(2)}× the single filing)`);
} finally {
  server.kill('SIGTERM');
  await server.exited;
  rmSync(dir, { recursive: true, force: true });
}
