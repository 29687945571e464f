import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import { preparedStatement } from '../store/prepared-statement.ts';
import type { Store } from '../store/store.ts';
import type { SlotOutcome } from './job-slot.ts';

const DEFAULT_LEASE_MS = 10 * 60_000;

const ensureRow = preparedStatement(`insert into scheduled_jobs (name, last_slot, last_run_at, last_owner, lease_owner, lease_until)
  values (?, '', null, null, null, null) on conflict (name) do nothing`);
// One statement takes the slot: on PostgreSQL a second instance's update waits for the first and then finds the
// lease taken; on SQLite writes are serial anyway.
const claimSlot = preparedStatement<{ name: string }>(`update scheduled_jobs set lease_owner = ?, lease_until = ?
  where name = ? and last_slot < ? and (lease_until is null or lease_until < ?) returning name`);
const slotDone = preparedStatement<{ last_slot: string }>('select last_slot from scheduled_jobs where name = ?');
const renewLease = preparedStatement('update scheduled_jobs set lease_until = ? where name = ? and lease_owner = ?');
const finishSlot = preparedStatement(`update scheduled_jobs set last_slot = ?, last_run_at = ?, last_owner = ?, lease_owner = null, lease_until = null
  where name = ? and lease_owner = ?`);
const releaseLease = preparedStatement('update scheduled_jobs set lease_owner = null, lease_until = null where name = ? and lease_owner = ?');

/**
 * Runs `work` once for a job's slot across every instance sharing the database, for work too long to hold a
 * transaction open (a site audit drives Chromium for minutes; on SQLite a transaction would hold the one connection
 * for all that time). The slot is claimed under a lease in this run's name, renewed every third of the lease while
 * the work lasts, and marked done when it ends: another instance finds it busy, then done. When an instance dies
 * mid-run its lease lapses and the next tick anywhere runs the slot again; when the work throws, the lease is given
 * back at once (the slot stays due) and the error goes to the caller.
 * @example await runLeasedJobSlot(ctx.store, ctx.clock, 'site.audit', slot, () => runScheduledSiteAudit(ctx, schedule));
 */
export async function runLeasedJobSlot<T>(store: Store, clock: Clock, name: string, slot: string, work: () => Promise<T>, opts: { leaseMs?: number } = {}): Promise<SlotOutcome<T>> {
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const owner = `${process.pid}:${newId('lease')}`;
  const leaseFromNow = () => new Date(clock.now().getTime() + leaseMs).toISOString();
  await ensureRow.run(store.db, [name]);
  const claimed = await claimSlot.run(store.db, [owner, leaseFromNow(), name, slot, clock.now().toISOString()]);
  if (claimed.rows.length === 0) {
    const row = (await slotDone.run(store.db, [name])).rows[0];
    return row && row.last_slot >= slot ? { status: 'done' } : { status: 'busy' };
  }
  let beat: Promise<unknown> = Promise.resolve();
  const heartbeat = setInterval(() => {
    beat = beat.then(() => renewLease.run(store.db, [leaseFromNow(), name, owner])).catch(() => undefined);
  }, Math.max(10, Math.floor(leaseMs / 3)));
  let result: T;
  try {
    result = await work();
  } catch (err) {
    clearInterval(heartbeat);
    await beat;
    await releaseLease.run(store.db, [name, owner]);
    throw err;
  }
  clearInterval(heartbeat);
  await beat;
  await finishSlot.run(store.db, [slot, clock.now().toISOString(), `${process.pid}`, name, owner]);
  return { status: 'ran', result };
}
