import { DAY_MS } from '../../clock.ts';
import type { Policy, RequestKind } from '../../policy/schema.ts';

/**
 * Deadlines for APPI requests. The Act says 遅滞なく (without delay); the policy turns that into target days
 * (`requests.kinds.<kind>.target_days`, else `requests.default_target_days`, else 14). The clock runs from identity
 * confirmation, stops while we wait on the requester (payment, documents) and runs on when they answer.
 */
export const DEFAULT_TARGET_DAYS = 14;

/** The facts a deadline is computed from; `pausedSeconds` counts pauses already over. */
export interface DeadlineFacts {
  startedAt: Date | null;
  targetDays: number;
  pausedSeconds: number;
  pausedSince: Date | null;
}

export type DeadlineStatus =
  | { kind: 'not_started' }
  | { kind: 'paused'; remainingMs: number }
  | { kind: 'running'; dueAt: Date; remainingMs: number }
  | { kind: 'overdue'; dueAt: Date; overdueMs: number };

/** Target days for a kind under a policy. */
export function targetDaysFor(policy: Policy, kind: RequestKind): number {
  return policy.requests.kinds[kind]?.target_days ?? policy.requests.default_target_days ?? DEFAULT_TARGET_DAYS;
}

/** Due date without the running pause (null before identity is confirmed). */
export function baseDueDate(d: DeadlineFacts): Date | null {
  if (!d.startedAt) return null;
  return new Date(d.startedAt.getTime() + d.targetDays * DAY_MS + d.pausedSeconds * 1000);
}

/** Due date as of `now`: a running pause pushes it out by its length so far. */
export function dueDate(d: DeadlineFacts, now: Date): Date | null {
  const base = baseDueDate(d);
  if (!base) return null;
  const running = d.pausedSince ? Math.max(0, now.getTime() - d.pausedSince.getTime()) : 0;
  return new Date(base.getTime() + running);
}

/** Where the deadline stands at `now`. */
export function deadlineStatus(d: DeadlineFacts, now: Date): DeadlineStatus {
  const base = baseDueDate(d);
  if (!base) return { kind: 'not_started' };
  if (d.pausedSince) return { kind: 'paused', remainingMs: base.getTime() - d.pausedSince.getTime() };
  const remainingMs = base.getTime() - now.getTime();
  return remainingMs >= 0 ? { kind: 'running', dueAt: base, remainingMs } : { kind: 'overdue', dueAt: base, overdueMs: -remainingMs };
}

/** Starts the clock (identity confirmed). Starting twice keeps the first start. */
export function startDeadline(d: DeadlineFacts, now: Date): DeadlineFacts {
  return d.startedAt ? d : { ...d, startedAt: now };
}

/** Stops the clock while waiting on the requester; pausing a paused clock changes nothing. */
export function pauseDeadline(d: DeadlineFacts, now: Date): DeadlineFacts {
  return d.pausedSince ? d : { ...d, pausedSince: now };
}

/** Runs the clock on; the pause's whole seconds are added to the due date. */
export function resumeDeadline(d: DeadlineFacts, now: Date): DeadlineFacts {
  if (!d.pausedSince) return d;
  const seconds = Math.max(0, Math.round((now.getTime() - d.pausedSince.getTime()) / 1000));
  return { ...d, pausedSince: null, pausedSeconds: d.pausedSeconds + seconds };
}
