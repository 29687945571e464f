// Secret rotation benchmark (SQLite): `mamori secret rotate`'s service over a store of signed audit rows and sealed
// connector payloads, against a hand-written loop over the same rows (raw better-sqlite3, the same crypto, the same
// batches of 200 per transaction) on a copy of the same file, measured in the same run. CPU time (process.cpuUsage)
// and wall time.
//   node --import tsx bench/secret-rotate-bench.ts            full: 100k audit rows, 50k payloads
//   node --import tsx bench/secret-rotate-bench.ts --smoke    seconds: 3k rows, 1.5k payloads
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { auditMac, deriveAuditKey, macMatches } from '../src/audit/audit-key.ts';
import { canonicalJson, GENESIS_HASH, hashAuditEvent } from '../src/audit/audit-log.ts';
import { systemClock } from '../src/clock.ts';
import { openSealedJson, sealJson } from '../src/connectors/sealed-json.ts';
import { rotateSecret } from '../src/secret/secret-rotation.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { openStore } from '../src/store/store.ts';

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
const EVENTS = smoke ? 3_000 : 100_000;
const PAYLOADS = smoke ? 1_500 : 50_000;
const BATCH = 200;
const OLD = Buffer.alloc(32, 1);
const NEW = Buffer.alloc(32, 2);

async function seed(file: string): Promise<void> {
  const store = await openStore(`sqlite:${file}`);
  await migrateToLatest(store);
  await store.close();
  const raw = new SQLite(file);
  const key = deriveAuditKey(OLD);
  const insertEvent = raw.prepare('insert into audit_events (seq, id, at, actor, action, target_type, target_id, data, prev_hash, hash, row_mac) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const insertRun = raw.prepare("insert into connector_runs (id, request_id, kind, status, dry_run, payload_sealed, attempts, created_at, updated_at) values (?, null, 'access', 'done', 0, ?, 1, ?, ?)");
  raw.transaction(() => {
    let prev = GENESIS_HASH;
    for (let i = 1; i <= EVENTS; i++) {
      const e = { seq: i, id: `aud_${String(i).padStart(8, '0')}`, at: new Date(1_775_000_000_000 + i * 1000).toISOString(), actor: 'system', action: 'bench.event', targetType: 'bench', targetId: `t${i}`, data: { i } };
      const hash = hashAuditEvent(prev, e);
      insertEvent.run(e.seq, e.id, e.at, e.actor, e.action, e.targetType, e.targetId, canonicalJson(e.data), prev, hash, auditMac(key, 'row', null, hash));
      prev = hash;
    }
    raw.prepare('insert into audit_head (id, seq, hash, mac) values (1, ?, ?, ?)').run(EVENTS, prev, auditMac(key, 'head', EVENTS, prev));
    const at = new Date().toISOString();
    const payload = { identities: [{ kind: 'email', value: 'someone@example.jp' }, { kind: 'account_id', value: 'u_123456' }], corrections: [] };
    for (let i = 1; i <= PAYLOADS; i++) insertRun.run(`run_${String(i).padStart(8, '0')}`, sealJson(OLD, payload), at, at);
  })();
  raw.close();
}

/** The baseline: the same rows, crypto and batch size through raw prepared statements, no cursor table, no audit events. */
function handWritten(file: string): number {
  const raw = new SQLite(file);
  raw.pragma('journal_mode = WAL');
  const oldKey = deriveAuditKey(OLD);
  const newKey = deriveAuditKey(NEW);
  let n = 0;
  const runs = raw.prepare('select id, payload_sealed from connector_runs where id > ? order by id limit ?');
  const setRun = raw.prepare('update connector_runs set payload_sealed = ? where id = ?');
  for (let cursor = ''; ;) {
    const rows = raw.transaction(() => {
      const batch = runs.all(cursor, BATCH) as Array<{ id: string; payload_sealed: string }>;
      for (const r of batch) setRun.run(sealJson(NEW, openSealedJson(OLD, r.payload_sealed)), r.id);
      return batch;
    })();
    n += rows.length;
    if (rows.length < BATCH) break;
    cursor = rows.at(-1)!.id;
  }
  const events = raw.prepare('select seq, hash, row_mac from audit_events where row_mac is not null and seq > ? order by seq limit ?');
  const setEvent = raw.prepare('update audit_events set row_mac = ? where seq = ?');
  for (let cursor = 0; ;) {
    const rows = raw.transaction(() => {
      const batch = events.all(cursor, BATCH) as Array<{ seq: number; hash: string; row_mac: string }>;
      for (const r of batch) if (macMatches(oldKey, 'row', null, r.hash, r.row_mac)) setEvent.run(auditMac(newKey, 'row', null, r.hash), r.seq);
      return batch;
    })();
    n += rows.length;
    if (rows.length < BATCH) break;
    cursor = rows.at(-1)!.seq;
  }
  raw.close();
  return n;
}

async function measure<T>(fn: () => Promise<T> | T): Promise<{ cpuMs: number; wallMs: number; value: T }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - t, value };
}

const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-rotate-'));
try {
  const seeded = join(dir, 'seed.sqlite');
  await seed(seeded);
  copyFileSync(seeded, join(dir, 'base.sqlite'));
  copyFileSync(seeded, join(dir, 'ours.sqlite'));
  const baseline = await measure(() => handWritten(join(dir, 'base.sqlite')));
  const store = await openStore(`sqlite:${join(dir, 'ours.sqlite')}`);
  const ours = await measure(() => rotateSecret({ store, clock: systemClock, keys: { old: OLD, new: NEW }, batchSize: BATCH }));
  await store.close();
  const p = ours.value.progress;
  if (p.audit_rows.rotated !== EVENTS + 1 || p.connector_payloads.rotated !== PAYLOADS || baseline.value !== EVENTS + PAYLOADS) throw new Error('bench rotation did not rotate every row');
  const rows = EVENTS + PAYLOADS;
  console.log(`secret rotate (sqlite): ${EVENTS} audit rows + ${PAYLOADS} sealed payloads`);
  console.log(`  mamori    cpu ${ours.cpuMs.toFixed(0)} ms  wall ${ours.wallMs.toFixed(0)} ms  (${((rows / ours.wallMs) * 1000).toFixed(0)} rows/s)`);
  console.log(`  baseline  cpu ${baseline.cpuMs.toFixed(0)} ms  wall ${baseline.wallMs.toFixed(0)} ms  (hand-written loop, same crypto and batches)`);
  console.log(`  ratio     cpu ${(ours.cpuMs / baseline.cpuMs).toFixed(2)}x  wall ${(ours.wallMs / baseline.wallMs).toFixed(2)}x`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
