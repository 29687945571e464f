// Records benchmark: audit-chain verification and 匿名加工情報 processing, each against a hand-written baseline
// measured in the same run.
//   node --import tsx bench/records-bench.ts            full: 200k audit events, 200k CSV rows
//   node --import tsx bench/records-bench.ts --smoke    seconds: 5k events, 5k rows
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { canonicalJson, hashAuditEvent, GENESIS_HASH, verifyAuditChain } from '../src/audit/audit-log.ts';
import { anonymizeCsv } from '../src/records/anonymization-job.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { openStore } from '../src/store/store.ts';

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
const EVENTS = smoke ? 5_000 : 200_000;
const ROWS = smoke ? 5_000 : 200_000;

async function time<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

async function auditBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-records-'));
  const file = join(dir, 'm.sqlite');
  const store = await openStore(`sqlite:${file}`);
  await migrateToLatest(store);
  await store.close();
  const raw = new SQLite(file);
  const insert = raw.prepare('insert into audit_events (seq, id, at, actor, action, target_type, target_id, data, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  let prev = GENESIS_HASH;
  raw.transaction(() => {
    for (let i = 1; i <= EVENTS; i++) {
      const e = { seq: i, id: `aud_${i}`, at: new Date(1_775_000_000_000 + i * 1000).toISOString(), actor: 'system', action: 'bench.event', targetType: 'bench', targetId: `t${i}`, data: { i, note: 'x' } };
      const hash = hashAuditEvent(prev, e);
      insert.run(e.seq, e.id, e.at, e.actor, e.action, e.targetType, e.targetId, canonicalJson(e.data), prev, hash);
      prev = hash;
    }
  })();

  // Baseline: one SELECT over every row and a SHA-256 per row, no classification.
  const baseline = await time(() => {
    let p = GENESIS_HASH;
    let ok = 0;
    for (const r of raw.prepare('select * from audit_events order by seq').iterate() as Iterable<{ seq: number; id: string; at: string; actor: string; action: string; target_type: string; target_id: string | null; data: string; prev_hash: string; hash: string }>) {
      const body = canonicalJson({ seq: r.seq, id: r.id, at: r.at, actor: r.actor, action: r.action, targetType: r.target_type, targetId: r.target_id, data: JSON.parse(r.data) as unknown });
      const h = createHash('sha256').update(p).update('\n').update(body).digest('hex');
      if (h === r.hash) ok += 1;
      p = r.hash;
    }
    return ok;
  });
  raw.close();
  const s2 = await openStore(`sqlite:${file}`);
  const ours = await time(() => verifyAuditChain(s2.db));
  await s2.close();
  rmSync(dir, { recursive: true, force: true });
  if (!ours.value.ok || baseline.value !== EVENTS) throw new Error('bench chain did not verify');
  console.log(`audit verify: ${EVENTS} events  mamori ${ours.ms.toFixed(0)} ms  baseline ${baseline.ms.toFixed(0)} ms  ratio ${(ours.ms / baseline.ms).toFixed(2)}x (Kysely pages + tamper classification vs one raw loop)`);
}

function anonymizationBench(): void {
  const prefs = ['東京都', '神奈川県', '大阪府', '北海道', '福岡県'];
  const lines = ['email,user_id,age,pref,logins'];
  for (let i = 0; i < ROWS; i++) lines.push(`u${i}@example.jp,${i},${18 + (i % 60)},${prefs[i % prefs.length]},${i % 300}`);
  const csv = lines.join('\n');
  const config = {
    name: 'bench', dataset: 'bench.csv', k: 5,
    columns: [
      { name: 'email', role: 'identifier' }, { name: 'user_id', role: 'linking_code' },
      { name: 'age', role: 'quasi_identifier', transform: { kind: 'bucket', width: 10 } },
      { name: 'pref', role: 'quasi_identifier', transform: { kind: 'map', values: { 東京都: '関東', 神奈川県: '関東', 大阪府: '関西' }, otherwise: 'その他' } },
      { name: 'logins', role: 'attribute', transform: { kind: 'top_code', max: 100 } },
    ],
  };
  // Baseline: split on commas, drop two columns, bucket one, no quoting, no k-anonymity.
  const baseline = (() => {
    const t = performance.now();
    const out: string[] = [];
    for (const line of csv.split('\n').slice(1)) {
      const c = line.split(',');
      out.push(`${Math.floor(Number(c[2]) / 10) * 10},${c[3]},${Math.min(Number(c[4]), 100)}`);
    }
    return { ms: performance.now() - t, n: out.length };
  })();
  const t = performance.now();
  const r = anonymizeCsv(csv, config);
  const ms = performance.now() - t;
  console.log(`anonymize: ${ROWS} rows  mamori ${ms.toFixed(0)} ms  baseline ${baseline.ms.toFixed(0)} ms  ratio ${(ms / baseline.ms).toFixed(2)}x (RFC 4180 parsing, checks and k=5 suppression vs naive split); suppressed ${r.suppressedRows}`);
}

await auditBench();
anonymizationBench();
