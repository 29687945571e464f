import type { Transaction } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Database } from '../store/database.ts';
import { appendAudit, verifyAuditLog } from '../audit/audit-log.ts';
import { jstDate } from '../law/appi/breach.ts';
import { purgeExpiredRecords } from '../records/record-purge.ts';
import { queueDeadlineReminders } from '../records/incident-reminders.ts';
import { maintainReceiptPartitions } from '../consent/receipt-partitions.ts';
import { purgeStaffAlerts } from '../requests/staff-alert-purge.ts';
import { runJobSlot, type SlotOutcome } from './job-slot.ts';

/** The background jobs every instance offers to run; each slot is run by one instance only (see `runJobSlot`). */
export type ScheduledJobName = 'records.purge' | 'audit.verify' | 'incidents.deadline_reminders' | 'consent.receipt_partitions' | 'requests.staff_alerts_purge';

interface ScheduledJob {
  /** The slot `now` falls in (an ISO date or instant: slots compare as strings), or null when the job is off. */
  slotOf(now: Date): string | null;
  run(trx: Transaction<Database>, ctx: JobContext): Promise<unknown>;
}

type JobContext = Pick<AppContext, 'store' | 'clock' | 'config' | 'policy'>;

export interface ScheduledJobsOptions {
  /** Hours between retention purges (MAMORI_RECORDS_PURGE_HOURS, default 24; 0 = never). */
  purgeHours?: number;
}

function jobsOf(opts: ScheduledJobsOptions): Record<ScheduledJobName, ScheduledJob> {
  const purgeMs = (opts.purgeHours ?? 24) * 3600_000;
  return {
    'records.purge': {
      slotOf: (now) => (purgeMs > 0 ? new Date(Math.floor(now.getTime() / purgeMs) * purgeMs).toISOString() : null),
      run: (trx, ctx) => purgeExpiredRecords(trx, ctx.clock, 'system'),
    },
    // A daily walk of the audit chain, its result itself chained: tampering is noticed within a day, not at the next audit.
    'audit.verify': {
      slotOf: (now) => jstDate(now),
      async run(trx, ctx) {
        const v = await verifyAuditLog(trx);
        await appendAudit(trx, ctx.clock, { actor: 'system', action: 'audit.verified', targetType: 'audit_log', data: { ok: v.ok, count: v.count, problems: v.problems.length, anchor: v.anchor } });
        return { ok: v.ok, count: v.count };
      },
    },
    'incidents.deadline_reminders': {
      slotOf: (now) => jstDate(now),
      run: (trx, ctx) => queueDeadlineReminders(trx, ctx.clock, { baseUrl: ctx.config.baseUrl }),
    },
    'consent.receipt_partitions': {
      slotOf: (now) => jstDate(now),
      async run(trx, ctx) {
        const r = await maintainReceiptPartitions(trx, ctx.clock.now(), { keepMonths: ctx.config.consentReceiptMonths });
        if (r.dropped.length > 0) await appendAudit(trx, ctx.clock, { actor: 'system', action: 'consent.receipts_purged', targetType: 'consent_receipts', data: { months: r.dropped, keptForCurrentChoices: r.kept } });
        return r;
      },
    },
    // Rows that only remember which staff alerts were mailed: dropped daily once old and unable to fire again.
    'requests.staff_alerts_purge': {
      slotOf: (now) => jstDate(now),
      async run(trx, ctx) {
        const r = await purgeStaffAlerts(trx, ctx.clock, { keepDays: ctx.config.staffAlertDays });
        if (r.deleted > 0) await appendAudit(trx, ctx.clock, { actor: 'system', action: 'requests.staff_alerts_purged', targetType: 'request_staff_alerts', data: { deleted: r.deleted, keepDays: ctx.config.staffAlertDays } });
        return r;
      },
    },
  };
}

export interface ScheduledJobs {
  /** Offers every due job once; what happened to each (ran here, busy elsewhere, already done, off, failed). */
  tickOnce(): Promise<Record<ScheduledJobName, SlotOutcome<unknown>['status'] | 'off' | 'failed'>>;
  stop(): Promise<void>;
}

/**
 * Ticks every `intervalMs` (0 = only by hand) on every instance; the database decides which instance runs a slot.
 * @example const jobs = startScheduledJobs(ctx, 60_000, { purgeHours: 24 }); … await jobs.stop();
 */
export function startScheduledJobs(ctx: JobContext, intervalMs: number, opts: ScheduledJobsOptions = {}, onError: (job: ScheduledJobName, err: unknown) => void = () => {}): ScheduledJobs {
  const jobs = jobsOf(opts);
  let running: Promise<unknown> = Promise.resolve();

  async function tick() {
    const out = {} as Record<ScheduledJobName, SlotOutcome<unknown>['status'] | 'off' | 'failed'>;
    for (const [name, job] of Object.entries(jobs) as Array<[ScheduledJobName, ScheduledJob]>) {
      const slot = job.slotOf(ctx.clock.now());
      if (slot === null) {
        out[name] = 'off';
        continue;
      }
      try {
        out[name] = (await runJobSlot(ctx.store, ctx.clock, name, slot, (trx) => job.run(trx, ctx))).status;
      } catch (err) {
        out[name] = 'failed'; // rolled back: the slot stays due, and the next tick (here or elsewhere) tries again
        onError(name, err);
      }
    }
    return out;
  }

  const timer = intervalMs > 0 ? setInterval(() => { running = running.then(tick).catch(() => undefined); }, intervalMs) : undefined;
  timer?.unref();
  return {
    tickOnce() {
      const next = running.then(tick, tick);
      running = next.catch(() => undefined);
      return next;
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
