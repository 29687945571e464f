import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestStore } from '../support/stores.ts';
import { addMonths, maintainReceiptPartitions, monthOf, partitionName, receiptPartitions } from '../../src/consent/receipt-partitions.ts';
import type { Db } from '../../src/store/store.ts';

interface PlanNode { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: PlanNode[] }

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function planOf(db: Db, query: ReturnType<typeof sql>): Promise<PlanNode[]> {
  const r = await sql<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>`explain (format json) ${query}`.execute(db);
  return nodes(r.rows[0]!['QUERY PLAN'][0]!.Plan);
}

const scans = (plan: PlanNode[]) => plan.filter((n) => n['Relation Name'] !== undefined);

test('receipts are partitioned by month on PostgreSQL; the hot queries use the intended indexes and prune months', async () => {
  const store = await createTestStore('postgres');
  try {
    const { db } = store;
    const m0 = monthOf(new Date());
    const months = [m0, addMonths(m0, 1), addMonths(m0, 2)];
    assert.deepEqual(await receiptPartitions(db), months);
    // 60,000 receipts of 20,000 subjects over three months, and their current preferences: enough rows that the
    // planner prefers an index where one fits (tests never generate millions; bench/scale-bench.ts does in full mode).
    await sql`insert into consent_receipts (id, subject, subject_kind, choices, policy_version, method, recorded_at, recorded_by, origin, proof)
      select 'rcp_' || g, 'anon_' || (g % 20000), 'browser', '{"analytics":true}', 'v1', 'banner',
        (array[${months[0]}, ${months[1]}, ${months[2]}])[1 + g % 3] || '-15T00:00:00.' || lpad((g % 1000)::text, 3, '0') || 'Z', 'browser', null, 'p'
      from generate_series(1, 60000) g`.execute(db);
    await sql`insert into consent_preferences (subject, purpose, allowed, policy_version, method, receipt_id, updated_at)
      select 'anon_' || (g % 20000), 'analytics', 1, 'v1', 'banner', 'rcp_' || g, ${months[0]} || '-15T00:00:00.000Z' from generate_series(1, 20000) g`.execute(db);
    await sql`analyze consent_receipts`.execute(db);
    await sql`analyze consent_preferences`.execute(db);
    for (const m of months) {
      const n = await sql<{ n: string }>`select count(*) as n from ${sql.table(partitionName(m))}`.execute(db);
      assert.equal(Number(n.rows[0]!.n), 20000, `partition of ${m}`);
    }

    // A decision: one primary-key probe.
    const decision = scans(await planOf(db, sql`select allowed, policy_version from consent_preferences where subject = ${'anon_42'} and purpose = ${'analytics'}`));
    assert.equal(decision.length, 1);
    assert.match(decision[0]!['Node Type'], /^Index (Only )?Scan$/);
    assert.equal(decision[0]!['Index Name'], 'consent_preferences_pk');

    // A subject's receipts (export, disclosure): the per-subject index on every month, never a sequential scan.
    const bySubjectPlan = await planOf(db, sql`select * from consent_receipts where subject = ${'anon_42'} order by recorded_at, id`);
    const bySubject = scans(bySubjectPlan);
    assert.deepEqual(bySubject.map((s) => s['Relation Name']).sort(), [...months.map(partitionName), 'consent_receipts_default'].sort());
    // (The empty default partition is read sequentially, as the planner should for an empty table.)
    for (const s of bySubject.filter((x) => x['Relation Name'] !== 'consent_receipts_default')) {
      assert.equal(s['Node Type'], 'Index Scan', JSON.stringify(bySubjectPlan.map((n) => [n['Node Type'], n['Relation Name'], n['Index Name']])));
      assert.equal(s['Index Name'], `${s['Relation Name']}_subject_recorded_at_idx`);
    }

    // A month's receipts (statistics, exports by period): only that month's partition is read.
    const month = scans(await planOf(db, sql`select count(*) from consent_receipts where recorded_at >= ${months[1]} and recorded_at < ${months[2]}`));
    assert.deepEqual([...new Set(month.map((s) => s['Relation Name']))], [partitionName(months[1]!)]);

    // Retention by partition: three months later with one month kept, the old months are dropped whole, but a receipt
    // that backs a current choice is kept (moved to the default partition).
    const later = new Date(`${addMonths(m0, 4)}-02T00:00:00Z`);
    const r = await maintainReceiptPartitions(db, later, { keepMonths: 1 });
    assert.deepEqual(r.dropped, months.slice(0, 3).filter((m) => m < addMonths(m0, 3)));
    assert.deepEqual(await receiptPartitions(db), [addMonths(m0, 4), addMonths(m0, 5), addMonths(m0, 6)]);
    const left = await sql<{ n: string }>`select count(*) as n from consent_receipts`.execute(db);
    const backing = await sql<{ n: string }>`select count(*) as n from consent_preferences p where exists (select 1 from consent_receipts r where r.id = p.receipt_id)`.execute(db);
    assert.equal(Number(left.rows[0]!.n), r.kept);
    assert.equal(Number(backing.rows[0]!.n), 20000, 'every current choice keeps its receipt');
  } finally {
    await store.drop();
  }
});
