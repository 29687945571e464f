import { sql, type Kysely } from 'kysely';
import { dialectOf, type DbOrTrx } from '../store/store.ts';

// Consent receipts on PostgreSQL are a table partitioned by month of `recorded_at` (ISO text in the "C" collation,
// so ranges compare as strings): `consent_receipts_y2026m11` holds November 2026, `consent_receipts_default` anything
// without a month partition (imports of old receipts). A month's partition is created ahead of time and dropped whole
// when retention passes, instead of deleting millions of rows one by one.

/** Months ahead of the current one that always have a partition. */
export const MONTHS_AHEAD = 2;

/** `2026-11` for an instant (UTC months, as `recorded_at` is UTC). */
export function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y!, m! - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

export const partitionName = (month: string): string => `consent_receipts_y${month.slice(0, 4)}m${month.slice(5, 7)}`;
const monthOfPartition = (name: string): string | null => {
  const m = /^consent_receipts_y(\d{4})m(\d{2})$/.exec(name);
  return m ? `${m[1]}-${m[2]}` : null;
};

/** The month partitions that exist, oldest first. */
export async function receiptPartitions(db: DbOrTrx | Kysely<any>): Promise<string[]> {
  const r = await sql<{ name: string }>`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
    where p.relname = 'consent_receipts' and p.relnamespace = c.relnamespace and pg_table_is_visible(p.oid)`.execute(db);
  return r.rows.map((x) => monthOfPartition(x.name)).filter((m): m is string => m !== null).sort();
}

/** Creates the month's partition unless it exists, or unless the default partition already holds rows of that month. */
export async function ensureReceiptPartition(db: DbOrTrx | Kysely<any>, month: string): Promise<boolean> {
  const name = partitionName(month);
  const exists = await sql<{ n: number }>`select 1 as n from pg_class where relname = ${name} and pg_table_is_visible(oid)`.execute(db);
  if (exists.rows.length > 0) return false;
  const next = addMonths(month, 1);
  // PostgreSQL refuses to create a partition whose rows sit in the default partition: those months stay there.
  const stray = await sql`select 1 from consent_receipts_default where recorded_at >= ${month} and recorded_at < ${next} limit 1`.execute(db);
  if (stray.rows.length > 0) return false;
  await sql.raw(`create table ${name} partition of consent_receipts for values from ('${month}') to ('${next}')`).execute(db);
  return true;
}

/**
 * The daily maintenance (job `consent.receipt_partitions`, one instance): partitions for this month and the next
 * two, and with a retention (`keepMonths`) every month partition wholly older than it detached and dropped. Receipts
 * that still back a current preference are the proof of that choice: they are moved to the default partition first.
 */
export async function maintainReceiptPartitions(db: DbOrTrx, now: Date, opts: { keepMonths?: number | undefined } = {}): Promise<{ created: string[]; dropped: string[]; kept: number }> {
  if (dialectOf(db) !== 'postgres') return { created: [], dropped: [], kept: 0 };
  const created: string[] = [];
  const current = monthOf(now);
  for (let i = 0; i <= MONTHS_AHEAD; i += 1) {
    const month = addMonths(current, i);
    if (await ensureReceiptPartition(db, month)) created.push(month);
  }
  const dropped: string[] = [];
  let kept = 0;
  if (opts.keepMonths !== undefined) {
    const oldestKept = addMonths(current, -opts.keepMonths);
    for (const month of await receiptPartitions(db)) {
      if (month >= oldestKept) continue;
      const name = partitionName(month);
      await sql.raw(`alter table consent_receipts detach partition ${name}`).execute(db);
      const moved = await sql.raw(`insert into consent_receipts select r.* from ${name} r where exists (select 1 from consent_preferences p where p.receipt_id = r.id)`).execute(db);
      kept += Number(moved.numAffectedRows ?? 0n);
      await sql.raw(`drop table ${name}`).execute(db);
      dropped.push(month);
    }
    const stale = await sql`delete from consent_receipts_default r where r.recorded_at < ${oldestKept} and not exists (select 1 from consent_preferences p where p.receipt_id = r.id)`.execute(db);
    void stale;
  }
  return { created, dropped, kept };
}
