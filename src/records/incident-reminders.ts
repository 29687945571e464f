import type { Clock } from '../clock.ts';
import type { DbOrTrx } from '../store/store.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { listIncidents } from './incidents.ts';

/** How close a report's target must be before the officers are reminded each day. */
export const REMINDER_WINDOW_MS = 2 * 24 * 3600_000;

/**
 * Queues one reminder per officer and admin for every open incident whose 速報 or 確報 (個人情報保護委員会への報告)
 * is due within two days, or already late, and not yet submitted. Run once a day by one instance
 * (`incidents.deadline_reminders`); the mail names the incident and the deadline only, never the people affected.
 */
export async function queueDeadlineReminders(db: DbOrTrx, clock: Clock, opts: { baseUrl: string }): Promise<{ reminders: number }> {
  const now = clock.now();
  const due = (await listIncidents(db, now)).filter((i) => i.status === 'open' && i.deadlines);
  if (due.length === 0) return { reminders: 0 };
  const officers = await db.selectFrom('staff_users').select('email').where('role', 'in', ['admin', 'officer']).where('disabled', '=', 0).execute();
  let reminders = 0;
  for (const incident of due) {
    for (const d of Object.values(incident.deadlines ?? {})) {
      if (d.state === 'submitted' || new Date(d.dueAt).getTime() - now.getTime() > REMINDER_WINDOW_MS) continue;
      const stage = d.stage === 'preliminary' ? '速報 (preliminary report)' : '確報 (final report)';
      for (const o of officers) {
        await enqueueMail(db, clock, {
          to: o.email,
          subject: `【要対応】漏えい等報告の期限: ${d.dueDate} ${stage}`,
          text: `インシデント「${incident.title}」の${stage}の期限は ${d.dueDate}（${d.state === 'on_track' ? '期限前' : '期限超過'}）です。\nThe ${stage} for incident "${incident.title}" is due ${d.dueDate} (${d.state}).\n${opts.baseUrl}/console/incidents/${incident.id}\n`,
          topic: 'incident.deadline_reminder',
          ref: { type: 'incident', id: incident.id },
        });
        reminders += 1;
      }
    }
  }
  return { reminders };
}
