import { sql, type Transaction } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../store/database.ts';
import type { Store } from '../store/store.ts';

/** What one attempt at a job's slot came to: it ran here, another instance holds it now, or the slot is done. */
export type SlotOutcome<T> = { status: 'ran'; result: T } | { status: 'busy' } | { status: 'done' };

/**
 * Runs `work` once for a job's slot (`'2026-11-30'` for a daily job) across every instance sharing the database.
 * The job's row is locked for the whole run (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so another instance skips
 * instead of waiting) and the slot is marked done in the same transaction as the work: the slot is never done twice,
 * and when an instance dies mid-run its transaction rolls back, the lock goes with its connection, and the next
 * tick of any instance runs the slot again. Work that must reach the outside world (mail) only enqueues it here;
 * the outbox delivers it under its own lease.
 * @example await runJobSlot(store, clock, 'audit.verify', jstDate(clock.now()), (trx) => verifyAndRecord(trx));
 */
export async function runJobSlot<T>(store: Store, clock: Clock, name: string, slot: string, work: (trx: Transaction<Database>) => Promise<T>): Promise<SlotOutcome<T>> {
  await store.db.insertInto('scheduled_jobs').values({ name, last_slot: '', last_run_at: null, last_owner: null, lease_owner: null, lease_until: null }).onConflict((oc) => oc.column('name').doNothing()).execute();
  return store.db.transaction().execute(async (trx): Promise<SlotOutcome<T>> => {
    const lock = store.dialect === 'postgres' ? sql` for update skip locked` : sql``;
    const row = (await sql<{ last_slot: string }>`select last_slot from scheduled_jobs where name = ${name}${lock}`.execute(trx)).rows[0];
    if (!row) return { status: 'busy' };
    if (row.last_slot >= slot) return { status: 'done' };
    const result = await work(trx);
    await trx.updateTable('scheduled_jobs').set({ last_slot: slot, last_run_at: clock.now().toISOString(), last_owner: `${process.pid}` }).where('name', '=', name).execute();
    return { status: 'ran', result };
  });
}
