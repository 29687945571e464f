import { sql } from 'kysely';
import type { Clock } from '../clock.ts';
import type { DbOrTrx } from '../store/store.ts';

/** Days a sent staff alert's row is kept by default (MAMORI_STAFF_ALERT_DAYS). */
export const STAFF_ALERT_KEEP_DAYS = 90;
/**
 * The shortest keep allowed: a `new:` key can fire while its request is under 7 days old and a `due:` key up to 3 days
 * before its date, so a row must outlive both windows or the sweep would mail the same alert again.
 */
export const STAFF_ALERT_MIN_KEEP_DAYS = 8;

/**
 * Deletes the rows of staff alerts sent more than `keepDays` ago whose condition is over: a row only marks an alert as
 * mailed, so once its request is past the new-request and deadline windows nothing would send it again. A silent
 * callback's row is kept while that webhook step is still open and unchanged (it would be mailed again otherwise),
 * and goes at the first purge after the step moves on. Returns how many rows went.
 * @example await purgeStaffAlerts(trx, clock, { keepDays: 90 });
 */
export async function purgeStaffAlerts(db: DbOrTrx, clock: Clock, opts: { keepDays?: number } = {}): Promise<{ deleted: number }> {
  const keepDays = Math.max(STAFF_ALERT_MIN_KEEP_DAYS, opts.keepDays ?? STAFF_ALERT_KEEP_DAYS);
  const cutoff = new Date(clock.now().getTime() - keepDays * 86_400_000).toISOString();
  const result = await db
    .deleteFrom('request_staff_alerts')
    .where('created_at', '<', cutoff)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('connector_tasks')
            .select('connector_tasks.id')
            .where('connector_tasks.kind', '=', 'webhook')
            .where('connector_tasks.status', '=', 'open')
            // The sweep's key for a silent callback: `callback:<task id>:<task updated_at>`.
            .whereRef('request_staff_alerts.key', '=', sql<string>`'callback:' || connector_tasks.id || ':' || connector_tasks.updated_at`),
        ),
      ),
    )
    .executeTakeFirst();
  return { deleted: Number(result.numDeletedRows) };
}
