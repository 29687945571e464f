// Full-size data for bench/scale-bench.ts on PostgreSQL: set-based inserts (generate_series) straight into the
// partitioned receipts table, its primary key and per-subject index dropped during the load and built afterwards,
// then ANALYZE; and the hot queries' plans at that size (the test of plans, test/scale/receipt-partitions.test.ts,
// runs on 60k rows only).
import { sql } from 'kysely';
import { addMonths, ensureReceiptPartition, monthOf } from '../src/consent/receipt-partitions.ts';
import type { Store } from '../src/store/store.ts';

const secondsSince = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

/**
 * `receipts` receipts over `subjects` subjects, spread over this month and the two before (one partition each), and
 * one current analytics choice per subject (`anon_s0` … ). Subject `anon_sN` has receipts `N`, `N + subjects`, …
 */
export async function seedPostgres(store: Store, receipts: number, subjects: number): Promise<void> {
  const t0 = performance.now();
  const { db } = store;
  const m0 = monthOf(new Date());
  const months = [addMonths(m0, -2), addMonths(m0, -1), m0];
  for (const m of months) await ensureReceiptPartition(db, m);
  // Loading into bare heaps and indexing once is several times faster than maintaining two B-trees row by row.
  await sql`alter table consent_receipts drop constraint consent_receipts_pkey`.execute(db);
  await sql`drop index consent_receipts_subject`.execute(db);
  await sql`alter table consent_preferences drop constraint consent_preferences_pk`.execute(db);
  const chunk = 1_000_000;
  for (let from = 1; from <= receipts; from += chunk) {
    const to = Math.min(receipts, from + chunk - 1);
    await sql`insert into consent_receipts (id, subject, subject_kind, choices, policy_version, method, recorded_at, recorded_by, origin, proof)
      select 'rcp_' || g, 'anon_s' || (g % ${subjects}), 'browser', '{"analytics":true}', 'v0', 'banner',
        (array[${months[0]}, ${months[1]}, ${months[2]}])[1 + g % 3] || '-01T00:00:' || lpad((g % 60)::text, 2, '0') || '.' || lpad((g % 1000)::text, 3, '0') || 'Z',
        'browser', null, 'x'
      from generate_series(${from}::int, ${to}::int) g`.execute(db);
  }
  await sql`insert into consent_preferences (subject, purpose, allowed, policy_version, method, receipt_id, updated_at)
    select 'anon_s' || g, 'analytics', (g % 2), 'v0', 'banner', 'rcp_' || g, ${m0} || '-01T00:00:00.000Z' from generate_series(0, ${subjects - 1}::int) g`.execute(db);
  const loaded = secondsSince(t0);
  const t1 = performance.now();
  // The same names and definitions as the migrations (0400, 0410) give them.
  await sql`set maintenance_work_mem = '512MB'`.execute(db);
  await sql`alter table consent_receipts add constraint consent_receipts_pkey primary key (id, recorded_at)`.execute(db);
  await sql`create index consent_receipts_subject on consent_receipts (subject, recorded_at)`.execute(db);
  await sql`alter table consent_preferences add constraint consent_preferences_pk primary key (subject, purpose)`.execute(db);
  const indexed = secondsSince(t1);
  const t2 = performance.now();
  await sql`analyze`.execute(db);
  await sql`reset maintenance_work_mem`.execute(db);
  const size = await sql<{ size: string }>`select pg_size_pretty(pg_database_size(current_database())) as size`.execute(db);
  console.log(`  seeded ${receipts} receipts (months ${months.join(', ')}), ${subjects} subjects: load ${loaded} s, indexes ${indexed} s, analyze ${secondsSince(t2)} s; database ${size.rows[0]!.size}`);
}

interface PlanNode { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: PlanNode[] }
const nodes = (p: PlanNode): PlanNode[] => [p, ...(p.Plans ?? []).flatMap(nodes)];

/**
 * EXPLAINs the hot queries on the loaded data and prints each scan (relation, node, index); throws when one reads a
 * non-empty relation without an index, so a full run cannot report figures over a plan that went wrong.
 */
export async function checkPlansAtSize(store: Store, subjects: number): Promise<void> {
  const { db } = store;
  const subject = `anon_s${Math.floor(subjects / 2)}`;
  const m0 = monthOf(new Date());
  const queries: Array<[string, ReturnType<typeof sql>, boolean]> = [
    ['decision (one purpose)', sql`select allowed, policy_version from consent_preferences where subject = ${subject} and purpose = ${'analytics'}`, true],
    ['decision (a subject\'s preferences)', sql`select purpose, allowed, policy_version, receipt_id, updated_at from consent_preferences where subject = ${subject}`, true],
    ['preload (a page of the table)', sql`select subject, purpose, allowed, policy_version, receipt_id, updated_at from consent_preferences where subject > ${subject} order by subject, purpose limit ${10_000}`, true],
    ['decisions (misses read together)', sql`select subject, purpose, allowed, policy_version, receipt_id, updated_at from consent_preferences where subject = any(${[subject, 'anon_s1', 'anon_s2', 'anon_s3']}::text[])`, true],
    ['a subject\'s receipts', sql`select * from consent_receipts where subject = ${subject} order by recorded_at, id`, true],
    ['a month\'s receipts (count)', sql`select count(*) from consent_receipts where recorded_at >= ${m0} and recorded_at < ${addMonths(m0, 1)}`, false],
  ];
  // Empty partitions (next months, the default) are read sequentially: a scan of nothing, as the planner should.
  const empty = new Set((await sql<{ name: string }>`select relname as name from pg_class where relname like 'consent_receipts_%' and relkind = 'r' and reltuples <= 0`.execute(db)).rows.map((r) => r.name));
  console.log(`  plans at this size (EXPLAIN, subject ${subject}):`);
  for (const [label, query, indexed] of queries) {
    const r = await sql<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>`explain (format json) ${query}`.execute(db);
    const scans = nodes(r.rows[0]!['QUERY PLAN'][0]!.Plan).filter((n) => n['Relation Name'] !== undefined);
    const shown = scans.filter((s) => !empty.has(s['Relation Name']!)).map((s) => `${s['Relation Name']}: ${s['Node Type']}${s['Index Name'] ? ` using ${s['Index Name']}` : ''}`);
    console.log(`    ${label.padEnd(36)} ${shown.join('; ')}`);
    const bad = scans.filter((s) => indexed && !empty.has(s['Relation Name']!) && !/Index/.test(s['Node Type']));
    if (bad.length > 0) throw new Error(`${label}: no index on ${bad.map((s) => s['Relation Name']).join(', ')}`);
    if (!indexed && scans.some((s) => !s['Relation Name']!.endsWith(`y${m0.slice(0, 4)}m${m0.slice(5, 7)}`))) throw new Error(`${label}: read months other than ${m0}`);
  }
}
